/**
 * One account per `--data` directory: the SQLite file `account.db` inside it (DESIGN.md
 * "Storage": one file per account). Opening never creates a file; creating refuses a directory
 * that already holds one, and removes what it created when anything fails, so that bad input
 * leaves nothing behind (issue 7, "nothing stored is changed").
 *
 * @module
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { isValidPhrase } from '../messenger/identity/index.ts'
import { Messenger } from '../messenger/index.ts'
import type { MessengerOptions } from '../messenger/index.ts'
import { SqliteStore } from '../store/index.ts'
import type { Network } from '../transport/index.ts'
import { CliError } from './errors.ts'

export const DB_FILE = 'account.db'

export function dbPath(dataDir: string): string {
  return join(dataDir, DB_FILE)
}

/** An open account: the messenger and the database file it runs on. */
export interface OpenAccount {
  readonly m: Messenger
  /**
   * The account's database, for the modules that work beside the messenger on the same account
   * (public chats, directory one-time prekeys, push registration: issue 12).
   */
  readonly store: SqliteStore
  /** Closes the messenger, then the database (the messenger does not own its store). */
  close(): Promise<void>
}

function opened(m: Messenger, store: SqliteStore): OpenAccount {
  return {
    m,
    store,
    close: async () => {
      try {
        await m.close()
      } finally {
        store.close()
      }
    },
  }
}

/** Extra Messenger options a command may set (the store and network come from here). */
export type OpenOptions = Omit<MessengerOptions, 'store' | 'network'>

/**
 * The account in `dataDir`, on `network`.
 * @throws {CliError} NO_ACCOUNT when the directory holds no database; PfsError STORE_* when the
 *   file is not usable
 */
export async function openAccount(
  dataDir: string,
  network: Network,
  options: OpenOptions = {},
): Promise<OpenAccount> {
  const path = dbPath(dataDir)
  if (!existsSync(path)) {
    throw new CliError(
      'NO_ACCOUNT',
      `no account in ${dataDir} (create one with: status-pfs account new --data ${dataDir})`,
    )
  }
  const store = SqliteStore.open(path)
  try {
    return opened(await Messenger.open({ network, store, ...withDefaults(options) }), store)
  } catch (e) {
    store.close()
    throw e
  }
}

/**
 * A new account (`phrase` undefined) or a recovered one, as a new installation, in `dataDir`.
 * @throws {CliError} ACCOUNT_EXISTS when the directory already holds an account; INVALID_PHRASE
 */
export async function createAccount(
  dataDir: string,
  network: Network,
  phrase: string | undefined,
  options: OpenOptions = {},
): Promise<OpenAccount> {
  const path = dbPath(dataDir)
  if (existsSync(path)) {
    throw new CliError(
      'ACCOUNT_EXISTS',
      `${dataDir} already holds an account; use another --data directory`,
    )
  }
  // Checked before any file is created: a wrong phrase must leave nothing behind.
  if (phrase !== undefined && !isValidPhrase(phrase)) {
    throw new CliError(
      'INVALID_PHRASE',
      'that recovery phrase is not valid (wrong word, word count or checksum)',
    )
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  let store: SqliteStore | undefined
  try {
    store = SqliteStore.open(path)
    const opts = { network, store, ...withDefaults(options) }
    const m =
      phrase === undefined
        ? await Messenger.create(opts)
        : await Messenger.recover({ ...opts, phrase })
    return opened(m, store)
  } catch (e) {
    store?.close()
    for (const f of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`])
      rmSync(f, { force: true })
    throw e
  }
}

function withDefaults(options: OpenOptions): OpenOptions {
  return { deviceName: safeHostname(), ...options }
}

function safeHostname(): string {
  try {
    return hostname() || 'device'
  } catch {
    return 'device'
  }
}
