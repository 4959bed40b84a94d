/**
 * `SqliteStore`: the durable `Store` on SQLite through better-sqlite3@12 (DESIGN.md "Storage"):
 * one file per account, WAL, foreign keys on, `synchronous=NORMAL` by default (`FULL` as an
 * option), numbered migrations (migrations.ts), prepared statements cached per SQL text, and
 * optional encryption of the secret columns under a passphrase (at-rest.ts).
 *
 * Transactions are `BEGIN IMMEDIATE … COMMIT`; a nested `transaction` is a savepoint. Methods
 * called outside a transaction commit on their own (each is one statement, or wraps its steps).
 *
 * Owns: SQL, the row ↔ record mapping and which columns are secret. Does not own: what the
 * records mean (the protocol layer), the schema history (migrations.ts).
 *
 * @module
 */
import type Database from 'better-sqlite3'
import { bytesKey, defaultProvider, utf8 } from '../../crypto/index.ts'
import type { CryptoProvider } from '../../crypto/index.ts'
import { PfsError } from '../../errors.ts'
import { AtRestCipher, decodeParams, encodeParams } from '../at-rest.ts'
import {
  asyncResultError,
  checkAccount,
  checkBool,
  checkBundle,
  checkBytes,
  checkContact,
  checkContactRequest,
  checkCount,
  checkDelivery,
  checkInstallation,
  checkInt,
  checkMessage,
  checkNs,
  checkOneTimePreKey,
  checkRequestTransition,
  checkSession,
  checkSignedPreKey,
  checkSkippedKey,
  checkString,
  checkSyncCursor,
  checkSyncFunction,
  checkTime,
  closedError,
  isThenable,
  topicSetKey,
  topicsFromKey,
} from '../checks.ts'
import type {
  AccountRecord,
  BundleRecord,
  ContactRecord,
  ContactRequestRecord,
  ContactRequestState,
  DeliveryRecord,
  DeliveryState,
  Direction,
  InstallationRecord,
  ListContactRequestsOptions,
  ListMessagesOptions,
  ListSignedPreKeysOptions,
  MessageRecord,
  OneTimePreKeyRecord,
  SessionRecord,
  SharedSecretRecord,
  SignedPreKeyRecord,
  SkippedKeyRecord,
  Store,
  SyncCursorRecord,
} from '../types.ts'
import { storeError } from './errors.ts'
import { openDatabase } from './open.ts'
import type { Synchronous } from './open.ts'

/** Options of `SqliteStore.open`. */
export interface SqliteStoreOptions {
  /** `NORMAL` (default) or `FULL` (fsync on every commit). */
  readonly synchronous?: Synchronous
  /**
   * Encrypts the secret columns. Given when the store is created, it is required on every later
   * open; given for an existing unencrypted store, it is refused (`STORE_PASSPHRASE`).
   */
  readonly passphrase?: string | Uint8Array
  /** Provider for the KDF and AES-GCM (default: `defaultProvider()`). */
  readonly crypto?: CryptoProvider
  /** PBKDF2 iterations for a new encrypted store (default `DEFAULT_KDF_ITERATIONS`). */
  readonly kdfIterations?: number
}

type Row = Record<string, unknown>
/**
 * A bound value. better-sqlite3 binds any `Uint8Array` (a view included) as a BLOB, reading the
 * caller's bytes in place: keys are passed as they are, no Buffer made per parameter (issue 9).
 */
type Value = Uint8Array | string | number | bigint | null
/** Positional values, or one object of named (`@name`) values. */
type Param = Value | Readonly<Record<string, Value>>

const AT_REST_KEY = 'at_rest'

/** A plain `Uint8Array` copy of a BLOB column (never a Buffer, never shared memory). */
function bytes(v: unknown): Uint8Array {
  return new Uint8Array(v as Uint8Array)
}

function num(v: unknown): number {
  return Number(v)
}

function big(v: unknown): bigint {
  return typeof v === 'bigint' ? v : BigInt(v as number)
}

function bool(v: unknown): boolean {
  return Number(v) !== 0
}

function flag(b: boolean): number {
  return b ? 1 : 0
}

/** Optional string column → spread-able partial record (absent rather than undefined). */
function opt<K extends string>(name: K, v: unknown): { [P in K]?: string } {
  return (v === null || v === undefined ? {} : { [name]: v as string }) as { [P in K]?: string }
}

/** Column labels of secret values (associated data of their seals). */
const S = {
  identityKey: 'account.identity_private_key',
  spk: 'signed_prekeys.private_key',
  otpk: 'one_time_prekeys.private_key',
  sk: 'sessions.sk',
  state: 'sessions.state',
  messageKey: 'skipped_keys.message_key',
  secret: 'shared_secrets.secret',
  requestText: 'contact_requests.text',
  text: 'messages.text',
  payload: 'messages.payload',
} as const

const SESSION_COLUMNS =
  'id, identity, installation_id, bundle_id, ephemeral_key, sk, state, created_at, expires_at'
const BUNDLE_COLUMNS =
  'identity, installation_id, version, signed_prekey, protocol_version, timestamp, expired'
const INSTALLATION_COLUMNS =
  'identity, installation_id, enabled, version, first_seen, last_seen, stale, name, device_type'
const MESSAGE_COLUMNS = 'id, chat_id, direction, sender, text, payload, sent_at, received_at, pfs'
const REQUEST_COLUMNS = 'id, identity, direction, state, text, created_at, updated_at'

/**
 * Tables whose rows the protocol reads on every message and writes rarely (devices, bundles, our
 * signed prekeys, the §11.4 shared secrets): their `SELECT`s are served from `#rows` inside
 * transactions (issue 9).
 */
const CACHED_TABLES = new Set([
  'installations',
  'bundles',
  'signed_prekeys',
  'shared_secrets',
  'shared_secret_installations',
  // The messenger derives a contact's state from these on every message (contact-state.ts).
  'contacts',
  'contact_requests',
])
/**
 * Tables whose writes cannot change a cached table: not cached themselves, and no foreign key
 * cascades from them into a cached one (the cascades run from installations to bundles and
 * sessions, from sessions to skipped keys, from shared secrets and messages to their children).
 */
const INDEPENDENT_TABLES = new Set([
  'sessions',
  'skipped_keys',
  'one_time_prekeys',
  'account',
  'messages',
  'message_deliveries',
  'seen_envelopes',
  'sync_cursors',
  'bundle_replies',
  'meta',
])

/** What a statement does to the row cache. */
type Kind =
  | 'cached-read'
  | 'session-read'
  | 'read'
  | 'control'
  | 'independent-write'
  | 'session-state-write'
  | 'session-write'
  | 'write'

/**
 * The one statement that writes a session's ratchet state, once per message sent or received:
 * cached session rows are updated in place (write-through) instead of dropped.
 */
const SESSION_STATE_UPDATE = 'UPDATE sessions SET state = ? WHERE id = ?'

