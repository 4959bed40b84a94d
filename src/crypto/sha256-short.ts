/**
 * HMAC-SHA256 and HKDF-SHA256 for short inputs (FIPS 180-4 §6.2; HMAC RFC 2104; HKDF RFC 5869).
 * The ratchet's per-message work is a dozen HMACs over at most a few blocks each (PROTOCOL.md
 * §7.1): there a node:crypto call costs ~1.5 µs of fixed overhead (a new Hmac object, a key
 * import) and `hkdfSync` ~7 µs, while the compressions themselves take ~0.1–0.2 µs each.
 * HKDF-Expand here also reuses the PRK's padded-key states for all its blocks, as RFC 2104 §4
 * allows, instead of re-keying per block.
 *
 * Where WebAssembly runs, every call goes to the module of sha256-wasm.ts (one call per HMAC,
 * padding and outer hash included; 25 % less time per HKDF-80 than the JavaScript here, and the
 * ratchet's one-way rate 1.5× in a loop of its own, issue 9). Otherwise, and for a key over 64
 * bytes, this file's JavaScript runs, on one compression function.
 *
 * `portable` routes HMAC and HKDF over inputs up to {@link SHORT_INPUT_MAX} bytes here; `native`
 * HKDF over inputs of a block or less, HMAC over up to three blocks and KDF_CK's HMAC pair.
 * Longer inputs go to node:crypto / @noble, whose per-byte cost is lower. Outputs are
 * byte-identical to both (test/crypto/sha256-short.test.ts compares them with node:crypto on
 * random inputs, and no-wasm.test.ts runs it again on the JavaScript path).
 *
 * Every scratch array that held key material (padded keys, the message schedule, intermediate
 * states, the module's memory) is zeroed before a call returns.
 *
 * @module
 */
import { DATA_MAX, IV, K, KEY_MAX, ShortHmacWasm, isZeroKey } from './sha256-wasm.ts'

/** Inputs (key, data, info) up to this many bytes take this path; longer ones do not. */
export const SHORT_INPUT_MAX = 256

/** The WebAssembly HMAC and HKDF (sha256-wasm.ts), where the module can run. */
const WASM = ShortHmacWasm.create()

/** The WebAssembly module in use, or undefined when this runtime has none (for the tests). */
export function shortHmacModule(): ShortHmacWasm | undefined {
  return WASM
}

/**
 * Message schedule; `W[0..15]` hold the block being compressed (callers load it), the rest is
 * scratch. Wiped by every public function before it returns.
 */
const W = new Int32Array(64)

/**
 * One SHA-256 compression of the block in `W[0..15]` into `s` (FIPS 180-4 §6.2.2), which leaves
 * `W[0..15]` as it found them. Eight rounds per iteration, the working variables renamed instead
 * of shifted (t1 and t2 folded into h and d).
 */
