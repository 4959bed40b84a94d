/**
 * `StaticDirectory`: the client of a signed static directory (`static-server.ts`), or of a bare
 * directory document hosted anywhere (a URL ending in `.json`). Nothing it returns is taken on
 * the server's word: the bundle signature, the identity's claim on the name and the one-time
 * prekey's signature are all checked, and a name lookup must come back with that name, a key
 * lookup with that key.
 *
 * @module
 */
import { bytesEqual, defaultProvider, fromHex } from '../../crypto/index.ts'
import type { CryptoProvider, SecretKey } from '../../crypto/index.ts'
import { BundleError, PfsError } from '../../errors.ts'
import type { Bundle } from '../../wire/index.ts'
import { parseContactCode } from '../contact-code.ts'
import { signNameClaim, verifiedIdentity } from './claims.ts'
import {
  directoryName,
  entryJson,
  readDocument,
  resolvedFrom,
  verifyEntry,
} from './static-document.ts'
import type {
  BundleDirectory,
  OneTimePreKeyEntry,
  PublishOptions,
  ResolvedBundle,
} from './types.ts'

export interface StaticDirectoryOptions {
  /** The server's base URL, or the URL of a bare document (ending in `.json`). */
  readonly url: string
  readonly crypto?: CryptoProvider
  /** Our identity key: needed by `publish` only (it signs the name claim). */
  readonly identity?: SecretKey
  /** Default: the global `fetch`. */
  readonly fetch?: typeof fetch
}

export class StaticDirectory implements BundleDirectory {
  readonly #opts: StaticDirectoryOptions
  readonly #crypto: CryptoProvider
  readonly #fetch: typeof fetch

  constructor(opts: StaticDirectoryOptions) {
    this.#opts = opts
    this.#crypto = opts.crypto ?? defaultProvider()
    this.#fetch = opts.fetch ?? fetch
  }

  /**
   * Registers our bundle under `options.name`, with one-time prekeys to hand out.
   * @throws {PfsError} `INVALID_ARGUMENT` (no name, not our bundle, refused by the server),
   *   `BUNDLE_SIGNATURE`, `NETWORK_FAILURE`
   */
  async publish(bundle: Bundle, options: PublishOptions = {}): Promise<void> {
    const identity = this.#opts.identity
    if (identity === undefined)
      throw new PfsError('INVALID_STATE', 'publishing needs the identity key')
    if (options.name === undefined) throw new PfsError('INVALID_ARGUMENT', 'a name is required')
    const name = directoryName(options.name)
    const crypto = this.#crypto
    verifiedIdentity(bundle, crypto, crypto.secp256k1PublicKey(identity, false))
    const body = {
      name,
      ...entryJson(bundle, signNameClaim(name, identity, crypto)),
      oneTimePreKeys: options.oneTimePreKeys ?? [],
    }
    const res = await this.#request(`${base(this.#opts.url)}/v1/entries`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    if (!res.ok) {
      const err = (await res.json().catch(() => ({}))) as { error?: unknown }
      throw new PfsError('INVALID_ARGUMENT', 'the directory refused the entry', {
        status: res.status,
        reason: typeof err.error === 'string' ? err.error : 'unknown',
      })
    }
  }

  /**
   * The verified bundle registered under a name or for a chat key; undefined when not listed.
   * @throws {PfsError} `BUNDLE_SIGNATURE` (tampered entry, name claim or one-time prekey, or an
   *   answer for someone else), `WIRE_MALFORMED`, `NETWORK_FAILURE`
   */
  async resolve(chatKeyOrName: string): Promise<ResolvedBundle | undefined> {
    const crypto = this.#crypto
    const wantKey = keyOf(chatKeyOrName, crypto)
    const wantName = wantKey === undefined ? directoryName(chatKeyOrName) : undefined
    if (this.#opts.url.endsWith('.json')) return this.#fromDocument(wantName, wantKey)
    const res = await this.#request(
      `${base(this.#opts.url)}/v1/resolve/${encodeURIComponent(wantName ?? chatKeyOrName.trim())}`,
    )
    if (res.status === 404) return undefined
    if (!res.ok) throw new PfsError('NETWORK_FAILURE', 'directory error', { status: res.status })
    const body = (await res.json().catch(() => undefined)) as
      { name?: unknown; entry?: unknown; oneTimePreKey?: unknown } | undefined
    if (body === undefined || typeof body.name !== 'string') {
      throw new PfsError('WIRE_MALFORMED', 'directory: malformed answer')
    }
    const entry = verifyEntry(body.name, body.entry, crypto)
    check(entry.name, entry.identity, wantName, wantKey)
    return resolvedFrom(entry, crypto, otpkOf(body.oneTimePreKey))
  }

  async #fromDocument(
    wantName: string | undefined,
    wantKey: Uint8Array | undefined,
  ): Promise<ResolvedBundle | undefined> {
    const res = await this.#request(this.#opts.url)
    if (!res.ok) throw new PfsError('NETWORK_FAILURE', 'directory error', { status: res.status })
    const doc: unknown = await res.json().catch(() => undefined)
    const crypto = this.#crypto
    if (wantName !== undefined) {
      const entries = (doc as { entries?: Record<string, unknown> } | undefined)?.entries
      if (entries === undefined || !Object.hasOwn(entries, wantName)) {
        // Let readDocument report a malformed document.
        readDocument(doc, crypto)
        return undefined
      }
      return resolvedFrom(verifyEntry(wantName, entries[wantName], crypto), crypto)
    }
    const { entries } = readDocument(doc, crypto)
    for (const e of entries.values()) {
      if (wantKey !== undefined && bytesEqual(e.identity, wantKey)) return resolvedFrom(e, crypto)
    }
    return undefined
  }

  async #request(url: string, init?: RequestInit): Promise<Response> {
    try {
      return await this.#fetch(url, init)
    } catch (e) {
      throw new PfsError('NETWORK_FAILURE', 'directory unreachable', {}, { cause: e })
    }
  }
}

function base(url: string): string {
  return url.replace(/\/+$/u, '')
}

/** A chat key (compressed) when `text` is one, else undefined (then it is a name). */
function keyOf(text: string, crypto: CryptoProvider): Uint8Array | undefined {
  const t = text.trim()
  if (!/^(0x|z|https:|pfs1:)/u.test(t)) return undefined
  return crypto.compressPublicKey(fromHex(parseContactCode(t, crypto).publicKey))
}

function check(
  name: string,
  identity: Uint8Array,
  wantName: string | undefined,
  wantKey: Uint8Array | undefined,
): void {
  if (wantName !== undefined && name !== wantName) {
    throw new BundleError('BUNDLE_SIGNATURE', 'directory answered for another name')
  }
  if (wantKey !== undefined && !bytesEqual(identity, wantKey)) {
    throw new BundleError('BUNDLE_SIGNATURE', 'directory answered for another key')
  }
}

function otpkOf(v: unknown): OneTimePreKeyEntry | undefined {
  if (v === undefined || v === null) return undefined
  const { key, signature } = v as Record<string, unknown>
  if (typeof key !== 'string' || typeof signature !== 'string') {
    throw new PfsError('WIRE_MALFORMED', 'directory: malformed one-time prekey')
  }
  return { key, signature }
}
