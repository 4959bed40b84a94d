/**
 * The application layer inside the encryption layer (PROTOCOL.md §1 item 6): every payload is an
 * `ApplicationMetadataMessage {signature, payload, type}` whose signature is the sender's
 * recoverable secp256k1 signature over `keccak256(payload)`, and whose id is
 * `keccak256(sender public key (65 B) ‖ ApplicationMetadataMessage bytes)` (status-go
 * `protocol/v1/message.go MessageID`), written `0x…`.
 *
 * @module
 */
import { bytesEqual, concatBytes, toHex } from '../crypto/index.ts'
import type { CryptoProvider, SecretKey } from '../crypto/index.ts'
import { PfsError } from '../errors.ts'
import {
  ApplicationMetadataMessageSchema,
  create,
  decodeApplicationMetadataMessage,
  encodeApplicationMetadataMessage,
} from '../wire/index.ts'

/** An application message ready to encrypt, with its id. */
export interface WrappedMessage {
  readonly bytes: Uint8Array
  readonly id: string
}

/** Signs `payload` and wraps it; `sender` is our 65-byte public key (for the id). */
export function wrapApplicationMessage(
  type: number,
  payload: Uint8Array,
  identity: SecretKey,
  sender: Uint8Array,
  crypto: CryptoProvider,
): WrappedMessage {
  const signature = crypto.signKeccak(payload, identity)
  const bytes = encodeApplicationMetadataMessage(
    create(ApplicationMetadataMessageSchema, { signature, payload, type }),
  )
  return { bytes, id: messageId(sender, bytes, crypto) }
}

/** status-go `MessageID`: keccak256(65-byte author key ‖ data), `0x`-hex. */
export function messageId(sender: Uint8Array, bytes: Uint8Array, crypto: CryptoProvider): string {
  const key = crypto.decompressPublicKey(sender)
  return `0x${toHex(crypto.keccak256(concatBytes(key, bytes)))}`
}

export interface UnwrappedMessage {
  readonly type: number
  readonly payload: Uint8Array
  readonly id: string
}

/**
 * Parses an `ApplicationMetadataMessage` from `sender` (the envelope signer) and checks that its
 * signature is the sender's.
 * @throws {PfsError} `WIRE_MALFORMED`, `INVALID_SIGNATURE` (missing, or someone else's)
 */
export function unwrapApplicationMessage(
  bytes: Uint8Array,
  sender: Uint8Array,
  crypto: CryptoProvider,
): UnwrappedMessage {
  const m = decodeApplicationMetadataMessage(bytes)
  if (m.signature.length === 0) {
    throw new PfsError('INVALID_SIGNATURE', 'application message is not signed')
  }
  let signer: Uint8Array
  try {
    signer = crypto.recoverKeccak(m.payload, m.signature)
  } catch (e) {
    throw new PfsError(
      'INVALID_SIGNATURE',
      'application signature does not recover',
      {},
      {
        cause: e,
      },
    )
  }
  if (!bytesEqual(signer, crypto.decompressPublicKey(sender))) {
    throw new PfsError('INVALID_SIGNATURE', 'application message signed by another key')
  }
  return { type: m.type, payload: m.payload, id: messageId(sender, bytes, crypto) }
}
