/**
 * HMAC-SHA256 and HKDF-SHA256 over short inputs (RFC 2104, RFC 5869) on a WebAssembly module
 * built here at load time (wasm-module.ts) from FIPS 180-4 §6.2: the SHA-256 compression with the
 * 64 rounds unrolled and the schedule in locals, HMAC with prepared pads, padding and the outer
 * hash inside the module, so that one HMAC is one call. The ratchet's per-message KDFs and tag
 * (PROTOCOL.md §7.1: KDF_CK's HMAC pair, HKDF-80 of the message key, the HMAC tag) are about 22
 * compressions per side; the JavaScript of sha256-short.ts spends about as long around each
 * compression as in it, which this module does not (issue 9, one-way throughput).
 *
 * Memory (one 64 KiB page): the working state at {@link WS}, a scratch block at {@link SB}, the
 * IV at {@link IV_AT}, pads (inner state ‖ outer state, 64 bytes) at {@link PADS},
 * {@link ZERO_PADS} (the all-zero key's, public, kept) and {@link PRK_PADS}, outputs at
 * {@link OUT}, inputs from {@link DATA}. State words are stored as the module's i32 values; blocks
 * and digests are big-endian bytes. Every public method wipes what held key material (all but
 * the IV and the zero key's pads) before it returns.
 *
 * `ShortHmacWasm.create()` is undefined where WebAssembly cannot be compiled synchronously (no
 * runtime, a Content-Security-Policy without `'wasm-unsafe-eval'`, a browser's main thread, which
 * refuses modules over 4 KB): sha256-short.ts then uses its JavaScript. Both give the same bytes
 * (test/crypto/sha256-short.test.ts runs every function on both, against node:crypto).
 *
 * @module
 */
import { Code, instantiate, memoryCopy, memoryFill, moduleBytes, op, type } from './wasm-module.ts'

const WS = 0
const SB = 64
const IV_AT = 128
const PADS = 192
const ZERO_PADS = 256
const PRK_PADS = 320
const OUT = 384
const DATA = 512
/** The longest key the module pads itself (longer HMAC keys are hashed first: the JS path). */
export const KEY_MAX = 64
/** The byte ranges of public values (the IV, the zero key's pads): all others are wiped. */
export const PUBLIC_RANGES: readonly (readonly [number, number])[] = [
  [IV_AT, IV_AT + 32],
  [ZERO_PADS, ZERO_PADS + 64],
]
/** The longest input (data, or HKDF's `T ‖ info ‖ i`) that fits the input area. */
export const DATA_MAX = 65536 - DATA - 64

/** The round constants (FIPS 180-4 §4.2.2). */
export const K = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
])

/** The initial hash value (FIPS 180-4 §5.3.3). */
export const IV = Int32Array.from([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
])

/** {@link Code} with the two idioms of SHA-256 on little-endian memory. */
class ShaCode extends Code {
  /** The byte-swapped value of the i32 on the stack (through local `tmp`). */
  bswap(tmp: number): this {
    this.tee(tmp)
      .i32(8)
      .push(op.i32Rotr)
      .i32(0xff00ff00 | 0)
      .push(op.i32And)
    return this.get(tmp).i32(8).push(op.i32Rotl).i32(0x00ff00ff).push(op.i32And, op.i32Or)
  }
  rotr(l: number, r: number): this {
    return this.get(l).i32(r).push(op.i32Rotr)
  }
}

