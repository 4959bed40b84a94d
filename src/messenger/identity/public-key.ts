/**
 * The two ways a chat key reaches this folder, and the one form it leaves in (identity README
 * "Conventions"): bytes in any SEC1 encoding, as our own layers keep them, or status-go's chat ID
 * string `"0x04…"` (exactly `0x` + 130 hex digits, as `SerializeLegacyKey` and `GenerateFor`
 * require). Either way the point is checked to be on secp256k1 before anything is derived from it.
 *
 * @module
 */
import { fromHex, toHex } from '../../crypto/index.ts'
import type { CryptoProvider, UncompressedPublicKey } from '../../crypto/index.ts'
import { PfsError } from '../../errors.ts'

/** A secp256k1 public key: 33 or 65 SEC1 bytes, or the chat ID string `"0x04…"`. */
export type PublicKeyInput = Uint8Array | string

const CHAT_ID = /^0[xX][0-9a-fA-F]{130}$/

/**
 * Validates `input` and returns its 65-byte uncompressed form. Strings must be the chat ID form:
 * status-go rejects a missing `0x` and a compressed key there (compressed_key.json edge cases),
 * and so do we, so that a string accepted here is one a Status client would accept too.
 */
export function uncompressedKey(
  input: PublicKeyInput,
  crypto: CryptoProvider,
): UncompressedPublicKey {
  let bytes: Uint8Array
  if (typeof input === 'string') {
    if (!CHAT_ID.test(input)) {
      // status-go says "invalid key length" for both a missing 0x and compressed hex.
      const reason = input.length === 132 ? 'encoding' : 'length'
      throw new PfsError(
        'INVALID_ARGUMENT',
        'public key string must be "0x04" followed by 128 hex digits',
        { reason, length: input.length },
      )
    }
    bytes = fromHex(input)
  } else if (input instanceof Uint8Array) {
    bytes = input
  } else {
    throw new PfsError('INVALID_ARGUMENT', 'public key must be a Uint8Array or a "0x04…" string', {
      reason: 'type',
    })
  }
  const prefix = bytes[0]
  const shapeOk =
    (bytes.length === 65 && prefix === 0x04) ||
    (bytes.length === 33 && (prefix === 0x02 || prefix === 0x03))
  if (!shapeOk) {
    throw new PfsError(
      'INVALID_KEY',
      'public key is not a SEC1 secp256k1 key (04‖X‖Y or 02/03‖X)',
      {
        reason: 'format',
        length: bytes.length,
      },
    )
  }
  try {
    return crypto.decompressPublicKey(bytes)
  } catch (e) {
    throw new PfsError(
      'INVALID_KEY',
      'public key is not a point on secp256k1',
      { reason: 'not-on-curve' },
      {
        cause: e,
      },
    )
  }
}

/** status-go's chat/contact ID: `"0x04…"`, lowercase, 132 characters. */
export function chatId(input: PublicKeyInput, crypto: CryptoProvider): string {
  return `0x${toHex(uncompressedKey(input, crypto))}`
}
