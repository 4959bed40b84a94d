/**
 * A hand-written codec for the one shape of `EncryptedMessageProtocol` every ratchet message after
 * the first has (PROTOCOL.md §2: a `DRHeader` and the payload, nothing else), because the generic
 * reflection codec costs about as much as a third of the ratchet's own AES-CTR per message (issue
 * 9 one-way profile). Anything else — an X3DH, DH or HR header, unknown fields, a field out of
 * order, repeated or written at its default value, an over-long varint — returns `undefined`, and
 * the caller uses `toBinary`/`fromBinary` as before. Where the fast path answers, its output is
 * the generic codec's, byte for byte and field for field (test/wire/encrypted-message-fast.test.ts
 * compares both on random messages): proto3 omits default scalars and empty bytes, fields are
 * written in declaration order (`DR_header` = 2 before `payload` = 3), and decoded `bytes` are
 * views into the input as `fromBinary` returns them.
 *
 * @module
 */
import { create } from '@bufbuild/protobuf'
import { DRHeaderSchema, EncryptedMessageProtocolSchema } from './gen/encryption_pb.ts'
import type { DRHeader, EncryptedMessageProtocol } from './gen/encryption_pb.ts'

/** Tags (field number << 3 | wire type) of the fields the fast path knows. */
const TAG_DR_HEADER = 0x12
const TAG_PAYLOAD = 0x1a
const TAG_KEY = 0x0a
const TAG_N = 0x10
const TAG_PN = 0x18
const TAG_ID = 0x22

function varintLength(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5
}

/** `length ‖ bytes` of a non-empty bytes field, with its tag. */
function bytesFieldLength(b: Uint8Array): number {
  return b.length === 0 ? 0 : 1 + varintLength(b.length) + b.length
}

function uintFieldLength(v: number): number {
  return v === 0 ? 0 : 1 + varintLength(v)
}

function writeVarint(out: Uint8Array, pos: number, v: number): number {
  while (v >= 0x80) {
    out[pos++] = (v & 0x7f) | 0x80
    v >>>= 7
  }
  out[pos++] = v
  return pos
}

function writeBytesField(out: Uint8Array, pos: number, tag: number, b: Uint8Array): number {
  if (b.length === 0) return pos
  out[pos++] = tag
  pos = writeVarint(out, pos, b.length)
  out.set(b, pos)
  return pos + b.length
}

function writeUintField(out: Uint8Array, pos: number, tag: number, v: number): number {
  if (v === 0) return pos
  out[pos++] = tag
  return writeVarint(out, pos, v)
}

function noUnknown(m: { $unknown?: readonly unknown[] | undefined }): boolean {
  return m.$unknown === undefined || m.$unknown.length === 0
}

function isUint32(v: number): boolean {
  return Number.isInteger(v) && v >= 0 && v <= 0xffffffff
}

/** The encoding of `m` when it has only a DRHeader and a payload; undefined otherwise. */
export function encodeDrOnly(m: EncryptedMessageProtocol): Uint8Array | undefined {
  const h = m.DRHeader
  if (
    h === undefined ||
    m.X3DHHeader !== undefined ||
    m.DHHeader !== undefined ||
    m.HRHeader !== undefined ||
    !noUnknown(m) ||
    !noUnknown(h) ||
    !isUint32(h.n) ||
    !isUint32(h.pn)
  ) {
    return undefined
  }
  const drLength =
    bytesFieldLength(h.key) + uintFieldLength(h.n) + uintFieldLength(h.pn) + bytesFieldLength(h.id)
  const out = new Uint8Array(1 + varintLength(drLength) + drLength + bytesFieldLength(m.payload))
  out[0] = TAG_DR_HEADER
  let pos = writeVarint(out, 1, drLength)
  pos = writeBytesField(out, pos, TAG_KEY, h.key)
  pos = writeUintField(out, pos, TAG_N, h.n)
  pos = writeUintField(out, pos, TAG_PN, h.pn)
  pos = writeBytesField(out, pos, TAG_ID, h.id)
  writeBytesField(out, pos, TAG_PAYLOAD, m.payload)
  return out
}

/** A varint of at most 5 bytes that fits in uint32 and is minimally encoded, with its end. */
function readVarint(b: Uint8Array, pos: number, end: number): [number, number] | undefined {
  let v = 0
  for (let i = 0; i < 5 && pos < end; i++) {
    const byte = b[pos++]!
    v += (byte & 0x7f) * 2 ** (7 * i)
    if (byte < 0x80) {
      // A trailing zero byte (non-minimal) or a value over 32 bits: leave it to fromBinary.
      if ((byte === 0 && i > 0) || v > 0xffffffff) return undefined
      return [v, pos]
    }
  }
  return undefined
}

/** Reads the DRHeader body `b[pos..end]`; fields strictly in order, none at its default. */
function readDrHeader(b: Uint8Array, pos: number, end: number): DRHeader | undefined {
  let key: Uint8Array = new Uint8Array(0)
  let id: Uint8Array = new Uint8Array(0)
  let n = 0
  let pn = 0
  let last = 0
  while (pos < end) {
    const tag = b[pos++]!
    if (tag <= last) return undefined
    last = tag
    const v = readVarint(b, pos, end)
    if (v === undefined || v[0] === 0) return undefined
    pos = v[1]
    if (tag === TAG_KEY || tag === TAG_ID) {
      if (v[0] > end - pos) return undefined
      const bytes = b.subarray(pos, pos + v[0])
      pos += v[0]
      if (tag === TAG_KEY) key = bytes
      else id = bytes
    } else if (tag === TAG_N) {
      n = v[0]
    } else if (tag === TAG_PN) {
      pn = v[0]
    } else {
      return undefined
    }
  }
  return create(DRHeaderSchema, { key, n, pn, id })
}

/** `bytes` decoded when they hold only a DRHeader and a payload, in that order; else undefined. */
export function decodeDrOnly(bytes: Uint8Array): EncryptedMessageProtocol | undefined {
  const end = bytes.length
  if (end < 2 || bytes[0] !== TAG_DR_HEADER) return undefined
  const dl = readVarint(bytes, 1, end)
  if (dl === undefined || dl[0] > end - dl[1]) return undefined
  const drEnd = dl[1] + dl[0]
  const header = readDrHeader(bytes, dl[1], drEnd)
  if (header === undefined) return undefined
  let payload: Uint8Array = new Uint8Array(0)
  if (drEnd < end) {
    if (bytes[drEnd] !== TAG_PAYLOAD) return undefined
    const pl = readVarint(bytes, drEnd + 1, end)
    if (pl === undefined || pl[0] === 0 || pl[0] !== end - pl[1]) return undefined
    payload = bytes.subarray(pl[1], end)
  }
  return create(EncryptedMessageProtocolSchema, { DRHeader: header, payload })
}