/** `compress(s, b)` (function 0): the block at `b` (64 big-endian bytes) into the state at `s`. */
function compressFunction(): number[] {
  const S = 0
  const B = 1
  const w = (i: number): number => 2 + i
  const t1 = 74
  const tmp = 75
  const c = new ShaCode()
  for (let i = 0; i < 16; i++)
    c.get(B)
      .load32(4 * i)
      .bswap(tmp)
      .set(w(i))
  // W[i] = σ1(W[i−2]) + W[i−7] + σ0(W[i−15]) + W[i−16]  (§6.2.2 step 1)
  for (let i = 16; i < 64; i++) {
    c.rotr(w(i - 2), 17)
      .rotr(w(i - 2), 19)
      .push(op.i32Xor)
    c.get(w(i - 2))
      .i32(10)
      .push(op.i32ShrU, op.i32Xor)
    c.get(w(i - 7)).push(op.i32Add)
    c.rotr(w(i - 15), 7)
      .rotr(w(i - 15), 18)
      .push(op.i32Xor)
    c.get(w(i - 15))
      .i32(3)
      .push(op.i32ShrU, op.i32Xor, op.i32Add)
    c.get(w(i - 16))
      .push(op.i32Add)
      .set(w(i))
  }
  // The working variables are renamed each round instead of moved: v[j] is the local of a…h.
  let v = [66, 67, 68, 69, 70, 71, 72, 73]
  for (let j = 0; j < 8; j++)
    c.get(S)
      .load32(4 * j)
      .set(v[j]!)
  for (let i = 0; i < 64; i++) {
    const [a, b, cc, d, e, f, g, h] = v as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ]
    // T1 = h + Σ1(e) + Ch(e, f, g) + K[i] + W[i], with Ch = g ⊕ (e ∧ (f ⊕ g)).
    c.get(h).rotr(e, 6).rotr(e, 11).push(op.i32Xor).rotr(e, 25).push(op.i32Xor, op.i32Add)
    c.get(g).get(e).get(f).get(g).push(op.i32Xor, op.i32And, op.i32Xor, op.i32Add)
    c.i32(K[i]!).push(op.i32Add).get(w(i)).push(op.i32Add).set(t1)
    // d += T1; the new a, in h's local: T1 + Σ0(a) + Maj(a, b, c) = (a ∧ b) ∨ (c ∧ (a ∨ b)).
    c.get(d).get(t1).push(op.i32Add).set(d)
    c.get(t1).rotr(a, 2).rotr(a, 13).push(op.i32Xor).rotr(a, 22).push(op.i32Xor, op.i32Add)
    c.get(a).get(b).push(op.i32And).get(cc).get(a).get(b)
    c.push(op.i32Or, op.i32And, op.i32Or, op.i32Add).set(h)
    v = [h, a, b, cc, d, e, f, g]
  }
  // H(i) = H(i−1) + a…h (§6.2.2 step 4).
  for (let j = 0; j < 8; j++)
    c.get(S)
      .get(S)
      .load32(4 * j)
      .get(v[j]!)
      .push(op.i32Add)
      .store32(4 * j)
  return c.bytes
}

/**
 * `hmac(pads, data, len, out)` (function 1): HMAC of `len` bytes at `data` with the inner and
 * outer states at `pads`, the 32-byte tag written at `out` (after all input is read, so `out` may
 * overlap it).
 */
function hmacFunction(): number[] {
  const [pads, data, len, out, full, rest, p, tmp] = [0, 1, 2, 3, 4, 5, 6, 7]
  const c = new ShaCode()
  c.i32(WS)
    .get(pads)
    .i32(32)
    .push(...memoryCopy)
  c.get(len).i32(-64).push(op.i32And).set(full)
  // Whole blocks, straight from the input.
  c.get(data).set(p).push(op.block, type.empty, op.loop, type.empty)
  c.get(p).get(data).get(full).push(op.i32Add, op.i32GeU, op.brIf, 1)
  c.i32(WS).get(p).push(op.call, 0)
  c.get(p).i32(64).push(op.i32Add).set(p).push(op.br, 0, op.end, op.end)
  // The last block: the rest, 0x80, zeros, and the length in bits of ipad block + input.
  c.get(len).get(full).push(op.i32Sub).set(rest)
  c.i32(SB)
    .i32(0)
    .i32(64)
    .push(...memoryFill)
  c.i32(SB)
    .get(data)
    .get(full)
    .push(op.i32Add)
    .get(rest)
    .push(...memoryCopy)
  c.i32(SB).get(rest).push(op.i32Add).i32(0x80).push(op.i32Store8, 0, 0)
  c.get(rest).i32(56).push(op.i32GeU, op.if, type.empty)
  c.i32(WS).i32(SB).push(op.call, 0)
  c.i32(SB)
    .i32(0)
    .i32(64)
    .push(...memoryFill)
  c.push(op.end)
  c.i32(SB).get(len).i32(64).push(op.i32Add).i32(3).push(op.i32Shl).bswap(tmp).store32(60)
  c.i32(WS).i32(SB).push(op.call, 0)
  // Outer hash: opad state, then the inner digest ‖ 0x80 ‖ zeros ‖ (64 + 32) · 8 bits.
  for (let j = 0; j < 8; j++)
    c.i32(SB)
      .i32(WS)
      .load32(4 * j)
      .bswap(tmp)
      .store32(4 * j)
  c.i32(SB + 32)
    .i32(0)
    .i32(32)
    .push(...memoryFill)
  c.i32(SB).i32(0x80).push(op.i32Store8, 0, 32)
  c.i32(SB).i32(768).bswap(tmp).store32(60)
  c.i32(WS)
    .get(pads)
    .i32(32)
    .push(op.i32Add)
    .i32(32)
    .push(...memoryCopy)
  c.i32(WS).i32(SB).push(op.call, 0)
  for (let j = 0; j < 8; j++)
    c.get(out)
      .i32(WS)
      .load32(4 * j)
      .bswap(tmp)
      .store32(4 * j)
  return c.bytes
}