/** Cached result rows by statement and parameters (`{ rows }`, so that "no row" is kept too). */
type RowCache = Map<string, { readonly rows: Row | Row[] | undefined }>

interface Prepared {
  readonly stmt: Database.Statement
  readonly kind: Kind
  /** Its number in this store, which stands for its SQL in cache keys (short keys hash faster). */
  readonly id: number
}

/** Classifies one SQL text (memoized per text by the store). */
function classify(sql: string): Kind {
  const text = sql.trimStart()
  const head = (/^\w+/.exec(text)?.[0] ?? '').toUpperCase()
  if (head === 'SELECT') {
    const from = /\bFROM\s+(\w+)/i.exec(text)?.[1]?.toLowerCase()
    const simple = !/\bJOIN\b/i.test(text) && text.match(/\bFROM\b/gi)?.length === 1
    if (from === 'sessions' && simple) return 'session-read'
    return from !== undefined && CACHED_TABLES.has(from) && simple ? 'cached-read' : 'read'
  }
  if (head === 'BEGIN' || head === 'COMMIT' || head === 'SAVEPOINT' || head === 'RELEASE') {
    return 'control'
  }
  if (head === 'INSERT' || head === 'UPDATE' || head === 'DELETE' || head === 'REPLACE') {
    const table = /^(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|REPLACE\s+INTO|UPDATE|DELETE\s+FROM)\s+(\w+)/i
      .exec(text)?.[1]
      ?.toLowerCase()
    if (table === 'sessions')
      return text === SESSION_STATE_UPDATE ? 'session-state-write' : 'session-write'
    return table !== undefined && INDEPENDENT_TABLES.has(table) ? 'independent-write' : 'write'
  }
  // ROLLBACK, PRAGMA and anything else: assume it changes everything.
  return 'write'
}

/**
 * A cache key for a statement (its `Prepared.id`) and positional parameters, or undefined when
 * they are not plain values.
 */
function paramsKey(statement: number, params: readonly Param[]): string | undefined {
  let key = String(statement)
  for (const p of params) {
    if (p instanceof Uint8Array) key += `\u0000b${String(p.length)}:${bytesKey(p)}`
    else if (typeof p === 'string') key += `\u0000s${p}`
    else if (typeof p === 'number' || typeof p === 'bigint') key += `\u0000n${String(p)}`
    else if (p === null) key += '\u0000z'
    else return undefined
  }
  return key
}

/** The durable `Store`. Create with `SqliteStore.open`. */
export class SqliteStore implements Store {
  readonly #db: Database.Database
  readonly #cipher: AtRestCipher | undefined
  /** Prepared statements and what they do to `#rows`, by SQL text (one lookup per call). */
  readonly #statements = new Map<string, Prepared>()
  /**
   * Rows of `CACHED_TABLES` read in transactions, by SQL and parameters (`{ rows }` so that "no
   * row" is remembered too). Emptied by any write that may touch those tables, by every rollback
   * (of a transaction or a savepoint), and when another connection has committed since our last
   * transaction began (`PRAGMA data_version`). Rows are never handed out: the mappers copy every
   * value into the records they return.
   */
  readonly #rows: RowCache = new Map()
  /**
   * Rows of `sessions` read in transactions (issue 9: the protocol looks its session up for every
   * message). Same rules as `#rows`, which also drop these, plus: the per-message
   * `SESSION_STATE_UPDATE` writes its new state into the cached rows of that session (a copy of
   * the bytes bound to the statement, so exactly what the database now holds); any other write to
   * `sessions` drops them all.
   */
  readonly #sessionRows: RowCache = new Map()
  /** The id of the next statement prepared (`Prepared.id`). */
  #nextStatement = 0
  #dataVersion: unknown = undefined
  #dataVersionStmt: Database.Statement | undefined
  #depth = 0
  #closed = false

  private constructor(db: Database.Database, cipher: AtRestCipher | undefined) {
    this.#db = db
    this.#cipher = cipher
  }

  /**
   * Opens (creating and migrating when needed) the store file at `path` (`':memory:'` for a
   * throwaway database).
   * @throws {PfsError} code=STORE_CORRUPT when the file is not a readable status-pfs database
   *   (the file is left untouched), STORE_VERSION when a newer schema wrote it, STORE_PASSPHRASE
   *   for a wrong, missing or unexpected passphrase, STORE_FAILURE for other engine failures,
   *   INVALID_ARGUMENT for bad options
   */
  static open(path: string, options: SqliteStoreOptions = {}): SqliteStore {
    checkString('path', path)
    const synchronous = options.synchronous ?? 'NORMAL'
    if (synchronous !== 'NORMAL' && synchronous !== 'FULL') {
      throw new PfsError('INVALID_ARGUMENT', '"synchronous" expected NORMAL | FULL')
    }
    const { db, previousVersion } = openDatabase(path, synchronous)
    try {
      const cipher = SqliteStore.#atRest(db, previousVersion === 0, options)
      return new SqliteStore(db, cipher)
    } catch (e) {
      db.close()
      throw storeError('open', e)
    }
  }

