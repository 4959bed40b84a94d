/**
 * The multibase/varint layer under the compressed chat key (identity README §5): base58btc encoding,
 * and decoding of the prefixes status-go's `DeserializeCompressedKey` is seen to accept (`z`, `Z`,
 * `f`/`F` and a bare `0x`). No checksum exists at this layer; validation happens on the point.
 *
 * @module
 */
import { fromHex } from '../../crypto/index.ts'
import { PfsError } from '../../errors.ts'

const BTC = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
const FLICKR = '123456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ'

/**
 * Decoding is quadratic in the length; a chat key is 49 characters, so anything far longer is not
 * one and is refused before doing the work.
 */
const MAX_TEXT = 256

function base58Encode(bytes: Uint8Array, alphabet: string): string {
  let zeros = 0
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++
  let n = 0n
  for (const b of bytes) n = (n << 8n) | BigInt(b)
  let out = ''
  while (n > 0n) {
    out = alphabet[Number(n % 58n)]! + out
    n /= 58n
  }
  return alphabet[0]!.repeat(zeros) + out
}

function base58Decode(text: string, alphabet: string): Uint8Array {
  let zeros = 0
  while (zeros < text.length && text[zeros] === alphabet[0]) zeros++
  let n = 0n
  for (const ch of text) {
    const d = alphabet.indexOf(ch)
    if (d < 0)
      throw new PfsError('INVALID_ARGUMENT', 'invalid base58 character', { reason: 'encoding' })
    n = n * 58n + BigInt(d)
  }
  const body: number[] = []
  while (n > 0n) {
    body.unshift(Number(n & 0xffn))
    n >>= 8n
  }
  const out = new Uint8Array(zeros + body.length)
  out.set(body, zeros)
  return out
}

/** Multibase `z`: base58btc with the Bitcoin alphabet. */
export function encodeBase58btc(bytes: Uint8Array): string {
  return `z${base58Encode(bytes, BTC)}`
}

/** Decodes a multibase string; throws `INVALID_ARGUMENT` for an unknown prefix or bad digits. */
export function decodeMultibase(text: string): Uint8Array {
  if (text.length === 0)
    throw new PfsError('INVALID_ARGUMENT', 'empty key string', { reason: 'empty' })
  if (text.length > MAX_TEXT) {
    throw new PfsError('INVALID_ARGUMENT', 'key string is too long', {
      reason: 'length',
      length: text.length,
    })
  }
  const hex = (s: string): Uint8Array => {
    // go-multibase decodes base16 with encoding/hex, which takes either case.
    if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) {
      throw new PfsError('INVALID_ARGUMENT', 'invalid base16 key string', { reason: 'encoding' })
    }
    return fromHex(s)
  }
  if (text.startsWith('0x')) return hex(text.slice(2))
  const body = text.slice(1)
  switch (text[0]) {
    case 'z':
      return base58Decode(body, BTC)
    case 'Z':
      return base58Decode(body, FLICKR)
    case 'f':
    case 'F':
      return hex(body)
    default:
      throw new PfsError('INVALID_ARGUMENT', 'unsupported multibase prefix', {
        reason: 'multibase',
      })
  }
}

/** Reads an unsigned LEB128 varint (multicodec code) at the start of `bytes`. */
export function readVarint(bytes: Uint8Array): { value: number; length: number } {
  let value = 0
  for (let i = 0; i < bytes.length && i < 4; i++) {
    const b = bytes[i]!
    value += (b & 0x7f) * 2 ** (7 * i)
    if ((b & 0x80) === 0) return { value, length: i + 1 }
  }
  throw new PfsError('INVALID_KEY', 'compressed key has no valid multicodec prefix', {
    reason: 'key-type',
  })
}