function compressW(s: Int32Array): void {
  for (let i = 16; i < 64; i++) {
    const w15 = W[i - 15]!
    const w2 = W[i - 2]!
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3)
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10)
    W[i] = (W[i - 16]! + s0 + W[i - 7]! + s1) | 0
  }
  let a = s[0]!
  let b = s[1]!
  let c = s[2]!
  let d = s[3]!
  let e = s[4]!
  let f = s[5]!
  let g = s[6]!
  let h = s[7]!
  // Ch and Maj in their two-operation forms: g ^ (e & (f ^ g)), (a & b) | (c & (a | b)).
  for (let i = 0; i < 64; i += 8) {
    h =
      (h +
        (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) +
        (g ^ (e & (f ^ g))) +
        K[i]! +
        W[i]!) |
      0
    d = (d + h) | 0
    h =
      (h +
        (((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) +
        ((a & b) | (c & (a | b)))) |
      0
    g =
      (g +
        (((d >>> 6) | (d << 26)) ^ ((d >>> 11) | (d << 21)) ^ ((d >>> 25) | (d << 7))) +
        (f ^ (d & (e ^ f))) +
        K[i + 1]! +
        W[i + 1]!) |
      0
    c = (c + g) | 0
    g =
      (g +
        (((h >>> 2) | (h << 30)) ^ ((h >>> 13) | (h << 19)) ^ ((h >>> 22) | (h << 10))) +
        ((h & a) | (b & (h | a)))) |
      0
    f =
      (f +
        (((c >>> 6) | (c << 26)) ^ ((c >>> 11) | (c << 21)) ^ ((c >>> 25) | (c << 7))) +
        (e ^ (c & (d ^ e))) +
        K[i + 2]! +
        W[i + 2]!) |
      0
    b = (b + f) | 0
    f =
      (f +
        (((g >>> 2) | (g << 30)) ^ ((g >>> 13) | (g << 19)) ^ ((g >>> 22) | (g << 10))) +
        ((g & h) | (a & (g | h)))) |
      0
    e =
      (e +
        (((b >>> 6) | (b << 26)) ^ ((b >>> 11) | (b << 21)) ^ ((b >>> 25) | (b << 7))) +
        (d ^ (b & (c ^ d))) +
        K[i + 3]! +
        W[i + 3]!) |
      0
    a = (a + e) | 0
    e =
      (e +
        (((f >>> 2) | (f << 30)) ^ ((f >>> 13) | (f << 19)) ^ ((f >>> 22) | (f << 10))) +
        ((f & g) | (h & (f | g)))) |
      0
    d =
      (d +
        (((a >>> 6) | (a << 26)) ^ ((a >>> 11) | (a << 21)) ^ ((a >>> 25) | (a << 7))) +
        (c ^ (a & (b ^ c))) +
        K[i + 4]! +
        W[i + 4]!) |
      0
    h = (h + d) | 0
    d =
      (d +
        (((e >>> 2) | (e << 30)) ^ ((e >>> 13) | (e << 19)) ^ ((e >>> 22) | (e << 10))) +
        ((e & f) | (g & (e | f)))) |
      0
    c =
      (c +
        (((h >>> 6) | (h << 26)) ^ ((h >>> 11) | (h << 21)) ^ ((h >>> 25) | (h << 7))) +
        (b ^ (h & (a ^ b))) +
        K[i + 5]! +
        W[i + 5]!) |
      0
    g = (g + c) | 0
    c =
      (c +
        (((d >>> 2) | (d << 30)) ^ ((d >>> 13) | (d << 19)) ^ ((d >>> 22) | (d << 10))) +
        ((d & e) | (f & (d | e)))) |
      0
    b =
      (b +
        (((g >>> 6) | (g << 26)) ^ ((g >>> 11) | (g << 21)) ^ ((g >>> 25) | (g << 7))) +
        (a ^ (g & (h ^ a))) +
        K[i + 6]! +
        W[i + 6]!) |
      0
    f = (f + b) | 0
    b =
      (b +
        (((c >>> 2) | (c << 30)) ^ ((c >>> 13) | (c << 19)) ^ ((c >>> 22) | (c << 10))) +
        ((c & d) | (e & (c | d)))) |
      0
    a =
      (a +
        (((f >>> 6) | (f << 26)) ^ ((f >>> 11) | (f << 21)) ^ ((f >>> 25) | (f << 7))) +
        (h ^ (f & (g ^ h))) +
        K[i + 7]! +
        W[i + 7]!) |
      0
    e = (e + a) | 0
    a =
      (a +
        (((b >>> 2) | (b << 30)) ^ ((b >>> 13) | (b << 19)) ^ ((b >>> 22) | (b << 10))) +
        ((b & c) | (d & (b | c)))) |
      0
  }
  s[0] = (s[0]! + a) | 0
  s[1] = (s[1]! + b) | 0
  s[2] = (s[2]! + c) | 0
  s[3] = (s[3]! + d) | 0
  s[4] = (s[4]! + e) | 0
  s[5] = (s[5]! + f) | 0
  s[6] = (s[6]! + g) | 0
  s[7] = (s[7]! + h) | 0
}

/** One compression of `block[off..off+64]` into `s`. */
function compress(s: Int32Array, block: Uint8Array, off: number): void {
  for (let i = 0; i < 16; i++, off += 4) {
    W[i] = (block[off]! << 24) | (block[off + 1]! << 16) | (block[off + 2]! << 8) | block[off + 3]!
  }
  compressW(s)
}

/**
 * Continues a hash whose state `s` has already absorbed `prefix` bytes (a multiple of 64) with
 * `data[off..off+length]` and pads it (FIPS 180-4 §5.1.1): `s` then holds the digest as words.
 * The last block is built in `W` directly, with no byte buffer in between.
 */
function finish(
  s: Int32Array,
  prefix: number,
  data: Uint8Array,
  off: number,
  length: number,
): void {
  const full = length & ~63
  for (let o = 0; o < full; o += 64) compress(s, data, off + o)
  const rest = length - full
  W.fill(0, 0, 16)
  for (let i = 0, j = off + full; i < rest; i++, j++) W[i >> 2]! |= data[j]! << (24 - 8 * (i & 3))
  W[rest >> 2]! |= 0x80 << (24 - 8 * (rest & 3))
  if (rest >= 56) {
    compressW(s)
    W.fill(0, 0, 16)
  }
  // Inputs here are far below 2^29 bytes: the length's high word is 0.
  W[15] = (prefix + length) * 8
  compressW(s)
}

/** The 8 words of `s` as 32 big-endian bytes at `out[outOff..]`. */
function writeDigest(s: Int32Array, out: Uint8Array, outOff: number): void {
  for (let i = 0; i < 8; i++) {
    const w = s[i]!
    out[outOff++] = w >>> 24
    out[outOff++] = w >>> 16
    out[outOff++] = w >>> 8
    out[outOff++] = w
  }
}

function scrub(): void {
  W.fill(0)
}

/** SHA-256 of `data` (any length; used for HMAC keys over 64 bytes). */
export function sha256Short(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(32)
  const s = IV.slice()
  finish(s, 0, data, 0, data.length)
  writeDigest(s, out, 0)
  s.fill(0)
  scrub()
  return out
}

/** The states after absorbing `key ⊕ ipad` and `key ⊕ opad` (RFC 2104 §2). */
interface Pads {
  readonly inner: Int32Array
  readonly outer: Int32Array
}

/** Scratch pads for keys used within one call (every public function wipes them). */
const SCRATCH: Pads = { inner: new Int32Array(8), outer: new Int32Array(8) }

const IPAD = 0x36363636
const OPAD_XOR_IPAD = 0x36363636 ^ 0x5c5c5c5c

/** The pads of `key`, into `into` (default: fresh arrays); the padded key is built in `W`. */
function pads(key: Uint8Array, into?: Pads): Pads {
  const k = key.length > 64 ? sha256Short(key) : key
  const inner = into?.inner ?? new Int32Array(8)
  const outer = into?.outer ?? new Int32Array(8)
  W.fill(0, 0, 16)
  for (let i = 0; i < k.length; i++) W[i >> 2]! |= k[i]! << (24 - 8 * (i & 3))
  for (let i = 0; i < 16; i++) W[i] = W[i]! ^ IPAD
  inner.set(IV)
  compressW(inner)
  for (let i = 0; i < 16; i++) W[i] = W[i]! ^ OPAD_XOR_IPAD
  outer.set(IV)
  compressW(outer)
  W.fill(0, 0, 16)
  if (k !== key) k.fill(0)
  return { inner, outer }
}

/**
 * The pads of an all-zero key (any length up to 64: HMAC zero-pads keys), computed once. The
 * message-key HKDF salts with 32 zero bytes (PROTOCOL.md §7.1); this key is public.
 */
let zeroPads: Pads | undefined

const STATE = new Int32Array(8)

/**
 * HMAC with prepared pads of `data[off..off+length]` into `out[outOff..outOff+32]`; the pads are
 * left intact. The inner digest goes into the outer block as words, never through bytes.
 */
function hmacPrepared(
  p: Pads,
  data: Uint8Array,
  off: number,
  length: number,
  out: Uint8Array,
  outOff: number,
): void {
  STATE.set(p.inner)
  finish(STATE, 64, data, off, length)
  // Outer block: inner digest ‖ 0x80 ‖ zeros ‖ bit length of (64 + 32) bytes.
  for (let i = 0; i < 8; i++) W[i] = STATE[i]!
  W[8] = 0x80000000 | 0
  W.fill(0, 9, 15)
  W[15] = (64 + 32) * 8
  STATE.set(p.outer)
  compressW(STATE)
  writeDigest(STATE, out, outOff)
  STATE.fill(0)
}

/** HMAC-SHA256(key, data). */
export function hmacSha256Short(key: Uint8Array, data: Uint8Array): Uint8Array {
  if (WASM !== undefined && key.length <= KEY_MAX && data.length <= DATA_MAX) {
    return WASM.hmac(key, data)
  }
  const p = pads(key, SCRATCH)
  const out = new Uint8Array(32)
  hmacPrepared(p, data, 0, data.length, out, 0)
  p.inner.fill(0)
  p.outer.fill(0)
  scrub()
  return out
}

/**
 * Two HMACs under one key, `[HMAC(key, first), HMAC(key, second)]`, computing the padded-key
 * states once (KDF_CK: 6 compressions instead of 8, and no per-call object).
 */
export function hmacSha256PairShort(
  key: Uint8Array,
  first: Uint8Array,
  second: Uint8Array,
): [Uint8Array, Uint8Array] {
  if (
    WASM !== undefined &&
    key.length <= KEY_MAX &&
    first.length <= DATA_MAX &&
    second.length <= DATA_MAX
  ) {
    return WASM.hmacPair(key, first, second)
  }
  const p = pads(key, SCRATCH)
  const a = new Uint8Array(32)
  const b = new Uint8Array(32)
  hmacPrepared(p, first, 0, first.length, a, 0)
  hmacPrepared(p, second, 0, second.length, b, 0)
  p.inner.fill(0)
  p.outer.fill(0)
  scrub()
  return [a, b]
}

/** HKDF scratch: the PRK, and `T(i-1) ‖ info ‖ i` for info up to `SHORT_INPUT_MAX` bytes. */
const PRK = new Uint8Array(32)
const EXPAND = new Uint8Array(32 + SHORT_INPUT_MAX + 1)

/** HKDF-SHA256(ikm, salt, info) to `length` bytes (≤ 255 × 32; the caller checks the range). */
export function hkdfSha256Short(
  ikm: Uint8Array,
  salt: Uint8Array,
  info: Uint8Array,
  length: number,
): Uint8Array {
  if (
    WASM !== undefined &&
    salt.length <= KEY_MAX &&
    ikm.length <= DATA_MAX &&
    info.length + 33 <= DATA_MAX
  ) {
    return WASM.hkdf(ikm, salt, info, length)
  }
  // Extract (RFC 5869 §2.2): an empty salt is HashLen zeros, which HMAC's zero padding equals.
  if (isZeroKey(salt)) {
    zeroPads ??= pads(salt)
    hmacPrepared(zeroPads, ikm, 0, ikm.length, PRK, 0)
  } else {
    hmacPrepared(pads(salt, SCRATCH), ikm, 0, ikm.length, PRK, 0)
  }
  // Expand (§2.3), one set of PRK pads for every block: T(1) = HMAC(PRK, info ‖ 1), T(i) =
  // HMAC(PRK, T(i-1) ‖ info ‖ i), built in place in `input` (T(i-1) in its first 32 bytes, where
  // each HMAC writes its output), each T copied to `out` (the last one cut short).
  const p = pads(PRK, SCRATCH)
  PRK.fill(0)
  const out = new Uint8Array(length)
  const inputLength = 32 + info.length + 1
  const input = inputLength <= EXPAND.length ? EXPAND : new Uint8Array(inputLength)
  input.set(info, 32)
  const last = inputLength - 1
  input[last] = 1
  hmacPrepared(p, input, 32, info.length + 1, input, 0)
  for (let o = 0, i = 2; ; i++) {
    const n = Math.min(32, length - o)
    for (let j = 0; j < n; j++) out[o + j] = input[j]!
    o += n
    if (o >= length) break
    input[last] = i
    hmacPrepared(p, input, 0, inputLength, input, 0)
  }
  input.fill(0, 0, inputLength)
  p.inner.fill(0)
  p.outer.fill(0)
  scrub()
  return out
}
