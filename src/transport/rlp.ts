/**
 * The RLP subset envelopes need (TRANSPORT.md §1.2): a flat list of byte strings whose integer
 * members are canonical unsigned big-endian. Encoding and list parsing are delegated to
 * `@ethereumjs/rlp`; this file adds the strictness geth's decoder has (canonical integers, width
 * limits, a flat list) and turns every failure into `WIRE_MALFORMED`.
 *
 * @module
 */
import { decode, encode } from '@ethereumjs/rlp'
import type { Input } from '@ethereumjs/rlp'
import { WireError } from '../errors.ts'

/** RLP of a list of items (numbers and bigints as minimal big-endian, 0 as the empty string). */
export function encodeList(items: readonly (number | bigint | Uint8Array)[]): Uint8Array {
  return encode(items as Input[])
}

/**
 * Parses `bytes` as one RLP list of exactly `count` byte strings (no nesting, no trailing bytes).
 * @throws {WireError} on anything else
 */
export function decodeFlatList(bytes: Uint8Array, count: number): Uint8Array[] {
  let decoded: unknown
  try {
    decoded = decode(bytes)
  } catch {
    // The library's messages quote input bytes; ours say only what failed.
    throw new WireError('invalid RLP', { length: bytes.length })
  }
  if (!Array.isArray(decoded)) throw new WireError('RLP: expected a list')
  if (decoded.length !== count) {
    throw new WireError('RLP: wrong number of list items', { items: decoded.length })
  }
  const out: Uint8Array[] = []
  for (const item of decoded) {
    if (!(item instanceof Uint8Array)) throw new WireError('RLP: nested list not allowed')
    out.push(item)
  }
  return out
}

/**
 * A canonical RLP unsigned integer of at most `maxBytes` bytes, as geth's `rlp` requires ("non-
 * canonical integer (leading zero bytes)"; "uint overflow").
 */
export function decodeUint(bytes: Uint8Array, maxBytes: number, field: string): bigint {
  if (bytes.length > maxBytes) throw new WireError(`RLP: ${field} too large`)
  if (bytes.length > 0 && bytes[0] === 0) throw new WireError(`RLP: ${field} not canonical`)
  let v = 0n
  for (const b of bytes) v = (v << 8n) | BigInt(b)
  return v
}
