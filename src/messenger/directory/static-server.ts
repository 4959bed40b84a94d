/**
 * `DirectoryServer`: serves the signed static directory over HTTP (`status-pfs directory serve`).
 * It is a host, not a trust anchor: readers verify every entry (`static-document.ts`), so a
 * compromised server can withhold entries but not forge one. It does check what it is sent, so
 * that garbage, name theft (another identity's claim on a taken name) and rollbacks (an older
 * bundle) are refused at the door.
 *
 * Routes (JSON bodies):
 *
 * - `GET /directory.json` — the whole document (no one-time prekeys);
 * - `GET /v1/resolve/<name | 0x04… chat key>` — `{ name, entry, oneTimePreKey? }`, taking one
 *   one-time prekey out of that name's pool;
 * - `POST /v1/entries` — `{ name, bundle, nameSignature, oneTimePreKeys? }`.
 *
 * **One-time prekeys are handed out once.** Taking a key from the pool, recording it as handed
 * out and writing the state file all happen synchronously inside one request handler, so no two
 * requests — however concurrent — can interleave there (Node runs handlers on one thread), and a
 * key once handed out is never accepted into a pool again.
 *
 * @module
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { bytesEqual, defaultProvider, fromHex } from '../../crypto/index.ts'
import type { CryptoProvider } from '../../crypto/index.ts'
import { PfsError, isPfsError } from '../../errors.ts'
import { parseContactCode } from '../contact-code.ts'
import { verifyOneTimePreKey } from './claims.ts'
import { DIRECTORY_DOCUMENT_VERSION, directoryName, verifyEntry } from './static-document.ts'
import type { DirectoryDocument, DirectoryEntryJson } from './static-document.ts'
import type { OneTimePreKeyEntry } from './types.ts'

/** Largest request body accepted. */
export const MAX_REQUEST_BYTES = 256 * 1024
/** Largest one-time prekey pool per name. */
export const MAX_POOL_SIZE = 1000

export interface DirectoryServerOptions {
  /** State file (document, pools, handed-out keys), rewritten atomically on every change. */
  readonly file?: string
  readonly crypto?: CryptoProvider
}

/** What the state file holds. */
interface State {
  version: typeof DIRECTORY_DOCUMENT_VERSION
  entries: Record<string, DirectoryEntryJson>
  oneTimePreKeys: Record<string, OneTimePreKeyEntry[]>
  handedOut: string[]
}

export class DirectoryServer {
  readonly #file: string | undefined
  readonly #crypto: CryptoProvider
  readonly #state: State
  readonly #handedOut: Set<string>
  #server: Server | undefined

  constructor(opts: DirectoryServerOptions = {}) {
    this.#file = opts.file
    this.#crypto = opts.crypto ?? defaultProvider()
    this.#state = loadState(opts.file)
    this.#handedOut = new Set(this.#state.handedOut)
  }