/**
 * `pads(key, keyLen, pads)` (function 2): the states after `key ⊕ ipad` and `key ⊕ opad`
 * (`keyLen` ≤ 64; HMAC zero-pads the key to the block) into `pads` and `pads + 32`.
 */
function padsFunction(): number[] {
  const [key, keyLen, pads, i] = [0, 1, 2, 3]
  const c = new ShaCode()
  c.i32(SB)
    .i32(0x36)
    .i32(64)
    .push(...memoryFill)
  c.i32(0).set(i).push(op.block, type.empty, op.loop, type.empty)
  c.get(i).get(keyLen).push(op.i32GeU, op.brIf, 1)
  c.i32(SB).get(i).push(op.i32Add)
  c.get(key).get(i).push(op.i32Add, op.i32Load8U, 0, 0).i32(0x36).push(op.i32Xor)
  c.push(op.i32Store8, 0, 0)
  c.get(i).i32(1).push(op.i32Add).set(i).push(op.br, 0, op.end, op.end)
  c.get(pads)
    .i32(IV_AT)
    .i32(32)
    .push(...memoryCopy)
  c.get(pads).i32(SB).push(op.call, 0)
  // ipad ⊕ opad = 0x36 ⊕ 0x5c = 0x6a in every byte.
  for (let j = 0; j < 16; j++)
    c.i32(SB)
      .i32(SB)
      .load32(4 * j)
      .i32(0x6a6a6a6a)
      .push(op.i32Xor)
      .store32(4 * j)
  c.get(pads)
    .i32(32)
    .push(op.i32Add)
    .i32(IV_AT)
    .i32(32)
    .push(...memoryCopy)
  c.get(pads).i32(32).push(op.i32Add).i32(SB).push(op.call, 0)
  return c.bytes
}

/** No early exit: for KDF_RK the salt is the secret root key, and only all-zero-or-not may leak. */
export function isZeroKey(key: Uint8Array): boolean {
  if (key.length > 64) return false
  let acc = 0
  for (let i = 0; i < key.length; i++) acc |= key[i]!
  return acc === 0
}

/** The module's short HMAC and HKDF (see the module comment). */
export class ShortHmacWasm {
  readonly #mem: Uint8Array
  readonly #hmac: (pads: number, data: number, len: number, out: number) => void
  readonly #pads: (key: number, keyLen: number, pads: number) => void

  private constructor(
    mem: Uint8Array,
    hmac: (pads: number, data: number, len: number, out: number) => void,
    pads: (key: number, keyLen: number, pads: number) => void,
  ) {
    this.#mem = mem
    this.#hmac = hmac
    this.#pads = pads
    // The all-zero key's pads (HMAC zero-pads keys, so any length up to 64 gives these), public.
    pads(DATA, 0, ZERO_PADS)
  }

