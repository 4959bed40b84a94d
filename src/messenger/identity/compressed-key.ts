/**
 * The compressed chat key `zQ3sh…` that Status shows and shares (identity README §5,
 * status-go `api/multiformat`): `"z" + base58btc(0xe7 0x01 ‖ 33-byte compressed key)`, where
 * `e7 01` is the varint multicodec `secp256k1-pub`. There is no checksum, so every decoded key is
 * checked to be on the curve.
 *
 * @module
 */
import { concatBytes, defaultProvider } from '../../crypto/index.ts'
import type { CryptoProvider, UncompressedPublicKey } from '../../crypto/index.ts'
import { PfsError } from '../../errors.ts'
import { decodeMultibase, encodeBase58btc, readVarint } from './multibase.ts'
import { uncompressedKey } from './public-key.ts'
import type { PublicKeyInput } from './public-key.ts'

/** Multicodec `secp256k1-pub`. */
const SECP256K1_PUB = 0xe7
const SECP256K1_PUB_VARINT = Uint8Array.of(0xe7, 0x01)

/**
 * `zQ3sh…` (49 characters) for a chat key. A string input must be status-go's `"0x04…"` form
 * (`SerializeLegacyKey` refuses a missing `0x` and compressed hex); bytes may be 33 or 65 long.
 * Throws `INVALID_ARGUMENT` for a malformed string, `INVALID_KEY` for a point not on the curve.
 */
export function compressKey(
  publicKey: PublicKeyInput,
  crypto: CryptoProvider = defaultProvider(),
): string {
  const compressed = crypto.compressPublicKey(uncompressedKey(publicKey, crypto))
  return encodeBase58btc(concatBytes(SECP256K1_PUB_VARINT, compressed))
}

/**
 * The 65-byte key of a compressed key. Like status-go's `DeserializeCompressedKey` it takes any
 * supported multibase (`z…`, `f…`, `0x…`) holding `e7 01` and a 33-byte point. Throws
 * `INVALID_ARGUMENT` (empty, unknown prefix, bad digits) or `INVALID_KEY` (another key type, not
 * 33 bytes, not on the curve); `details.reason` says which.
 */
export function decompressKey(
  compressedKey: string,
  crypto: CryptoProvider = defaultProvider(),
): UncompressedPublicKey {
  if (typeof compressedKey !== 'string') {
    throw new PfsError('INVALID_ARGUMENT', 'compressed key must be a string', { reason: 'type' })
  }
  const bytes = decodeMultibase(compressedKey)
  if (bytes.length === 0) {
    throw new PfsError('INVALID_ARGUMENT', 'compressed key holds no bytes', { reason: 'empty' })
  }
  const { value, length } = readVarint(bytes)
  if (value !== SECP256K1_PUB) {
    throw new PfsError(
      'INVALID_KEY',
      'compressed key is not a secp256k1 public key (multicodec 0xe7)',
      {
        reason: 'key-type',
        keyType: value,
      },
    )
  }
  const point = bytes.subarray(length)
  if (point.length !== 33 || (point[0] !== 0x02 && point[0] !== 0x03)) {
    throw new PfsError('INVALID_KEY', 'compressed key does not hold a 33-byte compressed point', {
      reason: 'format',
      length: point.length,
    })
  }
  try {
    return crypto.decompressPublicKey(point)
  } catch (e) {
    throw new PfsError(
      'INVALID_KEY',
      'compressed key is not a point on secp256k1',
      { reason: 'not-on-curve' },
      {
        cause: e,
      },
    )
  }
}

/**
 * `zQ3...xxxxxx`: the first 3 and last 6 characters, as status-go's `getShortenedCompressedKey`
 * builds `Contact.Alias`, the name shown for a contact without one.
 */
export function shortenCompressedKey(compressedKey: string): string {
  if (compressedKey.length <= 9) return compressedKey
  return `${compressedKey.slice(0, 3)}...${compressedKey.slice(-6)}`
}
