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
 * The module is `f` (function 0, the permutation) and `absorb` (function 1).
 * `keccakWasm()` is undefined where WebAssembly is missing or refuses a synchronous compile (a
 * browser's main thread may): keccak.ts then keeps its JavaScript permutation. Outputs are the
 * same byte for byte (test/crypto/keccak.test.ts checks both against @noble/hashes).
 *
 * @module
 */
import { instantiate, moduleBytes, op, sleb, type, uleb } from './wasm-module.ts'

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

const {
  localGet: LOCAL_GET,
  localSet: LOCAL_SET,
  localTee: LOCAL_TEE,
  i64Load: I64_LOAD,
  i64Store: I64_STORE,
  i32Const: I32_CONST,
  i64Const: I64_CONST,
  i32Eqz: I32_EQZ,
  i32LtU: I32_LT_U,
  i32Add: I32_ADD,
  i32Sub: I32_SUB,
  i32Shl: I32_SHL,
  i64And: I64_AND,
  i64Xor: I64_XOR,
  i64Rotl: I64_ROTL,
  block: BLOCK,
  loop: LOOP,
  br: BR,
  brIf: BR_IF,
  call: CALL,
  end: END,
} = op
const { i32: I32, i64: I64, empty: EMPTY } = type

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
  return code
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
  code.push(...get(n), I32_CONST, 1, I32_SUB, ...set(n), BR, 0, END, END)
  return code
}

/** The compiled permutation: its memory (a view over all of it) and `absorb`. */
export interface KeccakWasm {
  readonly memory: Uint8Array
  readonly absorb: (blocks: number) => void
}

let compiled: KeccakWasm | null | undefined

/**
 * The module, instantiated once, with `roundConstants` (24 lanes as low, high 32-bit halves)
 * written at `RC_AT`; undefined where WebAssembly cannot be compiled synchronously here.
 */
export function keccakWasm(roundConstants: Int32Array): KeccakWasm | undefined {
  if (compiled !== undefined) return compiled ?? undefined
  compiled = null
  const instance = instantiate(
    moduleBytes([
      {
        name: undefined,
        params: 0,
        locals: [
          [56, I64],
          [1, I32],
        ],
        code: permutationBody(),
      },
      { name: 'absorb', params: 1, locals: [[2, I32]], code: absorbBody() },
    ]),
  )
  const absorb = instance?.functions['absorb']
  if (instance === undefined || absorb === undefined) return undefined
  // WebAssembly memory is little-endian whatever the host is.
  const view = new DataView(instance.buffer)
  roundConstants.forEach((w, i) => {
    view.setInt32(RC_AT + 4 * i, w, true)
  })
  compiled = { memory: new Uint8Array(instance.buffer), absorb }
  return compiled
}
