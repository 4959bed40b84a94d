/**
 * Symmetric topic keys (PROTOCOL.md §11.2, §11.4; TRANSPORT.md §1.6): geth
 * `AddSymKeyFromPassword` = PBKDF2-HMAC-SHA256(password, salt = empty, 65356 iterations, 32 bytes).
 * The negotiated key's password is the lowercase hex of the static ECDH secret; the contact-code
 * key's password is the topic name itself. PBKDF2 at 65356 iterations costs tens of milliseconds,
 * so `NegotiatedKeyCache` computes each peer's topic and key once.
 *
 * @module
 */
import { SecretKey, defaultProvider, toHex, utf8, wipe } from '../crypto/index.ts'
import type { CryptoProvider } from '../crypto/index.ts'
import { PfsError } from '../errors.ts'
import { PASSWORD_KEY_ITERATIONS } from './limits.ts'
import type { Topic } from './topic.ts'
import { asciiHex, contactCodeTopicName, negotiatedTopic, withSecretBytes } from './topics.ts'

/** geth `AddSymKeyFromPassword`: PBKDF2-SHA256(password, "", 65356, 32). */
export function symmetricKeyFromPassword(
  password: string | Uint8Array,
  provider: CryptoProvider = defaultProvider(),
): SecretKey {
  const pw = typeof password === 'string' ? utf8(password) : password
  return SecretKey.fromBytesUnsafe(
    provider.pbkdf2Sha256(pw, new Uint8Array(0), PASSWORD_KEY_ITERATIONS, 32),
  )
}

/** The negotiated symmetric key: PBKDF2 of the ASCII lowercase hex of `secret`. */
export function negotiatedKey(
  secret: Uint8Array | SecretKey,
  provider: CryptoProvider = defaultProvider(),
): SecretKey {
  return withSecretBytes(secret, (raw) => {
    const pw = asciiHex(raw)
    const key = symmetricKeyFromPassword(pw, provider)
    wipe(pw)
    return key
  })
}

/** Contact-code keys derived so far, by topic name (FIFO beyond `CONTACT_CODE_KEYS_MAX`). */
const contactCodeKeys = new Map<string, Uint8Array>()
const CONTACT_CODE_KEYS_MAX = 256

/**
 * The contact-code topic's symmetric key: PBKDF2 of the topic name. Remembered per name, because
 * the PBKDF2 (65,356 iterations, ~10 ms) ran again for every contact on every `sync()` (issue 9
 * catch-up profile); the key is a function of a public key, so anyone can derive it and keeping
 * it is no secret kept. Each call returns its own `SecretKey`.
 */
export function contactCodeKey(
  publicKey: Uint8Array,
  provider: CryptoProvider = defaultProvider(),
): SecretKey {
  const name = contactCodeTopicName(publicKey, provider)
  let bytes = contactCodeKeys.get(name)
  if (bytes === undefined) {
    const derived = symmetricKeyFromPassword(name, provider)
    bytes = derived.use((k) => k.slice())
    derived.destroy()
    if (contactCodeKeys.size >= CONTACT_CODE_KEYS_MAX) {
      contactCodeKeys.delete(contactCodeKeys.keys().next().value!)
    }
    contactCodeKeys.set(name, bytes)
  }
  return SecretKey.fromBytes(bytes)
}

/** The key of mailserver request envelopes: PBKDF2("status-offline-inbox") (TRANSPORT.md §4.1). */
export function mailserverKey(provider: CryptoProvider = defaultProvider()): SecretKey {
  return symmetricKeyFromPassword('status-offline-inbox', provider)
}

/** A peer's negotiated topic and key. */
export interface NegotiatedChannel {
  readonly topic: Topic
  readonly key: SecretKey
}

/**
 * Negotiated topic and key per peer, derived once (the PBKDF2 is the expensive part) and kept in
 * a bounded least-recently-used map. Entries are keyed by the peer's compressed public key; the
 * secret never changes for a pair (static-static ECDH, PROTOCOL.md §11.4).
 */
export class NegotiatedKeyCache {
  readonly #provider: CryptoProvider
  readonly #max: number
  readonly #entries = new Map<string, NegotiatedChannel>()

  constructor(options: { provider?: CryptoProvider; maxEntries?: number } = {}) {
    this.#provider = options.provider ?? defaultProvider()
    this.#max = options.maxEntries ?? 10_000
    if (!(this.#max >= 1)) throw new PfsError('INVALID_ARGUMENT', '"maxEntries" must be ≥ 1')
  }

  /** Topic and key for `peer`, from `secret()` on first use only. */
  get(peerPublicKey: Uint8Array, secret: () => Uint8Array | SecretKey): NegotiatedChannel {
    const id = toHex(this.#provider.compressPublicKey(peerPublicKey))
    const hit = this.#entries.get(id)
    if (hit !== undefined) {
      this.#entries.delete(id)
      this.#entries.set(id, hit)
      return hit
    }
    const s = secret()
    const entry = {
      topic: negotiatedTopic(s, this.#provider),
      key: negotiatedKey(s, this.#provider),
    }
    this.#entries.set(id, entry)
    if (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value!
      this.#entries.get(oldest)?.key.destroy()
      this.#entries.delete(oldest)
    }
    return entry
  }

  has(peerPublicKey: Uint8Array): boolean {
    return this.#entries.has(toHex(this.#provider.compressPublicKey(peerPublicKey)))
  }

  /** Forgets (and wipes) a peer's key. */
  delete(peerPublicKey: Uint8Array): void {
    const id = toHex(this.#provider.compressPublicKey(peerPublicKey))
    this.#entries.get(id)?.key.destroy()
    this.#entries.delete(id)
  }

  get size(): number {
    return this.#entries.size
  }
}
