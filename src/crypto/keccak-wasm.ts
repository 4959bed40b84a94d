/**
 * Keccak-f[1600] as a WebAssembly module built here, at load time, from the permutation's
 * definition (FIPS 202 §3.2–3.3: θ, ρ, π, χ, ι): WebAssembly has 64-bit lanes and a 64-bit rotate,
 * where JavaScript works on 32-bit halves (keccak.ts), so a permutation takes about a third of the
 * time (issue 9: Keccak-256 runs several times per envelope in a catch-up). Nothing is fetched or
 * stored: the ~1 KB module is emitted by `moduleBytes` below and compiled synchronously once.
 *
 * Memory layout (one 64 KiB page, little-endian lanes as FIPS 202 §3.1.2 orders them):
 * the state at 0..200, the 24 round constants at {@link RC_AT}, input blocks from
 * {@link INPUT_AT}. `absorb(n)` XORs `n` rate-sized blocks from `INPUT_AT` into the state,
 * permuting after each; the caller pads the last block and reads the digest from offset 0.
 *
 * `keccakWasm()` is undefined where WebAssembly is missing or refuses a synchronous compile (a
 * browser's main thread may): keccak.ts then keeps its JavaScript permutation. Outputs are the
 * same byte for byte (test/crypto/keccak.test.ts checks both against @noble/hashes).
 *
 * @module
 */

/** Where the round constants and the input blocks live in the module's memory. */
export const RC_AT = 256
export const INPUT_AT = 1024
/** Bytes absorbed per permutation: (1600 − 2·256) / 8. */
export const RATE = 136
/** Whole blocks that fit in the input area at once. */
export const MAX_BLOCKS = Math.floor((65536 - INPUT_AT) / RATE)

/** ρ offsets by lane index x + 5y (FIPS 202 §3.2.2, table 2). */
const RHO = [
  0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14,
]

// The few WebAssembly opcodes used (WebAssembly Core Specification §5.4).
const LOCAL_GET = 0x20
const LOCAL_SET = 0x21
const LOCAL_TEE = 0x22
const I64_LOAD = 0x29
const I64_STORE = 0x37
const I32_CONST = 0x41
const I64_CONST = 0x42
const I32_EQZ = 0x45
const I32_LT_U = 0x49
const I32_ADD = 0x6a
const I32_SUB = 0x6b
const I32_SHL = 0x74
const I64_AND = 0x83
const I64_XOR = 0x85
const I64_ROTL = 0x89
const BLOCK = 0x02
const LOOP = 0x03
const BR = 0x0c
const BR_IF = 0x0d
const CALL = 0x10
const END = 0x0b
const EMPTY = 0x40
const I32 = 0x7f
const I64 = 0x7e

function uleb(n: number): number[] {
  const out: number[] = []
  do {
    let b = n & 0x7f
    n >>>= 7
    if (n !== 0) b |= 0x80
    out.push(b)
  } while (n !== 0)
  return out
}

/** Signed LEB128 of a small integer (here: −1 … 65,535). */
function sleb(n: number): number[] {
  const out: number[] = []
  for (;;) {
    const b = n & 0x7f
    n >>= 7
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b)
      return out
    }
    out.push(b | 0x80)
  }
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body]
}

function vector(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()]
}

/** Keccak-f[1600] on the state at 0: lanes in locals a0–a24, B in b0–b24, C and D beside. */
function permutationBody(): number[] {
  const a = (i: number): number => i
  const b = (i: number): number => 25 + i
  const c = (x: number): number => 50 + x
  const d = 55
  const round = 56
  const get = (l: number): number[] => [LOCAL_GET, ...uleb(l)]
  const set = (l: number): number[] => [LOCAL_SET, ...uleb(l)]
  const memarg = (offset: number): number[] => [3, ...uleb(offset)]
  const code: number[] = []
  for (let i = 0; i < 25; i++) code.push(I32_CONST, 0, I64_LOAD, ...memarg(8 * i), ...set(a(i)))
  code.push(I32_CONST, 0, ...set(round), LOOP, EMPTY)
  // θ: C[x] = A[x,0] ⊕ … ⊕ A[x,4]; D[x] = C[x−1] ⊕ rot(C[x+1], 1); A[x,y] ⊕= D[x].
  for (let x = 0; x < 5; x++) {
    code.push(...get(a(x)))
    for (let y = 1; y < 5; y++) code.push(...get(a(x + 5 * y)), I64_XOR)
    code.push(...set(c(x)))
  }
  for (let x = 0; x < 5; x++) {
    code.push(...get(c((x + 4) % 5)), ...get(c((x + 1) % 5)), I64_CONST, 1, I64_ROTL, I64_XOR)
    code.push(...set(d))
    for (let y = 0; y < 5; y++)
      code.push(...get(a(x + 5 * y)), ...get(d), I64_XOR, ...set(a(x + 5 * y)))
  }
  // ρ and π: B[y, 2x+3y] = rot(A[x,y], r[x,y]).
  for (let x = 0; x < 5; x++) {
    for (let y = 0; y < 5; y++) {
      const r = RHO[x + 5 * y]!
      code.push(...get(a(x + 5 * y)))
      if (r !== 0) code.push(I64_CONST, ...sleb(r), I64_ROTL)
      code.push(...set(b(y + 5 * ((2 * x + 3 * y) % 5))))
    }
  }
  // χ: A[x,y] = B[x,y] ⊕ (¬B[x+1,y] ∧ B[x+2,y]).
  for (let y = 0; y < 5; y++) {
    for (let x = 0; x < 5; x++) {
      code.push(...get(b(x + 5 * y)), ...get(b(((x + 1) % 5) + 5 * y)), I64_CONST, ...sleb(-1))
      code.push(I64_XOR, ...get(b(((x + 2) % 5) + 5 * y)), I64_AND, I64_XOR, ...set(a(x + 5 * y)))
    }
  }
  // ι: A[0,0] ⊕= RC[round].
  code.push(...get(a(0)), ...get(round), I32_CONST, 3, I32_SHL, I64_LOAD, ...memarg(RC_AT))
  code.push(I64_XOR, ...set(a(0)))
  code.push(...get(round), I32_CONST, 1, I32_ADD, LOCAL_TEE, ...uleb(round))
  code.push(I32_CONST, ...sleb(24), I32_LT_U, BR_IF, 0, END)
  for (let i = 0; i < 25; i++) code.push(I32_CONST, 0, ...get(a(i)), I64_STORE, ...memarg(8 * i))
  code.push(END)
  return [
    ...vector([
      [...uleb(56), I64],
      [1, I32],
    ]),
    ...code,
  ]
}

