/**
 * The push-notification server role of `status-pfs node --push --webhook URL` (whitepaper §1.5.1
 * "registration with Push Notification platform"; issue 12). Its secp256k1 key lives in
 * `DATA/push.key` (mode 0600), so clients' registrations survive restarts; registrations are kept
 * in `DATA/push.json`, which holds hashed keys and access-token hashes only, never a contact list.
 * Notifications go to the webhook (the APNs/FCM gateway's stand-in).
 *
 * @module
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { defaultProvider } from '../crypto/index.ts'
import { FilePushStorage, PushServer } from '../messenger/index.ts'
import type { Network } from '../transport/index.ts'
import { CliError } from './errors.ts'

export const PUSH_KEY_FILE = 'push.key'
export const PUSH_STORAGE_FILE = 'push.json'

export interface PushRole {
  /** `0x04…`: what `account new --push-server` takes. */
  readonly publicKey: string
  close(): Promise<void>
}

/**
 * `url` when it is an http(s) URL.
 * @throws {CliError} INVALID_ARGUMENT
 */
export function checkWebhook(url: string | undefined): string {
  let ok = false
  if (url !== undefined) {
    try {
      const u = new URL(url)
      ok = u.protocol === 'http:' || u.protocol === 'https:'
    } catch {
      ok = false
    }
  }
  if (!ok) {
    throw new CliError(
      'INVALID_ARGUMENT',
      '--push needs --webhook URL, an http(s) endpoint that receives the notifications',
    )
  }
  return url as string
}

/** Starts the push server on `network`, with its key and storage in `dataDir`. */
export function startPushRole(dataDir: string, network: Network, webhook: string): PushRole {
  const crypto = defaultProvider()
  const raw = loadPushKey(join(dataDir, PUSH_KEY_FILE))
  const identity = crypto.secp256k1PrivateKey(raw)
  raw.fill(0)
  const server = new PushServer({
    network,
    identity,
    delivery: webhook,
    storage: new FilePushStorage(join(dataDir, PUSH_STORAGE_FILE)),
  })
  server.start()
  return {
    publicKey: server.publicKey,
    close: async () => {
      await server.close()
      identity.destroy()
    },
  }
}

/** The push server's private key, created on first run (file mode 0600). */
function loadPushKey(path: string): Uint8Array {
  if (existsSync(path)) {
    const key = new Uint8Array(readFileSync(path))
    if (key.length !== 32) {
      throw new CliError('INVALID_ARGUMENT', `${path} is not a push server key (32 bytes)`)
    }
    return key
  }
  const pair = defaultProvider().generateKeyPair()
  try {
    const key = pair.privateKey.use((k) => k.slice())
    writeFileSync(path, key, { mode: 0o600 })
    return key
  } finally {
    pair.privateKey.destroy()
  }
}
