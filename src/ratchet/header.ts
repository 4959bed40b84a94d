/**
 * The ratchet message header and the associated data built from it (PROTOCOL.md §7.3,
 * doubleratchet `message.go MessageHeader.Encode`):
 *
 * ```
 * header_encoded = u32le(N) ‖ u32le(PN) ‖ DH            (8 + 33 bytes, or 8 + 32 for X25519)
 * AD             = ad_param ‖ header_encoded             (status-go always passes ad_param = nil)
 * ```
 *
 * On the wire the header travels as `DRHeader{key, n, pn}` (PROTOCOL.md §2); the receiver rebuilds
 * the AD from the fields exactly as received.
 *
 * @module
 */
import { PfsError } from '../errors.ts'
import { MAX_COUNTER, HEADER_COUNTERS_LENGTH } from './consts.ts'
import type { RatchetDh, RatchetPublicKey } from './dh.ts'
import { malformedKey } from './dh.ts'

/** A Double Ratchet header: the sender's ratchet key, its message number and previous chain length. */
export interface Header {
  /** DHs of the sender (`DRHeader.key`). */
  readonly dh: RatchetPublicKey | Uint8Array
  /** N: the message's number in its sending chain (`DRHeader.n`). */
  readonly n: number
  /** PN: the length of the sender's previous sending chain (`DRHeader.pn`). */
  readonly pn: number
}

/** The header `encrypt` returns: `dh` is a fresh copy the caller owns. */
export interface SentHeader extends Header {
  readonly dh: RatchetPublicKey
}

function isCounter(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= MAX_COUNTER
}

/** Rejects a header that is not of this DH function's shape (`WIRE_MALFORMED`), before any work. */
export function checkHeader(dh: RatchetDh, header: Header): void {
  if (header === null || typeof header !== 'object') throw new TypeError('"header" expected object')
  if (!(header.dh instanceof Uint8Array)) throw new TypeError('"header.dh" expected Uint8Array')
  if (!dh.isWellFormed(header.dh)) throw malformedKey(dh, header.dh.length)
  if (!isCounter(header.n) || !isCounter(header.pn)) {
    throw new PfsError('WIRE_MALFORMED', 'header counters out of range')
  }
}

/** Length of `ad_param ‖ header_encoded`. */
export function associatedDataLength(adParam: Uint8Array, header: Header): number {
  return adParam.length + HEADER_COUNTERS_LENGTH + header.dh.length
}

/** Writes `ad_param ‖ u32le(N) ‖ u32le(PN) ‖ DH` into `out` at 0; returns its length. */
export function writeAssociatedData(out: Uint8Array, adParam: Uint8Array, header: Header): number {
  out.set(adParam, 0)
  let o = adParam.length
  const { n, pn } = header
  out[o++] = n & 0xff
  out[o++] = (n >>> 8) & 0xff
  out[o++] = (n >>> 16) & 0xff
  out[o++] = n >>> 24
  out[o++] = pn & 0xff
  out[o++] = (pn >>> 8) & 0xff
  out[o++] = (pn >>> 16) & 0xff
  out[o++] = pn >>> 24
  out.set(header.dh, o)
  return o + header.dh.length
}

/** `header_encoded` alone (`MessageHeader.Encode`), a fresh array. */
export function encodeHeader(header: Header): Uint8Array {
  const out = new Uint8Array(HEADER_COUNTERS_LENGTH + header.dh.length)
  writeAssociatedData(out, new Uint8Array(0), header)
  return out
}

/** The full associated data `ad_param ‖ header_encoded`, a fresh array. */
export function associatedData(adParam: Uint8Array, header: Header): Uint8Array {
  const out = new Uint8Array(associatedDataLength(adParam, header))
  writeAssociatedData(out, adParam, header)
  return out
}
