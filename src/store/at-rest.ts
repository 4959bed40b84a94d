/**
 * Encryption at rest for the secret columns of a store file (private keys, X3DH shared keys,
 * ratchet states, message keys, shared secrets, message bodies), so that a copied database reveals
 * no secret and no plaintext.
 *
 * Key: PBKDF2-HMAC-SHA256(passphrase as NFC UTF-8, salt 16 random bytes, iterations) → 32 bytes.
 * The KDF name, iterations and salt are stored next to a key-check value (the seal of 32 zero
 * bytes under the label `key-check`) so that a wrong passphrase is told apart from damage:
 * the check fails → `STORE_PASSPHRASE`; a column that fails afterwards → `STORE_CORRUPT`.
 *
 * Each value: `0x01 ‖ nonce(12) ‖ AES-256-GCM(ciphertext ‖ tag(16))` with a fresh random nonce and
 * the column's label as associated data, so a value moved to another column does not open.
 * Labels do not bind the row: swapping two sessions' blobs inside the file is possible for
 * someone who can write the file, which is outside this layer's threat model (copies, not
 * tampering).
 *
 * Owns: the KDF, the value format and the parameter record. Does not own: which columns are
 * secret (the SQLite store decides) or where the parameters live.
 *
 * @module
 */
import { SecretKey, fromHex, toHex, utf8, wipe } from '../crypto/index.ts'
import type { CryptoProvider } from '../crypto/index.ts'
import { PfsError, isPfsError } from '../errors.ts'

/** PBKDF2 iterations for new stores (OWASP 2023 guidance for PBKDF2-HMAC-SHA256). */
export const DEFAULT_KDF_ITERATIONS = 600_000
/** Fewer iterations are refused; tests use this floor to stay fast. */
export const MIN_KDF_ITERATIONS = 1_000

const FORMAT = 0x01
const NONCE = 12
const TAG = 16
const SALT = 16
const AAD_PREFIX = 'status-pfs/store/at-rest/v1 '

/** What a store keeps to re-derive the key: public, stored in clear. */
export interface AtRestParams {
  readonly kdf: 'pbkdf2-sha256'
  readonly iterations: number
  readonly salt: Uint8Array
  readonly check: Uint8Array
}

function passphraseBytes(passphrase: string | Uint8Array): Uint8Array {
  if (typeof passphrase === 'string') {
    if (passphrase.length === 0) throw new PfsError('INVALID_ARGUMENT', 'empty passphrase')
    return utf8(passphrase.normalize('NFC'))
  }
  if (!(passphrase instanceof Uint8Array) || passphrase.length === 0) {
    throw new PfsError('INVALID_ARGUMENT', '"passphrase" expected a non-empty string or bytes')
  }
  return Uint8Array.from(passphrase)
}

/** Seals and opens column values under a passphrase-derived key. */
export class AtRestCipher {
  readonly #key: SecretKey
  readonly #crypto: CryptoProvider

  private constructor(key: SecretKey, crypto: CryptoProvider) {
    this.#key = key
    this.#crypto = crypto
  }

