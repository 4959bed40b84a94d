/**
 * `RatchetState` (proto/ratchet_state.proto) encoded by hand: the state is saved after every
 * message (DESIGN.md "Storage"), and the reflection codec (`create` + `toBinary`) cost ~4 % of a
 * catch-up's main thread (issue 9 profile). The output is `toBinary`'s byte for byte
 * (test/ratchet/state-encoding.test.ts compares them on random states): fields in declaration
 * order, proto3 scalars and bytes omitted at their defaults, every element of a repeated field
 * written (empty ones included), varints minimal. `serialize` falls back to `toBinary` for a
 * counter outside its field's range (which `toBinary` then rejects as before).
 *
 * @module
 */
import type { SkippedKey } from './skipped-keys.ts'

/** The values of one state, as `serialize` has them (bytes are written, never kept). */
export interface StateFields {
  readonly version: number
  readonly dh: number
  readonly rootKey: Uint8Array
  readonly sendingChainKey: Uint8Array
  readonly receivingChainKey: Uint8Array
  readonly sendingPrivateKey: Uint8Array
  readonly sendingPublicKey: Uint8Array
  readonly receivingPublicKey: Uint8Array
  readonly sendCount: number
  readonly receiveCount: number
  readonly previousSendCount: number
  readonly keysCount: number
  /** In store order; consecutive keys of one chain (same `dh` object) form one `SkippedChain`. */
  readonly skipped: Iterable<SkippedKey>
  readonly previousReceivingPublicKeys: readonly Uint8Array[]
}

const UINT32_MAX = 0xffffffff

function varintLength(v: number): number {
  let n = 1
  while (v >= 0x80) {
    v = Math.floor(v / 0x80)
    n++
  }
  return n
}

function writeVarint(out: Uint8Array, pos: number, v: number): number {
  while (v >= 0x80) {
    out[pos++] = (v % 0x80) | 0x80
    v = Math.floor(v / 0x80)
  }
  out[pos++] = v
  return pos
}

/** Size of a tag (all field numbers here are < 16: one byte) and a length-delimited body. */
function delimited(length: number): number {
  return 1 + varintLength(length) + length
}

const bytesSize = (b: Uint8Array): number => (b.length === 0 ? 0 : delimited(b.length))
const uintSize = (v: number): number => (v === 0 ? 0 : 1 + varintLength(v))

function writeBytes(out: Uint8Array, pos: number, field: number, b: Uint8Array, always = false) {
  if (b.length === 0 && !always) return pos
  out[pos++] = (field << 3) | 2
  pos = writeVarint(out, pos, b.length)
  out.set(b, pos)
  return pos + b.length
}

function writeUint(out: Uint8Array, pos: number, field: number, v: number): number {
  if (v === 0) return pos
  out[pos++] = field << 3
  return writeVarint(out, pos, v)
}

const isUint32 = (v: number): boolean => Number.isInteger(v) && v >= 0 && v <= UINT32_MAX
const isUint64 = (v: number): boolean => Number.isSafeInteger(v) && v >= 0

/** One `SkippedChain`: its key and its keys, with the encoded sizes. */
interface Chain {
  readonly dh: Uint8Array
  readonly keys: SkippedKey[]
  readonly keySizes: number[]
  size: number
}

function keySize(k: SkippedKey): number {
  return uintSize(k.n) + bytesSize(k.mk) + uintSize(k.seq)
}

/** The encoding of `f`, or undefined when a counter is out of its field's range. */
export function encodeStateFields(f: StateFields): Uint8Array | undefined {
  if (
    !isUint32(f.version) ||
    !isUint32(f.dh) ||
    !isUint32(f.sendCount) ||
    !isUint32(f.receiveCount) ||
    !isUint32(f.previousSendCount) ||
    !isUint64(f.keysCount)
  ) {
    return undefined
  }
  const chains: Chain[] = []
  let current: Chain | undefined
  for (const k of f.skipped) {
    if (!isUint32(k.n) || !isUint64(k.seq)) return undefined
    if (current?.dh !== k.dh) {
      current = { dh: k.dh, keys: [], keySizes: [], size: bytesSize(k.dh) }
      chains.push(current)
    }
    const ks = keySize(k)
    current.keys.push(k)
    current.keySizes.push(ks)
    current.size += delimited(ks)
  }
  let size =
    uintSize(f.version) +
    uintSize(f.dh) +
    bytesSize(f.rootKey) +
    bytesSize(f.sendingChainKey) +
    bytesSize(f.receivingChainKey) +
    bytesSize(f.sendingPrivateKey) +
    bytesSize(f.sendingPublicKey) +
    bytesSize(f.receivingPublicKey) +
    uintSize(f.sendCount) +
    uintSize(f.receiveCount) +
    uintSize(f.previousSendCount) +
    uintSize(f.keysCount)
  for (const c of chains) size += delimited(c.size)
  for (const k of f.previousReceivingPublicKeys) size += delimited(k.length)

  const out = new Uint8Array(size)
  let pos = writeUint(out, 0, 1, f.version)
  pos = writeUint(out, pos, 2, f.dh)
  pos = writeBytes(out, pos, 3, f.rootKey)
  pos = writeBytes(out, pos, 4, f.sendingChainKey)
  pos = writeBytes(out, pos, 5, f.receivingChainKey)
  pos = writeBytes(out, pos, 6, f.sendingPrivateKey)
  pos = writeBytes(out, pos, 7, f.sendingPublicKey)
  pos = writeBytes(out, pos, 8, f.receivingPublicKey)
  pos = writeUint(out, pos, 9, f.sendCount)
  pos = writeUint(out, pos, 10, f.receiveCount)
  pos = writeUint(out, pos, 11, f.previousSendCount)
  pos = writeUint(out, pos, 12, f.keysCount)
  for (const c of chains) {
    out[pos++] = (13 << 3) | 2
    pos = writeVarint(out, pos, c.size)
    pos = writeBytes(out, pos, 1, c.dh)
    c.keys.forEach((k, i) => {
      out[pos++] = (2 << 3) | 2
      pos = writeVarint(out, pos, c.keySizes[i]!)
      pos = writeUint(out, pos, 1, k.n)
      pos = writeBytes(out, pos, 2, k.mk)
      pos = writeUint(out, pos, 3, k.seq)
    })
  }
  for (const k of f.previousReceivingPublicKeys) pos = writeBytes(out, pos, 14, k, true)
  return out
}
