/**
 * The DH-header fallback (PROTOCOL.md §6): encryption to an identity key when no bundle of the
 * recipient is known, for device pairing and bundle advertisements.
 *
 * ```
 * E = fresh secp256k1 key;  key = DH(E, IK_recipient)  (raw X, 32 bytes, used directly)
 * payload = AES-256-GCM(key, nonce, plaintext, no AD) ‖ nonce(12)  = ct ‖ tag(16) ‖ nonce
 * EncryptedMessageProtocol{ DH_header{ key = compressed(E) }, payload }  under map key "none"
 * ```
 *
 * No forward secrecy and no sender authentication inside this layer (the sender is the transport
 * envelope's signer); every device of the recipient can decrypt, since only the identity key is
 * used.
 *
 * @module
 */
import { defaultProvider, wipe } from '../crypto/index.ts'
import type { CryptoProvider, SecretKey } from '../crypto/index.ts'
import { PfsError } from '../errors.ts'
import { COMPRESSED_KEY_LENGTH, DHHeaderSchema, create } from '../wire/index.ts'
import type { DHHeader } from '../wire/index.ts'

/**
 * The `ProtocolMessage.encrypted_message` key meaning "any device of the recipient" (status-go
 * `noInstallationID`), used for every DH-fallback entry. A literal string on the wire.
 */
export const NO_INSTALLATION_ID = 'none'

export interface DhEncryptOptions {
  /** E; generated (and destroyed after use) when absent. Injected by the vector tests. */
  readonly ephemeral?: SecretKey
  /** The 12-byte GCM nonce; random when absent. Never reuse one with the same ephemeral. */
  readonly nonce?: Uint8Array
  readonly crypto?: CryptoProvider
}

export interface DhDecryptOptions {
  readonly crypto?: CryptoProvider
}

/** What `dhEncrypt` produces: the two fields of the `EncryptedMessageProtocol` entry. */
export interface DhEncrypted {
  /** `DH_header` with E's compressed public key. */
  readonly header: DHHeader
  /** `ct ‖ tag ‖ nonce`. */
  readonly payload: Uint8Array
}

/**
 * `encryptWithDH`: encrypts `plaintext` to `recipientPublic` (an identity public key, any
 * encoding). A recipient key that is not a curve point throws `INVALID_KEY`.
 */
export function dhEncrypt(
  recipientPublic: Uint8Array,
  plaintext: Uint8Array,
  options: DhEncryptOptions = {},
): DhEncrypted {
  const crypto = options.crypto ?? defaultProvider()
  const ephemeral = options.ephemeral ?? crypto.secp256k1GeneratePrivateKey()
  try {
    const key = crypto.secp256k1Ecdh(ephemeral, recipientPublic)
    try {
      const payload = crypto.encryptSymmetric(key, plaintext, options.nonce)
      const header = create(DHHeaderSchema, { key: crypto.secp256k1PublicKey(ephemeral, true) })
      return { header, payload }
    } finally {
      wipe(key)
    }
  } finally {
    if (options.ephemeral === undefined) ephemeral.destroy()
  }
}

/**
 * `DecryptWithDH`: opens a DH-fallback payload with our identity private key. `header` is the
 * entry's `DH_header` (or E's public key itself).
 *
 * Errors: `WIRE_MALFORMED` when E is not 33 bytes or the payload is shorter than tag + nonce;
 * `MAC_MISMATCH` for everything else — including an E that is not a curve point, so a flipped bit
 * anywhere gives the same answer (no oracle on which part was wrong).
 */
export function dhDecrypt(
  identityPrivate: SecretKey,
  header: DHHeader | Uint8Array,
  payload: Uint8Array,
  options: DhDecryptOptions = {},
): Uint8Array {
  const crypto = options.crypto ?? defaultProvider()
  const ephemeralPublic = header instanceof Uint8Array ? header : header.key
  if (
    !(ephemeralPublic instanceof Uint8Array) ||
    ephemeralPublic.length !== COMPRESSED_KEY_LENGTH
  ) {
    throw new PfsError('WIRE_MALFORMED', 'DH header key has the wrong length')
  }
  if (!(payload instanceof Uint8Array)) throw new TypeError('"payload" expected Uint8Array')
  let key: Uint8Array
  try {
    key = crypto.secp256k1Ecdh(identityPrivate, ephemeralPublic)
  } catch {
    throw new PfsError('MAC_MISMATCH', 'message authentication failed')
  }
  try {
    return crypto.decryptSymmetric(key, payload)
  } finally {
    wipe(key)
  }
}