  /** The module, instantiated; undefined where it cannot be (see the module comment). */
  static create(): ShortHmacWasm | undefined {
    const instance = instantiate(
      moduleBytes([
        { name: undefined, params: 2, locals: [[74, type.i32]], code: compressFunction() },
        { name: 'hmac', params: 4, locals: [[4, type.i32]], code: hmacFunction() },
        { name: 'pads', params: 3, locals: [[1, type.i32]], code: padsFunction() },
      ]),
    )
    const hmac = instance?.functions['hmac']
    const pads = instance?.functions['pads']
    if (instance === undefined || hmac === undefined || pads === undefined) return undefined
    const view = new DataView(instance.buffer)
    IV.forEach((w, i) => {
      view.setInt32(IV_AT + 4 * i, w, true)
    })
    return new ShortHmacWasm(new Uint8Array(instance.buffer), hmac, pads)
  }

  /** The module's memory (a view; the tests check what is wiped). */
  get memory(): Uint8Array {
    return this.#mem
  }

  /** HMAC-SHA256(key, data); `key.length` ≤ {@link KEY_MAX}, `data.length` ≤ {@link DATA_MAX}. */
  hmac(key: Uint8Array, data: Uint8Array): Uint8Array {
    const used = this.#keyPads(key, PADS)
    const out = this.#tag(PADS, data)
    this.#wipe(Math.max(used, data.length))
    return out
  }

  /** `[HMAC(key, first), HMAC(key, second)]` on one set of pads (KDF_CK). */
  hmacPair(key: Uint8Array, first: Uint8Array, second: Uint8Array): [Uint8Array, Uint8Array] {
    const used = this.#keyPads(key, PADS)
    const tags: [Uint8Array, Uint8Array] = [this.#tag(PADS, first), this.#tag(PADS, second)]
    this.#wipe(Math.max(used, first.length, second.length))
    return tags
  }

  /**
   * HKDF-SHA256 to `length` bytes (≤ 255 × 32, checked by the caller): `salt` and `ikm` up to
   * {@link KEY_MAX} and {@link DATA_MAX}, `info` up to `DATA_MAX − 33`.
   */
  hkdf(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
    const mem = this.#mem
    // Extract (RFC 5869 §2.2): an empty salt is HashLen zeros, which HMAC's zero padding equals.
    let saltPads = ZERO_PADS
    let used = 0
    if (!isZeroKey(salt)) {
      used = this.#keyPads(salt, PADS)
      saltPads = PADS
    }
    mem.set(ikm, DATA)
    this.#hmac(saltPads, DATA, ikm.length, OUT)
    this.#pads(OUT, 32, PRK_PADS)
    // Expand (§2.3) with the PRK's pads for every block: T(i) = HMAC(PRK, T(i−1) ‖ info ‖ i),
    // built in place at DATA (T in its first 32 bytes, where each HMAC writes).
    const infoAt = DATA + 32
    const last = infoAt + info.length
    mem.set(info, infoAt)
    mem[last] = 1
    this.#hmac(PRK_PADS, infoAt, info.length + 1, DATA)
    const out = new Uint8Array(length)
    for (let o = 0, i = 2; ; i++) {
      const n = Math.min(32, length - o)
      out.set(mem.subarray(DATA, DATA + n), o)
      o += n
      if (o >= length) break
      mem[last] = i
      this.#hmac(PRK_PADS, DATA, 32 + info.length + 1, DATA)
    }
    this.#wipe(Math.max(used, ikm.length, 32 + info.length + 1))
    return out
  }

  /** HMAC of `data` (copied in at DATA) with the pads at `pads`, as a copy of the tag. */
  #tag(pads: number, data: Uint8Array): Uint8Array {
    this.#mem.set(data, DATA)
    this.#hmac(pads, DATA, data.length, OUT)
    return this.#mem.slice(OUT, OUT + 32)
  }

  /** The pads of `key` (copied in at DATA) into `at`; returns the input bytes used. */
  #keyPads(key: Uint8Array, at: number): number {
    this.#mem.set(key, DATA)
    this.#pads(DATA, key.length, at)
    return key.length
  }

  /** Zeroes the working state, scratch block, pads, outputs and the first `used` input bytes. */
  #wipe(used: number): void {
    const mem = this.#mem
    mem.fill(0, WS, IV_AT)
    mem.fill(0, PADS, ZERO_PADS)
    mem.fill(0, PRK_PADS, DATA + used)
  }
}