  static #derive(
    passphrase: string | Uint8Array,
    salt: Uint8Array,
    iterations: number,
    crypto: CryptoProvider,
  ): AtRestCipher {
    const pw = passphraseBytes(passphrase)
    try {
      return new AtRestCipher(
        SecretKey.fromBytesUnsafe(crypto.pbkdf2Sha256(pw, salt, iterations, 32)),
        crypto,
      )
    } finally {
      wipe(pw)
    }
  }

  /** A new key with a fresh salt, and the parameters to store. */
  static create(
    passphrase: string | Uint8Array,
    crypto: CryptoProvider,
    iterations: number = DEFAULT_KDF_ITERATIONS,
  ): { cipher: AtRestCipher; params: AtRestParams } {
    if (!Number.isSafeInteger(iterations) || iterations < MIN_KDF_ITERATIONS) {
      throw new PfsError('INVALID_ARGUMENT', '"kdfIterations" below the minimum', {
        minimum: MIN_KDF_ITERATIONS,
      })
    }
    const salt = crypto.randomBytes(SALT)
    const cipher = AtRestCipher.#derive(passphrase, salt, iterations, crypto)
    const check = cipher.seal('key-check', new Uint8Array(32))
    return { cipher, params: { kdf: 'pbkdf2-sha256', iterations, salt, check } }
  }

  /**
   * Re-derives the key from stored parameters.
   * @throws {PfsError} code=STORE_PASSPHRASE when the passphrase is wrong
   */
  static unlock(
    params: AtRestParams,
    passphrase: string | Uint8Array,
    crypto: CryptoProvider,
  ): AtRestCipher {
    const cipher = AtRestCipher.#derive(passphrase, params.salt, params.iterations, crypto)
    try {
      cipher.#open('key-check', params.check)
    } catch (e) {
      cipher.destroy()
      if (isPfsError(e, 'MAC_MISMATCH') || isPfsError(e, 'STORE_CORRUPT')) {
        throw new PfsError('STORE_PASSPHRASE', 'wrong passphrase for the store')
      }
      throw e
    }
    return cipher
  }

  /** Encrypts one column value; `label` names the column (`table.column`). */
  seal(label: string, plaintext: Uint8Array): Uint8Array {
    const nonce = this.#crypto.randomBytes(NONCE)
    const body = this.#key.use((k) =>
      this.#crypto.aesGcmSeal(k, nonce, plaintext, utf8(AAD_PREFIX + label)),
    )
    const out = new Uint8Array(1 + NONCE + body.length)
    out[0] = FORMAT
    out.set(nonce, 1)
    out.set(body, 1 + NONCE)
    return out
  }

  #open(label: string, sealed: Uint8Array): Uint8Array {
    if (sealed.length < 1 + NONCE + TAG || sealed[0] !== FORMAT) {
      throw new PfsError('STORE_CORRUPT', 'encrypted store value malformed', { label })
    }
    const nonce = sealed.subarray(1, 1 + NONCE)
    return this.#key.use((k) =>
      this.#crypto.aesGcmOpen(k, nonce, sealed.subarray(1 + NONCE), utf8(AAD_PREFIX + label)),
    )
  }

  /**
   * Decrypts one column value (a fresh array the caller owns).
   * @throws {PfsError} code=STORE_CORRUPT when the value does not authenticate
   */
  open(label: string, sealed: Uint8Array): Uint8Array {
    try {
      return this.#open(label, sealed)
    } catch (e) {
      if (isPfsError(e, 'STORE_CORRUPT')) throw e
      throw new PfsError('STORE_CORRUPT', 'encrypted store value does not authenticate', {
        label,
      })
    }
  }

  /** Wipes the key; the cipher is unusable afterwards. */
  destroy(): void {
    if (!this.#key.destroyed) this.#key.destroy()
  }
}

/** The stored form of the parameters: small JSON, so it stays readable by tools. */
export function encodeParams(p: AtRestParams): string {
  return JSON.stringify({
    kdf: p.kdf,
    iterations: p.iterations,
    salt: toHex(p.salt),
    check: toHex(p.check),
  })
}

/**
 * @throws {PfsError} code=STORE_VERSION for a KDF this code does not know, STORE_CORRUPT for a
 * malformed record
 */
export function decodeParams(text: string): AtRestParams {
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch (e) {
    throw new PfsError('STORE_CORRUPT', 'at-rest parameters malformed', {}, { cause: e })
  }
  const o = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>
  if (o['kdf'] !== 'pbkdf2-sha256') {
    throw new PfsError('STORE_VERSION', 'store uses an unknown key derivation')
  }
  const iterations = o['iterations']
  const salt = o['salt']
  const check = o['check']
  const isHex = (s: unknown): s is string => typeof s === 'string' && /^([0-9a-f]{2})+$/.test(s)
  if (
    typeof iterations !== 'number' ||
    !Number.isSafeInteger(iterations) ||
    iterations < 1 ||
    !isHex(salt) ||
    !isHex(check)
  ) {
    throw new PfsError('STORE_CORRUPT', 'at-rest parameters malformed')
  }
  return { kdf: 'pbkdf2-sha256', iterations, salt: fromHex(salt), check: fromHex(check) }
}