/** `absorb(n)`: XOR `n` blocks from `INPUT_AT` into the state, permuting after each. */
function absorbBody(): number[] {
  const n = 0
  const p = 1
  const i = 2
  const get = (l: number): number[] => [LOCAL_GET, l]
  const set = (l: number): number[] => [LOCAL_SET, l]
  const code = [I32_CONST, ...sleb(INPUT_AT), ...set(p), BLOCK, EMPTY, LOOP, EMPTY]
  code.push(...get(n), I32_EQZ, BR_IF, 1, I32_CONST, 0, ...set(i), LOOP, EMPTY)
  code.push(...get(i), ...get(i), I64_LOAD, 3, 0, ...get(p), ...get(i), I32_ADD, I64_LOAD, 3, 0)
  code.push(I64_XOR, I64_STORE, 3, 0)
  code.push(...get(i), I32_CONST, 8, I32_ADD, LOCAL_TEE, i, I32_CONST, ...sleb(RATE), I32_LT_U)
  code.push(BR_IF, 0, END, CALL, 0)
  code.push(...get(p), I32_CONST, ...sleb(RATE), I32_ADD, ...set(p))
  code.push(...get(n), I32_CONST, 1, I32_SUB, ...set(n), BR, 0, END, END, END)
  return [...vector([[2, I32]]), ...code]
}

/** The module: memory (1 page, exported), `f` (function 0) and `absorb` (function 1, exported). */
function moduleBytes(): Uint8Array {
  const body = (b: number[]): number[] => [...uleb(b.length), ...b]
  const name = (s: string): number[] => [
    ...uleb(s.length),
    ...Array.from(s, (_, i) => s.charCodeAt(i)),
  ]
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(
      1,
      vector([
        [0x60, 0, 0],
        [0x60, 1, I32, 0],
      ]),
    ),
    ...section(3, vector([[0], [1]])),
    ...section(5, vector([[0x00, 1]])),
    ...section(
      7,
      vector([
        [...name('memory'), 0x02, 0],
        [...name('absorb'), 0x00, 1],
      ]),
    ),
    ...section(10, vector([body(permutationBody()), body(absorbBody())])),
  ])
}

/** The compiled permutation: its memory (a view over all of it) and `absorb`. */
export interface KeccakWasm {
  readonly memory: Uint8Array
  readonly absorb: (blocks: number) => void
}

let compiled: KeccakWasm | null | undefined

/** The part of the WebAssembly JS API used here (the project's `lib` has no WebAssembly types). */
interface WasmApi {
  readonly Module: new (bytes: Uint8Array) => object
  readonly Instance: new (module: object) => {
    readonly exports: {
      readonly memory: { readonly buffer: ArrayBuffer }
      readonly absorb: (n: number) => void
    }
  }
}

/**
 * The module, instantiated once, with `roundConstants` (24 lanes as low, high 32-bit halves)
 * written at `RC_AT`; undefined where WebAssembly cannot be compiled synchronously here.
 */
export function keccakWasm(roundConstants: Int32Array): KeccakWasm | undefined {
  if (compiled !== undefined) return compiled ?? undefined
  compiled = null
  try {
    const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly
    if (api === undefined) return undefined
    const { exports } = new api.Instance(new api.Module(moduleBytes()))
    const memory = new Uint8Array(exports.memory.buffer)
    // WebAssembly memory is little-endian whatever the host is.
    const view = new DataView(exports.memory.buffer)
    roundConstants.forEach((w, i) => {
      view.setInt32(RC_AT + 4 * i, w, true)
    })
    compiled = { memory, absorb: exports.absorb }
  } catch {
    // No WebAssembly, or no synchronous compile on this thread: the JavaScript permutation.
  }
  return compiled ?? undefined
}