  /** Sets up or unlocks encryption at rest according to what the file says. */
  static #atRest(
    db: Database.Database,
    fresh: boolean,
    options: SqliteStoreOptions,
  ): AtRestCipher | undefined {
    const crypto = options.crypto ?? defaultProvider()
    const stored = db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(AT_REST_KEY) as
      Uint8Array | undefined
    const { passphrase } = options
    if (stored === undefined) {
      if (passphrase === undefined) return undefined
      if (!fresh) {
        throw new PfsError('STORE_PASSPHRASE', 'store is not encrypted; open it without passphrase')
      }
      const { cipher, params } = AtRestCipher.create(passphrase, crypto, options.kdfIterations)
      db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run(
        AT_REST_KEY,
        utf8(encodeParams(params)),
      )
      return cipher
    }
    const params = decodeParams(new TextDecoder().decode(stored))
    if (passphrase === undefined) {
      throw new PfsError('STORE_PASSPHRASE', 'store is encrypted; a passphrase is required')
    }
    return AtRestCipher.unlock(params, passphrase, crypto)
  }

  // plumbing ---------------------------------------------------------------------------------

  /** The prepared statement of `sql`; a statement that may change cached tables empties `#rows`. */
  #prepared(sql: string): Prepared {
    let p = this.#statements.get(sql)
    if (p === undefined) {
      p = { stmt: this.#db.prepare(sql), kind: classify(sql), id: this.#nextStatement++ }
      this.#statements.set(sql, p)
    }
    if (p.kind === 'write') this.#clearRows()
    else if (p.kind === 'session-write') this.#sessionRows.clear()
    return p
  }

  #clearRows(): void {
    this.#rows.clear()
    this.#sessionRows.clear()
  }

  /** `SESSION_STATE_UPDATE` done: the cached rows of session `id` now hold `state`. */
  #writeThrough(state: Param | undefined, id: Param | undefined): void {
    if (this.#sessionRows.size === 0) return
    if (!(state instanceof Uint8Array) || !(id instanceof Uint8Array)) {
      this.#sessionRows.clear()
      return
    }
    let copy: Buffer | undefined
    const update = (r: Row): void => {
      const rowId = r['id']
      if (rowId instanceof Uint8Array && Buffer.compare(rowId, id) === 0) {
        copy ??= Buffer.from(state)
        r['state'] = copy
      }
    }
    for (const { rows } of this.#sessionRows.values()) {
      if (rows === undefined) continue
      if (Array.isArray(rows)) rows.forEach(update)
      else update(rows)
    }
  }

  #stmt(sql: string): Database.Statement {
    return this.#prepared(sql).stmt
  }

  /**
   * Where a read may be served from and under which key: `#rows` or `#sessionRows`, inside a
   * transaction only; undefined for any other read.
   */
  #cacheFor(
    p: Prepared,
    params: readonly Param[],
  ): { readonly map: RowCache; readonly key: string } | undefined {
    if (this.#depth === 0) return undefined
    const map =
      p.kind === 'cached-read'
        ? this.#rows
        : p.kind === 'session-read'
          ? this.#sessionRows
          : undefined
    if (map === undefined) return undefined
    const key = paramsKey(p.id, params)
    return key === undefined ? undefined : { map, key }
  }

  #run(sql: string, ...params: Param[]): number {
    const p = this.#prepared(sql)
    const changes = p.stmt.run(...params).changes
    if (p.kind === 'session-state-write' && changes > 0) this.#writeThrough(params[0], params[1])
    return changes
  }

  #get(sql: string, ...params: Param[]): Row | undefined {
    const p = this.#prepared(sql)
    const cache = this.#cacheFor(p, params)
    const hit = cache?.map.get(cache.key)
    if (hit !== undefined) return hit.rows as Row | undefined
    const row = p.stmt.get(...params) as Row | undefined
    cache?.map.set(cache.key, { rows: row })
    return row
  }

  #all(sql: string, ...params: Param[]): Row[] {
    const p = this.#prepared(sql)
    const cache = this.#cacheFor(p, params)
    const hit = cache?.map.get(cache.key)
    if (hit !== undefined) return (hit.rows as Row[]).slice()
    const rows = p.stmt.all(...params) as Row[]
    cache?.map.set(cache.key, { rows: rows.slice() })
    return rows
  }

  /** Forgets cached rows when another connection has committed since we last looked. */
  #checkDataVersion(): void {
    // Prepared outside `#prepared`: a PRAGMA counts as a write there, and this one only reads.
    this.#dataVersionStmt ??= this.#db.prepare('PRAGMA data_version').pluck()
    const v: unknown = this.#dataVersionStmt.get()
    if (v !== this.#dataVersion) {
      this.#clearRows()
      this.#dataVersion = v
    }
  }

  /** Runs one public operation: closed check, engine errors mapped, never SQL in messages. */
  #op<T>(operation: string, fn: () => T): T {
    if (this.#closed) throw closedError()
    if (this.#depth > 0 && !this.#db.inTransaction) {
      this.#clearRows()
      // The engine rolled the whole transaction back (e.g. disk full) under an inner savepoint
      // whose error the caller caught: refuse to go on outside any transaction.
      throw new PfsError('STORE_FAILURE', 'transaction was aborted by the engine', { operation })
    }
    try {
      return fn()
    } catch (e) {
      throw storeError(operation, e)
    }
  }

  #seal(label: string, plain: Uint8Array): Uint8Array {
    return this.#cipher === undefined ? plain : this.#cipher.seal(label, plain)
  }

  #open(label: string, stored: unknown): Uint8Array {
    return this.#cipher === undefined ? bytes(stored) : this.#cipher.open(label, bytes(stored))
  }

  #sealText(label: string, text: string): Uint8Array {
    return this.#seal(label, utf8(text))
  }

  #openText(label: string, stored: unknown): string {
    return new TextDecoder().decode(this.#open(label, stored))
  }

  // transactions -----------------------------------------------------------------------------

  get inTransaction(): boolean {
    return this.#depth > 0
  }

  transaction<T>(fn: () => T): T {
    if (this.#closed) throw closedError()
    checkSyncFunction(fn)
    const outer = this.#depth === 0
    const savepoint = `sp${this.#depth}`
    this.#op('begin', () => {
      if (outer) {
        this.#run('BEGIN IMMEDIATE')
        this.#checkDataVersion()
      } else {
        this.#run(`SAVEPOINT ${savepoint}`)
      }
    })
    this.#depth++
    let result: T
    try {
      result = fn()
      if (isThenable(result)) throw asyncResultError()
    } catch (e) {
      this.#depth--
      this.#undo(outer, savepoint)
      throw e
    }
    this.#depth--
    try {
      if (!this.#db.inTransaction) {
        throw new PfsError('STORE_FAILURE', 'transaction was aborted by the engine')
      }
      if (outer) this.#run('COMMIT')
      else this.#run(`RELEASE ${savepoint}`)
    } catch (e) {
      this.#undo(outer, savepoint)
      throw storeError('commit', e)
    }
    return result
  }

  /** Undoes the current transaction or savepoint; a failure here leaves the engine's own undo. */
  #undo(outer: boolean, savepoint: string): void {
    this.#clearRows()
    if (!this.#db.inTransaction) return
    try {
      if (outer) {
        this.#run('ROLLBACK')
      } else {
        this.#run(`ROLLBACK TO ${savepoint}`)
        this.#run(`RELEASE ${savepoint}`)
      }
    } catch {
      // The original error is the one worth reporting; SQLite has already rolled back when its
      // own ROLLBACK fails.
    }
  }

  /**
   * Every row of every table as one JSON string (bytes as hex, in primary-key order): tests
   * compare two dumps to prove that a failed operation changed nothing. Secret columns appear as
   * stored (sealed when the store has a passphrase).
   */
  dump(): string {
    return this.#op('dump', () => {
      const names = this.#db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .pluck()
        .all() as string[]
      const out: Record<string, unknown[]> = {}
      for (const name of names) {
        const quoted = `"${name.replaceAll('"', '""')}"`
        const cols = (this.#db.prepare(`PRAGMA table_info(${quoted})`).all() as Row[]).length
        const order = Array.from({ length: cols }, (_, i) => String(i + 1)).join(', ')
        out[name] = (
          this.#db.prepare(`SELECT * FROM ${quoted} ORDER BY ${order}`).raw().all() as unknown[][]
        ).map((row) =>
          row.map((v) => {
            if (v instanceof Uint8Array) return Buffer.from(v).toString('hex')
            if (typeof v === 'bigint') return `${v}n`
            return v
          }),
        )
      }
      return JSON.stringify(out)
    })
  }

  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.#statements.clear()
    this.#clearRows()
    this.#cipher?.destroy()
    try {
      this.#db.close()
    } catch (e) {
      throw storeError('close', e)
    }
  }

  // account ---------------------------------------------------------------------------------

  getAccount(): AccountRecord | undefined {
    return this.#op('getAccount', () => {
      const r = this.#get(
        `SELECT identity_public_key, identity_private_key, installation_id, name, device_type,
                created_at FROM account WHERE singleton = 1`,
      )
      if (r === undefined) return undefined
      return {
        identityPublicKey: bytes(r['identity_public_key']),
        identityPrivateKey: this.#open(S.identityKey, r['identity_private_key']),
        installationId: r['installation_id'] as string,
        ...opt('name', r['name']),
        ...opt('deviceType', r['device_type']),
        createdAt: num(r['created_at']),
      }
    })
  }

  putAccount(a: AccountRecord): void {
    checkAccount(a)
    this.#op('putAccount', () => {
      this.#run(
        `INSERT OR REPLACE INTO account (singleton, identity_public_key, identity_private_key,
           installation_id, name, device_type, created_at) VALUES (1, ?, ?, ?, ?, ?, ?)`,
        a.identityPublicKey,
        this.#seal(S.identityKey, a.identityPrivateKey),
        a.installationId,
        a.name ?? null,
        a.deviceType ?? null,
        a.createdAt,
      )
    })
  }

  // own signed prekeys ----------------------------------------------------------------------

  #signedPreKey(r: Row): SignedPreKeyRecord {
    return {
      publicKey: bytes(r['public_key']),
      privateKey: this.#open(S.spk, r['private_key']),
      version: num(r['version']),
      createdAt: num(r['created_at']),
      expired: bool(r['expired']),
    }
  }

  putSignedPreKey(k: SignedPreKeyRecord): void {
    checkSignedPreKey(k)
    this.#op('putSignedPreKey', () => {
      this.#run(
        `INSERT OR REPLACE INTO signed_prekeys (public_key, private_key, version, created_at, expired)
         VALUES (?, ?, ?, ?, ?)`,
        k.publicKey,
        this.#seal(S.spk, k.privateKey),
        k.version,
        k.createdAt,
        flag(k.expired),
      )
    })
  }

  getSignedPreKey(publicKey: Uint8Array): SignedPreKeyRecord | undefined {
    checkBytes('publicKey', publicKey)
    return this.#op('getSignedPreKey', () => {
      const r = this.#get('SELECT * FROM signed_prekeys WHERE public_key = ?', publicKey)
      return r === undefined ? undefined : this.#signedPreKey(r)
    })
  }

  listSignedPreKeys(options: ListSignedPreKeysOptions = {}): SignedPreKeyRecord[] {
    const all = options.includeExpired === true
    return this.#op('listSignedPreKeys', () =>
      this.#all(
        `SELECT * FROM signed_prekeys WHERE expired = 0 OR ? ORDER BY version DESC, public_key`,
        flag(all),
      ).map((r) => this.#signedPreKey(r)),
    )
  }

  expireSignedPreKeysBelow(version: number): number {
    checkInt('version', version)
    return this.#op('expireSignedPreKeysBelow', () =>
      this.#run('UPDATE signed_prekeys SET expired = 1 WHERE version < ? AND expired = 0', version),
    )
  }

  deleteSignedPreKey(publicKey: Uint8Array): boolean {
    checkBytes('publicKey', publicKey)
    return this.#op(
      'deleteSignedPreKey',
      () => this.#run('DELETE FROM signed_prekeys WHERE public_key = ?', publicKey) > 0,
    )
  }

  // one-time prekeys ------------------------------------------------------------------------

  putOneTimePreKey(k: OneTimePreKeyRecord): void {
    checkOneTimePreKey(k)
    this.#op('putOneTimePreKey', () => {
      this.#run(
        'INSERT OR REPLACE INTO one_time_prekeys (public_key, private_key, created_at) VALUES (?, ?, ?)',
        k.publicKey,
        this.#seal(S.otpk, k.privateKey),
        k.createdAt,
      )
    })
  }

  takeOneTimePreKey(publicKey: Uint8Array): OneTimePreKeyRecord | undefined {
    checkBytes('publicKey', publicKey)
    return this.#op('takeOneTimePreKey', () => {
      const r = this.#get(
        'DELETE FROM one_time_prekeys WHERE public_key = ? RETURNING *',
        publicKey,
      )
      if (r === undefined) return undefined
      return {
        publicKey: bytes(r['public_key']),
        privateKey: this.#open(S.otpk, r['private_key']),
        createdAt: num(r['created_at']),
      }
    })
  }

  countOneTimePreKeys(): number {
    return this.#op('countOneTimePreKeys', () =>
      num(this.#stmt('SELECT count(*) FROM one_time_prekeys').pluck().get()),
    )
  }

  // installations ---------------------------------------------------------------------------

  #installation(r: Row): InstallationRecord {
    return {
      identity: bytes(r['identity']),
      installationId: r['installation_id'] as string,
      enabled: bool(r['enabled']),
      version: num(r['version']),
      firstSeen: big(r['first_seen']),
      lastSeen: big(r['last_seen']),
      stale: bool(r['stale']),
      ...opt('name', r['name']),
      ...opt('deviceType', r['device_type']),
    }
  }

  putInstallation(i: InstallationRecord): void {
    checkInstallation(i)
    this.#op('putInstallation', () => {
      // An upsert, not INSERT OR REPLACE: REPLACE deletes the row first and the foreign keys
      // would cascade to the device's bundles and sessions.
      this.#run(
        `INSERT INTO installations (${INSTALLATION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (identity, installation_id) DO UPDATE SET enabled = excluded.enabled,
           version = excluded.version, first_seen = excluded.first_seen,
           last_seen = excluded.last_seen, stale = excluded.stale, name = excluded.name,
           device_type = excluded.device_type`,
        i.identity,
        i.installationId,
        flag(i.enabled),
        i.version,
        i.firstSeen,
        i.lastSeen,
        flag(i.stale),
        i.name ?? null,
        i.deviceType ?? null,
      )
    })
  }

  getInstallation(identity: Uint8Array, installationId: string): InstallationRecord | undefined {
    checkBytes('identity', identity)
    checkString('installationId', installationId)
    return this.#op('getInstallation', () => {
      const r = this.#get(
        `SELECT ${INSTALLATION_COLUMNS} FROM installations WHERE identity = ? AND installation_id = ?`,
        identity,
        installationId,
      )
      return r === undefined ? undefined : this.#installation(r)
    })
  }

  listInstallations(identity: Uint8Array): InstallationRecord[] {
    checkBytes('identity', identity)
    return this.#op('listInstallations', () =>
      this.#all(
        `SELECT ${INSTALLATION_COLUMNS} FROM installations WHERE identity = ?
         ORDER BY last_seen DESC, installation_id`,
        identity,
      ).map((r) => this.#installation(r)),
    )
  }

  listActiveInstallations(identity: Uint8Array, limit: number): InstallationRecord[] {
    checkBytes('identity', identity)
    checkCount('limit', limit)
    return this.#op('listActiveInstallations', () =>
      this.#all(
        `SELECT ${INSTALLATION_COLUMNS} FROM installations
         WHERE identity = ? AND enabled = 1 AND stale = 0
         ORDER BY last_seen DESC, installation_id LIMIT ?`,
        identity,
        limit,
      ).map((r) => this.#installation(r)),
    )
  }

  setInstallationEnabled(identity: Uint8Array, installationId: string, enabled: boolean): boolean {
    checkBytes('identity', identity)
    checkString('installationId', installationId)
    checkBool('enabled', enabled)
    return this.#op(
      'setInstallationEnabled',
      () =>
        this.#run(
          'UPDATE installations SET enabled = ? WHERE identity = ? AND installation_id = ?',
          flag(enabled),
          identity,
          installationId,
        ) > 0,
    )
  }

  markStaleInstallations(before: bigint): number {
    checkNs('before', before)
    return this.#op('markStaleInstallations', () =>
      this.#run(
        'UPDATE installations SET stale = (last_seen < @before) WHERE stale <> (last_seen < @before)',
        { before },
      ),
    )
  }

  deleteInstallation(identity: Uint8Array, installationId: string): boolean {
    checkBytes('identity', identity)
    checkString('installationId', installationId)
    // One statement: the foreign keys cascade to bundles, sessions and skipped keys.
    return this.#op(
      'deleteInstallation',
      () =>
        this.#run(
          'DELETE FROM installations WHERE identity = ? AND installation_id = ?',
          identity,
          installationId,
        ) > 0,
    )
  }

  // bundles ---------------------------------------------------------------------------------

  #bundle(r: Row): BundleRecord {
    return {
      identity: bytes(r['identity']),
      installationId: r['installation_id'] as string,
      version: num(r['version']),
      signedPreKey: bytes(r['signed_prekey']),
      protocolVersion: num(r['protocol_version']),
      timestamp: big(r['timestamp']),
      expired: bool(r['expired']),
    }
  }

  putBundle(b: BundleRecord): void {
    checkBundle(b)
    this.#op('putBundle', () => {
      this.#run(
        `INSERT INTO bundles (${BUNDLE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (identity, installation_id, version) DO UPDATE SET
           signed_prekey = excluded.signed_prekey, protocol_version = excluded.protocol_version,
           timestamp = excluded.timestamp, expired = excluded.expired`,
        b.identity,
        b.installationId,
        b.version,
        b.signedPreKey,
        b.protocolVersion,
        b.timestamp,
        flag(b.expired),
      )
    })
  }

  getBundle(
    identity: Uint8Array,
    installationId: string,
    version: number,
  ): BundleRecord | undefined {
    checkBytes('identity', identity)
    checkString('installationId', installationId)
    checkInt('version', version)
    return this.#op('getBundle', () => {
      const r = this.#get(
        `SELECT ${BUNDLE_COLUMNS} FROM bundles
         WHERE identity = ? AND installation_id = ? AND version = ?`,
        identity,
        installationId,
        version,
      )
      return r === undefined ? undefined : this.#bundle(r)
    })
  }

  getActiveBundle(identity: Uint8Array, installationId: string): BundleRecord | undefined {
    checkBytes('identity', identity)
    checkString('installationId', installationId)
    return this.#op('getActiveBundle', () => {
      const r = this.#get(
        `SELECT ${BUNDLE_COLUMNS} FROM bundles
         WHERE identity = ? AND installation_id = ? AND expired = 0
         ORDER BY version DESC LIMIT 1`,
        identity,
        installationId,
      )
      return r === undefined ? undefined : this.#bundle(r)
    })
  }

  listBundles(identity: Uint8Array): BundleRecord[] {
    checkBytes('identity', identity)
    return this.#op('listBundles', () =>
      this.#all(
        `SELECT ${BUNDLE_COLUMNS} FROM bundles WHERE identity = ?
         ORDER BY installation_id, version DESC`,
        identity,
      ).map((r) => this.#bundle(r)),
    )
  }

  findBundleBySignedPreKey(signedPreKey: Uint8Array): BundleRecord | undefined {
    checkBytes('signedPreKey', signedPreKey)
    return this.#op('findBundleBySignedPreKey', () => {
      const r = this.#get(
        `SELECT ${BUNDLE_COLUMNS} FROM bundles WHERE signed_prekey = ?`,
        signedPreKey,
      )
      return r === undefined ? undefined : this.#bundle(r)
    })
  }

  expireBundlesBelow(identity: Uint8Array, installationId: string, version: number): number {
    checkBytes('identity', identity)
    checkString('installationId', installationId)
    checkInt('version', version)
    return this.#op('expireBundlesBelow', () =>
      this.#run(
        `UPDATE bundles SET expired = 1
         WHERE identity = ? AND installation_id = ? AND version < ? AND expired = 0`,
        identity,
        installationId,
        version,
      ),
    )
  }

  // sessions --------------------------------------------------------------------------------

  #session(r: Row): SessionRecord {
    const eph = r['ephemeral_key']
    return {
      id: bytes(r['id']),
      identity: bytes(r['identity']),
      installationId: r['installation_id'] as string,
      bundleId: bytes(r['bundle_id']),
      ...(eph !== null && { ephemeralKey: bytes(eph) }),
      sk: this.#open(S.sk, r['sk']),
      state: this.#open(S.state, r['state']),
      createdAt: num(r['created_at']),
      expiresAt: num(r['expires_at']),
    }
  }

  putSession(s: SessionRecord): void {
    checkSession(s)
    this.#op('putSession', () => {
      // An upsert keeps the row (and its skipped keys) where INSERT OR REPLACE would cascade.
      this.#run(
        `INSERT INTO sessions (${SESSION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET identity = excluded.identity,
           installation_id = excluded.installation_id, bundle_id = excluded.bundle_id,
           ephemeral_key = excluded.ephemeral_key, sk = excluded.sk, state = excluded.state,
           created_at = excluded.created_at, expires_at = excluded.expires_at`,
        s.id,
        s.identity,
        s.installationId,
        s.bundleId,
        s.ephemeralKey ?? null,
        this.#seal(S.sk, s.sk),
        this.#seal(S.state, s.state),
        s.createdAt,
        s.expiresAt,
      )
    })
  }

  getSession(id: Uint8Array): SessionRecord | undefined {
    checkBytes('id', id)
    return this.#op('getSession', () => {
      const r = this.#get(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE id = ?`, id)
      return r === undefined ? undefined : this.#session(r)
    })
  }

  updateSessionState(id: Uint8Array, state: Uint8Array): boolean {
    checkBytes('id', id)
    checkBytes('state', state)
    return this.#op(
      'updateSessionState',
      () => this.#run(SESSION_STATE_UPDATE, this.#seal(S.state, state), id) > 0,
    )
  }

  findSession(
    bundleId: Uint8Array,
    identity: Uint8Array,
    installationId: string,
  ): SessionRecord | undefined {
    checkBytes('bundleId', bundleId)
    checkBytes('identity', identity)
    checkString('installationId', installationId)
    return this.#op('findSession', () => {
      const r = this.#get(
        `SELECT ${SESSION_COLUMNS} FROM sessions
         WHERE bundle_id = ? AND identity = ? AND installation_id = ?`,
        bundleId,
        identity,
        installationId,
      )
      return r === undefined ? undefined : this.#session(r)
    })
  }

  findActiveSession(
    identity: Uint8Array,
    installationId: string,
    now: number,
  ): SessionRecord | undefined {
    checkBytes('identity', identity)
    checkString('installationId', installationId)
    checkTime('now', now)
    return this.#op('findActiveSession', () => {
      const r = this.#get(
        `SELECT ${SESSION_COLUMNS} FROM sessions s
         WHERE identity = ? AND installation_id = ? AND expires_at > ?
           AND NOT EXISTS (SELECT 1 FROM signed_prekeys p
                           WHERE p.public_key = s.bundle_id AND p.expired = 1)
           AND NOT EXISTS (SELECT 1 FROM bundles b
                           WHERE b.signed_prekey = s.bundle_id AND b.expired = 1)
         ORDER BY created_at DESC, id LIMIT 1`,
        identity,
        installationId,
        now,
      )
      return r === undefined ? undefined : this.#session(r)
    })
  }

  listSessionsFor(identity: Uint8Array, installationId: string): SessionRecord[] {
    checkBytes('identity', identity)
    checkString('installationId', installationId)
    return this.#op('listSessionsFor', () =>
      this.#all(
        `SELECT ${SESSION_COLUMNS} FROM sessions WHERE identity = ? AND installation_id = ?
         ORDER BY created_at DESC, id`,
        identity,
        installationId,
      ).map((r) => this.#session(r)),
    )
  }

  confirmSession(id: Uint8Array): boolean {
    checkBytes('id', id)
    return this.#op(
      'confirmSession',
      () => this.#run('UPDATE sessions SET ephemeral_key = NULL WHERE id = ?', id) > 0,
    )
  }

  deleteSession(id: Uint8Array): boolean {
    checkBytes('id', id)
    return this.#op('deleteSession', () => this.#run('DELETE FROM sessions WHERE id = ?', id) > 0)
  }

  deleteExpiredSessions(now: number): number {
    checkTime('now', now)
    return this.#op('deleteExpiredSessions', () =>
      this.#run('DELETE FROM sessions WHERE expires_at <= ?', now),
    )
  }

  setSessionExpiry(id: Uint8Array, expiresAt: number): boolean {
    checkBytes('id', id)
    checkTime('expiresAt', expiresAt)
    return this.#op(
      'setSessionExpiry',
      () => this.#run('UPDATE sessions SET expires_at = ? WHERE id = ?', expiresAt, id) > 0,
    )
  }

  listExpiredSessions(now: number): SessionRecord[] {
    checkTime('now', now)
    return this.#op('listExpiredSessions', () =>
      this.#all(
        `SELECT ${SESSION_COLUMNS} FROM sessions WHERE expires_at <= ? ORDER BY expires_at, id`,
        now,
      ).map((r) => this.#session(r)),
    )
  }

  countSessionsByBundle(bundleId: Uint8Array): number {
    checkBytes('bundleId', bundleId)
    return this.#op('countSessionsByBundle', () =>
      num(this.#stmt('SELECT count(*) FROM sessions WHERE bundle_id = ?').pluck().get(bundleId)),
    )
  }

  expireSessionsByBundle(bundleId: Uint8Array, at: number): number {
    checkBytes('bundleId', bundleId)
    checkTime('at', at)
    return this.#op('expireSessionsByBundle', () =>
      this.#run(
        'UPDATE sessions SET expires_at = ? WHERE bundle_id = ? AND expires_at > ?',
        at,
        bundleId,
        at,
      ),
    )
  }

  countSessions(): number {
    return this.#op('countSessions', () =>
      num(this.#stmt('SELECT count(*) FROM sessions').pluck().get()),
    )
  }

  // partitioned-device answers --------------------------------------------------------------

  getBundleReplyTime(identity: Uint8Array): number | undefined {
    checkBytes('identity', identity)
    return this.#op('getBundleReplyTime', () => {
      const r = this.#get('SELECT replied_at FROM bundle_replies WHERE identity = ?', identity)
      return r === undefined ? undefined : num(r['replied_at'])
    })
  }

  setBundleReplyTime(identity: Uint8Array, at: number): void {
    checkBytes('identity', identity)
    checkTime('at', at)
    this.#op('setBundleReplyTime', () => {
      this.#run(
        'INSERT OR REPLACE INTO bundle_replies (identity, replied_at) VALUES (?, ?)',
        identity,
        at,
      )
    })
  }

  // skipped keys ----------------------------------------------------------------------------

  putSkippedKey(k: SkippedKeyRecord): void {
    checkSkippedKey(k)
    this.#op('putSkippedKey', () => {
      this.#run(
        `INSERT OR REPLACE INTO skipped_keys (session_id, ratchet_public, n, message_key, stored_at)
         VALUES (?, ?, ?, ?, ?)`,
        k.sessionId,
        k.ratchetPublic,
        k.n,
        this.#seal(S.messageKey, k.key),
        k.storedAt,
      )
    })
  }

  takeSkippedKey(ratchetPublic: Uint8Array, n: number): SkippedKeyRecord | undefined {
    checkBytes('ratchetPublic', ratchetPublic)
    checkCount('n', n)
    return this.#op('takeSkippedKey', () => {
      const r = this.#get(
        `DELETE FROM skipped_keys WHERE ratchet_public = ? AND n = ?
         RETURNING session_id, ratchet_public, n, message_key, stored_at`,
        ratchetPublic,
        n,
      )
      if (r === undefined) return undefined
      return {
        sessionId: bytes(r['session_id']),
        ratchetPublic: bytes(r['ratchet_public']),
        n: num(r['n']),
        key: this.#open(S.messageKey, r['message_key']),
        storedAt: num(r['stored_at']),
      }
    })
  }

  countSkippedKeys(sessionId: Uint8Array): number {
    checkBytes('sessionId', sessionId)
    return this.#op('countSkippedKeys', () =>
      num(
        this.#stmt('SELECT count(*) FROM skipped_keys WHERE session_id = ?').pluck().get(sessionId),
      ),
    )
  }

  pruneSkippedKeys(sessionId: Uint8Array, keep: number): number {
    checkBytes('sessionId', sessionId)
    checkCount('keep', keep)
    return this.#op('pruneSkippedKeys', () =>
      this.#run(
        `DELETE FROM skipped_keys WHERE session_id = @session AND seq NOT IN
           (SELECT seq FROM skipped_keys WHERE session_id = @session ORDER BY seq DESC LIMIT @keep)`,
        { session: sessionId, keep },
      ),
    )
  }

  deleteSkippedKeysBefore(before: number): number {
    checkTime('before', before)
    return this.#op('deleteSkippedKeysBefore', () =>
      this.#run('DELETE FROM skipped_keys WHERE stored_at < ?', before),
    )
  }

  // shared secrets --------------------------------------------------------------------------

  #sharedSecret(r: Row): SharedSecretRecord {
    const identity = bytes(r['identity'])
    const installations = this.#all(
      `SELECT installation_id AS id FROM shared_secret_installations WHERE identity = ?
       ORDER BY installation_id`,
      identity,
    ).map((row) => row['id'] as string)
    return { identity, secret: this.#open(S.secret, r['secret']), installations }
  }

  putSharedSecret(identity: Uint8Array, secret: Uint8Array): void {
    checkBytes('identity', identity)
    checkBytes('secret', secret)
    this.#op('putSharedSecret', () => {
      this.#run(
        'INSERT OR IGNORE INTO shared_secrets (identity, secret) VALUES (?, ?)',
        identity,
        this.#seal(S.secret, secret),
      )
    })
  }

  getSharedSecret(identity: Uint8Array): SharedSecretRecord | undefined {
    checkBytes('identity', identity)
    return this.#op('getSharedSecret', () => {
      const r = this.#get('SELECT * FROM shared_secrets WHERE identity = ?', identity)
      return r === undefined ? undefined : this.#sharedSecret(r)
    })
  }

  addSharedSecretInstallation(identity: Uint8Array, installationId: string): void {
    checkBytes('identity', identity)
    checkString('installationId', installationId)
    this.#op('addSharedSecretInstallation', () => {
      this.#run(
        `INSERT OR IGNORE INTO shared_secret_installations (identity, installation_id)
         VALUES (?, ?)`,
        identity,
        installationId,
      )
    })
  }

  listSharedSecrets(): SharedSecretRecord[] {
    return this.#op('listSharedSecrets', () =>
      this.#all('SELECT * FROM shared_secrets ORDER BY identity').map((r) => this.#sharedSecret(r)),
    )
  }

  // contacts --------------------------------------------------------------------------------

  #contact(r: Row): ContactRecord {
    return {
      identity: bytes(r['identity']),
      ...opt('name', r['name']),
      addedAt: num(r['added_at']),
      blocked: bool(r['blocked']),
    }
  }

  putContact(c: ContactRecord): void {
    checkContact(c)
    this.#op('putContact', () => {
      this.#run(
        'INSERT OR REPLACE INTO contacts (identity, name, added_at, blocked) VALUES (?, ?, ?, ?)',
        c.identity,
        c.name ?? null,
        c.addedAt,
        flag(c.blocked),
      )
    })
  }

  getContact(identity: Uint8Array): ContactRecord | undefined {
    checkBytes('identity', identity)
    return this.#op('getContact', () => {
      const r = this.#get('SELECT * FROM contacts WHERE identity = ?', identity)
      return r === undefined ? undefined : this.#contact(r)
    })
  }

  listContacts(): ContactRecord[] {
    return this.#op('listContacts', () =>
      this.#all('SELECT * FROM contacts ORDER BY added_at, identity').map((r) => this.#contact(r)),
    )
  }

  deleteContact(identity: Uint8Array): boolean {
    checkBytes('identity', identity)
    return this.#op(
      'deleteContact',
      () => this.#run('DELETE FROM contacts WHERE identity = ?', identity) > 0,
    )
  }

  #request(r: Row): ContactRequestRecord {
    const text = r['text']
    return {
      id: r['id'] as string,
      identity: bytes(r['identity']),
      direction: r['direction'] as Direction,
      state: r['state'] as ContactRequestState,
      ...(text !== null && { text: this.#openText(S.requestText, text) }),
      createdAt: num(r['created_at']),
      updatedAt: num(r['updated_at']),
    }
  }

  addContactRequest(q: ContactRequestRecord): void {
    checkContactRequest(q)
    if (q.state !== 'pending') throw new PfsError('INVALID_STATE', 'a new request must be pending')
    this.#op('addContactRequest', () => {
      this.#run(
        `INSERT INTO contact_requests (${REQUEST_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`,
        q.id,
        q.identity,
        q.direction,
        q.state,
        q.text === undefined ? null : this.#sealText(S.requestText, q.text),
        q.createdAt,
        q.updatedAt,
      )
    })
  }

  getContactRequest(id: string): ContactRequestRecord | undefined {
    checkString('id', id)
    return this.#op('getContactRequest', () => {
      const r = this.#get(`SELECT ${REQUEST_COLUMNS} FROM contact_requests WHERE id = ?`, id)
      return r === undefined ? undefined : this.#request(r)
    })
  }

  listContactRequests(options: ListContactRequestsOptions = {}): ContactRequestRecord[] {
    const { state, identity } = options
    if (identity !== undefined) checkBytes('identity', identity)
    // Per identity its own statement: SQLite plans `(@identity IS NULL OR identity = @identity)`
    // as a full scan, and the messenger asks per received message (contact-state.ts).
    // Positional parameters, so that the row cache can serve the per-identity query.
    const s = state ?? null
    return this.#op('listContactRequests', () =>
      (identity === undefined
        ? this.#all(
            `SELECT ${REQUEST_COLUMNS} FROM contact_requests
             WHERE (? IS NULL OR state = ?) ORDER BY created_at, id`,
            s,
            s,
          )
        : this.#all(
            `SELECT ${REQUEST_COLUMNS} FROM contact_requests
             WHERE identity = ? AND (? IS NULL OR state = ?) ORDER BY created_at, id`,
            identity,
            s,
            s,
          )
      ).map((r) => this.#request(r)),
    )
  }

  setContactRequestState(
    id: string,
    state: 'accepted' | 'declined',
    at: number,
  ): ContactRequestRecord {
    checkString('id', id)
    checkRequestTransition(state)
    checkTime('at', at)
    return this.#op('setContactRequestState', () => {
      const r = this.#get(
        `UPDATE contact_requests SET state = ?, updated_at = ? WHERE id = ? AND state = 'pending'
         RETURNING ${REQUEST_COLUMNS}`,
        state,
        at,
        id,
      )
      if (r !== undefined) return this.#request(r)
      const current = this.#get('SELECT state FROM contact_requests WHERE id = ?', id)
      if (current === undefined) throw new PfsError('INVALID_STATE', 'unknown contact request')
      throw new PfsError('INVALID_STATE', 'contact request is no longer pending', {
        state: current['state'] as string,
      })
    })
  }

  // messages --------------------------------------------------------------------------------

  #message(r: Row): MessageRecord {
    const payload = r['payload']
    return {
      id: r['id'] as string,
      chatId: r['chat_id'] as string,
      direction: r['direction'] as Direction,
      sender: bytes(r['sender']),
      text: this.#openText(S.text, r['text']),
      ...(payload !== null && { payload: this.#open(S.payload, payload) }),
      sentAt: num(r['sent_at']),
      receivedAt: num(r['received_at']),
      pfs: bool(r['pfs']),
    }
  }

  addMessage(m: MessageRecord): boolean {
    checkMessage(m)
    return this.#op(
      'addMessage',
      () =>
        this.#run(
          `INSERT OR IGNORE INTO messages (${MESSAGE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          m.id,
          m.chatId,
          m.direction,
          m.sender,
          this.#sealText(S.text, m.text),
          m.payload === undefined ? null : this.#seal(S.payload, m.payload),
          m.sentAt,
          m.receivedAt,
          flag(m.pfs),
        ) > 0,
    )
  }

  getMessage(id: string): MessageRecord | undefined {
    checkString('id', id)
    return this.#op('getMessage', () => {
      const r = this.#get(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = ?`, id)
      return r === undefined ? undefined : this.#message(r)
    })
  }

  listMessages(chatId: string, options: ListMessagesOptions = {}): MessageRecord[] {
    checkString('chatId', chatId)
    const { before, limit } = options
    if (before !== undefined) checkTime('before', before)
    if (limit !== undefined) checkCount('limit', limit)
    return this.#op('listMessages', () => {
      // Newest `limit` first from the index, then reversed to oldest-first.
      const rows = this.#all(
        `SELECT ${MESSAGE_COLUMNS} FROM messages
         WHERE chat_id = @chat AND (@before IS NULL OR sent_at < @before)
         ORDER BY sent_at DESC, id DESC LIMIT @limit`,
        { chat: chatId, before: before ?? null, limit: limit ?? -1 },
      )
      return rows.reverse().map((r) => this.#message(r))
    })
  }

  countMessages(chatId?: string): number {
    if (chatId !== undefined) checkString('chatId', chatId)
    return this.#op('countMessages', () =>
      num(
        this.#stmt('SELECT count(*) FROM messages WHERE @chat IS NULL OR chat_id = @chat')
          .pluck()
          .get({ chat: chatId ?? null }),
      ),
    )
  }

  deleteMessage(id: string): boolean {
    checkString('id', id)
    return this.#op('deleteMessage', () => this.#run('DELETE FROM messages WHERE id = ?', id) > 0)
  }

  setDeliveryState(d: DeliveryRecord): void {
    checkDelivery(d)
    this.#op('setDeliveryState', () => {
      this.#run(
        `INSERT INTO message_deliveries (message_id, identity, installation_id, state, updated_at)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (message_id, identity, installation_id) DO UPDATE SET
           state = excluded.state, updated_at = excluded.updated_at`,
        d.messageId,
        d.identity,
        d.installationId,
        d.state,
        d.updatedAt,
      )
    })
  }

  listDeliveries(messageId: string): DeliveryRecord[] {
    checkString('messageId', messageId)
    return this.#op('listDeliveries', () =>
      this.#all(
        `SELECT * FROM message_deliveries WHERE message_id = ? ORDER BY identity, installation_id`,
        messageId,
      ).map((r) => ({
        messageId: r['message_id'] as string,
        identity: bytes(r['identity']),
        installationId: r['installation_id'] as string,
        state: r['state'] as DeliveryState,
        updatedAt: num(r['updated_at']),
      })),
    )
  }

  // seen envelopes --------------------------------------------------------------------------

  markEnvelopeSeen(hash: Uint8Array, expiresAt: number): boolean {
    checkBytes('hash', hash)
    checkTime('expiresAt', expiresAt)
    return this.#op(
      'markEnvelopeSeen',
      () =>
        this.#run(
          'INSERT OR IGNORE INTO seen_envelopes (hash, expires_at) VALUES (?, ?)',
          hash,
          expiresAt,
        ) > 0,
    )
  }

  hasSeenEnvelope(hash: Uint8Array): boolean {
    checkBytes('hash', hash)
    return this.#op(
      'hasSeenEnvelope',
      () => this.#get('SELECT 1 FROM seen_envelopes WHERE hash = ?', hash) !== undefined,
    )
  }

  pruneSeenEnvelopes(now: number): number {
    checkTime('now', now)
    return this.#op('pruneSeenEnvelopes', () =>
      this.#run('DELETE FROM seen_envelopes WHERE expires_at < ?', now),
    )
  }

  // sync cursors ----------------------------------------------------------------------------

  #cursor(r: Row): SyncCursorRecord {
    const cursor = r['cursor']
    return {
      storeNode: r['store_node'] as string,
      topics: topicsFromKey(r['topics'] as string),
      ...(cursor !== null && { cursor: bytes(cursor) }),
      syncedTo: num(r['synced_to']),
    }
  }

  putSyncCursor(c: SyncCursorRecord): void {
    checkSyncCursor(c)
    const topics = topicSetKey(c.topics)
    this.#op('putSyncCursor', () => {
      this.#run(
        `INSERT OR REPLACE INTO sync_cursors (store_node, topics, cursor, synced_to)
         VALUES (?, ?, ?, ?)`,
        c.storeNode,
        topics,
        c.cursor ?? null,
        c.syncedTo,
      )
    })
  }

  getSyncCursor(storeNode: string, topics: readonly Uint8Array[]): SyncCursorRecord | undefined {
    checkString('storeNode', storeNode)
    const key = topicSetKey(topics)
    return this.#op('getSyncCursor', () => {
      const r = this.#get(
        'SELECT * FROM sync_cursors WHERE store_node = ? AND topics = ?',
        storeNode,
        key,
      )
      return r === undefined ? undefined : this.#cursor(r)
    })
  }

  listSyncCursors(storeNode?: string): SyncCursorRecord[] {
    if (storeNode !== undefined) checkString('storeNode', storeNode)
    return this.#op('listSyncCursors', () =>
      this.#all(
        `SELECT * FROM sync_cursors WHERE @node IS NULL OR store_node = @node
         ORDER BY store_node, topics`,
        { node: storeNode ?? null },
      ).map((r) => this.#cursor(r)),
    )
  }

  deleteSyncCursor(storeNode: string, topics: readonly Uint8Array[]): boolean {
    checkString('storeNode', storeNode)
    const key = topicSetKey(topics)
    return this.#op(
      'deleteSyncCursor',
      () =>
        this.#run('DELETE FROM sync_cursors WHERE store_node = ? AND topics = ?', storeNode, key) >
        0,
    )
  }
}