  /** Starts listening; returns the base URL (`http://host:port`). */
  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    if (this.#server !== undefined) throw new PfsError('INVALID_STATE', 'already listening')
    const server = createServer((req, res) => {
      this.#handle(req, res).catch(() => {
        send(res, 500, { error: 'INTERNAL' })
      })
    })
    this.#server = server
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, () => {
        server.off('error', reject)
        resolve()
      })
    })
    const addr = server.address() as AddressInfo
    const h = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address
    return `http://${h}:${String(addr.port)}`
  }

  async close(): Promise<void> {
    const server = this.#server
    this.#server = undefined
    if (server === undefined) return
    server.closeAllConnections()
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve()
      }),
    )
  }

  /** The published document (a copy). */
  document(): DirectoryDocument {
    return { version: DIRECTORY_DOCUMENT_VERSION, entries: { ...this.#state.entries } }
  }

  /** How many one-time prekeys `name` has left. */
  poolSize(name: string): number {
    return this.#state.oneTimePreKeys[name]?.length ?? 0
  }

  /**
   * Removes and returns one one-time prekey of `name`, recorded (and persisted) as handed out
   * before it is returned. Synchronous: see the module doc.
   */
  takeOneTimePreKey(name: string): OneTimePreKeyEntry | undefined {
    const pool = this.#state.oneTimePreKeys[name]
    if (pool === undefined) return undefined
    let k = pool.shift()
    while (k !== undefined && this.#handedOut.has(k.key)) k = pool.shift()
    if (k === undefined) return undefined
    this.#handedOut.add(k.key)
    this.#state.handedOut.push(k.key)
    this.#save()
    return k
  }

  /**
   * Verifies and stores an entry (the body of `POST /v1/entries`); returns the pool size.
   * @throws {PfsError} `BUNDLE_SIGNATURE`, `WIRE_MALFORMED`, `INVALID_ARGUMENT` (bad name, name
   *   taken by another identity, older bundle than the one listed, bad or too many prekeys)
   */
  put(body: unknown): number {
    if (typeof body !== 'object' || body === null) {
      throw new PfsError('INVALID_ARGUMENT', 'body must be an object')
    }
    const b = body as Record<string, unknown>
    if (typeof b['name'] !== 'string') throw new PfsError('INVALID_ARGUMENT', 'name missing')
    const name = directoryName(b['name'])
    if (name !== b['name']) throw new PfsError('INVALID_ARGUMENT', 'name not canonical')
    const crypto = this.#crypto
    const entry = verifyEntry(
      name,
      { bundle: b['bundle'], nameSignature: b['nameSignature'] },
      crypto,
    )
    const existing = this.#state.entries[name]
    if (existing !== undefined) {
      const old = verifyEntry(name, existing, crypto)
      if (!bytesEqual(old.identity, entry.identity)) {
        throw new PfsError('INVALID_ARGUMENT', 'name taken by another identity')
      }
      if (entry.bundle.timestamp < old.bundle.timestamp) {
        throw new PfsError('INVALID_ARGUMENT', 'older bundle than the one listed')
      }
    }
    const offered = b['oneTimePreKeys'] ?? []
    if (!Array.isArray(offered) || offered.length > MAX_POOL_SIZE) {
      throw new PfsError('INVALID_ARGUMENT', 'oneTimePreKeys must be an array', {
        max: MAX_POOL_SIZE,
      })
    }
    const keys: OneTimePreKeyEntry[] = []
    for (const k of offered as unknown[]) {
      const { key, signature } = (k ?? {}) as Record<string, unknown>
      if (typeof key !== 'string' || typeof signature !== 'string') {
        throw new PfsError('INVALID_ARGUMENT', 'malformed one-time prekey')
      }
      const e = { key: key.toLowerCase(), signature }
      if (!verifyOneTimePreKey(entry.identity, e, crypto)) {
        throw new PfsError('BUNDLE_SIGNATURE', 'one-time prekey not signed by the identity')
      }
      keys.push(e)
    }
    const pool = existing === undefined ? [] : [...(this.#state.oneTimePreKeys[name] ?? [])]
    const inPool = new Set(pool.map((k) => k.key))
    for (const k of keys) {
      if (this.#handedOut.has(k.key) || inPool.has(k.key)) continue
      inPool.add(k.key)
      pool.push(k)
    }
    if (pool.length > MAX_POOL_SIZE) pool.splice(0, pool.length - MAX_POOL_SIZE)
    this.#state.entries[name] = entry.json
    this.#state.oneTimePreKeys[name] = pool
    this.#save()
    return pool.length
  }

  /** The name listed for a chat key, or `q` itself when it is a listed name. */
  #lookup(q: string): string | undefined {
    if (Object.hasOwn(this.#state.entries, q)) return q
    let key: Uint8Array
    try {
      key = this.#crypto.compressPublicKey(fromHex(parseContactCode(q, this.#crypto).publicKey))
    } catch {
      return undefined
    }
    for (const [name, e] of Object.entries(this.#state.entries)) {
      try {
        if (bytesEqual(verifyEntry(name, e, this.#crypto).identity, key)) return name
      } catch {
        // A tampered entry (loaded from the file) matches nobody.
      }
    }
    return undefined
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://directory')
    if (req.method === 'GET' && url.pathname === '/directory.json') {
      send(res, 200, this.document())
      return
    }
    if (req.method === 'GET' && url.pathname.startsWith('/v1/resolve/')) {
      const q = decodeURIComponent(url.pathname.slice('/v1/resolve/'.length))
      const name = this.#lookup(q)
      const entry = name === undefined ? undefined : this.#state.entries[name]
      if (name === undefined || entry === undefined) {
        send(res, 404, { error: 'NOT_FOUND' })
        return
      }
      const otpk = this.takeOneTimePreKey(name)
      send(res, 200, { name, entry, ...(otpk === undefined ? {} : { oneTimePreKey: otpk }) })
      return
    }
    if (req.method === 'POST' && url.pathname === '/v1/entries') {
      let body: unknown
      try {
        body = JSON.parse(await readBody(req)) as unknown
      } catch {
        send(res, 400, { error: 'WIRE_MALFORMED' })
        return
      }
      try {
        send(res, 200, { oneTimePreKeys: this.put(body) })
      } catch (e) {
        if (!isPfsError(e)) throw e
        send(res, 400, { error: e.code, message: e.message })
      }
      return
    }
    send(res, 404, { error: 'NOT_FOUND' })
  }

  #save(): void {
    if (this.#file === undefined) return
    const tmp = `${this.#file}.tmp`
    writeFileSync(tmp, JSON.stringify(this.#state))
    renameSync(tmp, this.#file)
  }
}

function loadState(file: string | undefined): State {
  const empty: State = {
    version: DIRECTORY_DOCUMENT_VERSION,
    entries: {},
    oneTimePreKeys: {},
    handedOut: [],
  }
  if (file === undefined) return empty
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    return empty
  }
  const raw = JSON.parse(text) as Partial<State>
  if (raw.version !== DIRECTORY_DOCUMENT_VERSION) {
    throw new PfsError('UNKNOWN_VERSION', 'directory state file of an unknown version')
  }
  return {
    version: DIRECTORY_DOCUMENT_VERSION,
    entries: { ...(raw.entries ?? {}) },
    oneTimePreKeys: { ...(raw.oneTimePreKeys ?? {}) },
    handedOut: [...(raw.handedOut ?? [])],
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > MAX_REQUEST_BYTES) {
        reject(new PfsError('INVALID_ARGUMENT', 'request too large'))
        req.destroy()
        return
      }
      chunks.push(c)
    })
    req.on('end', () => {
      resolve(Buffer.concat(chunks).toString('utf8'))
    })
    req.on('error', reject)
  })
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  })
  res.end(text)
}
