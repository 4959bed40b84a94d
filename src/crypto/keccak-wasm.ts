/**
 * Keccak-f[1600] as a WebAssembly module built here, at load time, from the permutation's
 * definition (FIPS 202 §3.2–3.3: θ, ρ, π, χ, ι): WebAssembly has 64-bit lanes and a 64-bit rotate,
 * where JavaScript works on 32-bit halves (keccak.ts), so a permutation takes about a third of the
 * time (issue 9: Keccak-256 runs several times per envelope in a catch-up). Nothing is fetched or
 * stored: the ~1 KB module is emitted by the functions below and compiled synchronously once.
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
import { Code, instantiate, moduleBytes, op, type } from './wasm-module.ts'

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

/** Keccak-f[1600] on the state at 0: lanes in locals a0–a24, B in b0–b24, C and D beside. */
function permutationCode(): number[] {
  const a = (i: number): number => i
  const b = (i: number): number => 25 + i
  const c = (x: number): number => 50 + x
  const d = 55
  const round = 56
  const code = new Code()
  for (let i = 0; i < 25; i++)
    code
      .i32(0)
      .load64(8 * i)
      .set(a(i))
  code.i32(0).set(round).push(op.loop, type.empty)
  // θ: C[x] = A[x,0] ⊕ … ⊕ A[x,4]; D[x] = C[x−1] ⊕ rot(C[x+1], 1); A[x,y] ⊕= D[x].
  for (let x = 0; x < 5; x++) {
    code.get(a(x))
    for (let y = 1; y < 5; y++) code.get(a(x + 5 * y)).push(op.i64Xor)
    code.set(c(x))
  }
  for (let x = 0; x < 5; x++) {
    code
      .get(c((x + 4) % 5))
      .get(c((x + 1) % 5))
      .i64(1)
      .push(op.i64Rotl, op.i64Xor)
      .set(d)
    for (let y = 0; y < 5; y++)
      code
        .get(a(x + 5 * y))
        .get(d)
        .push(op.i64Xor)
        .set(a(x + 5 * y))
  }
  // ρ and π: B[y, 2x+3y] = rot(A[x,y], r[x,y]).
  for (let x = 0; x < 5; x++) {
    for (let y = 0; y < 5; y++) {
      const r = RHO[x + 5 * y]!
      code.get(a(x + 5 * y))
      if (r !== 0) code.i64(r).push(op.i64Rotl)
      code.set(b(y + 5 * ((2 * x + 3 * y) % 5)))
    }
  }
  // χ: A[x,y] = B[x,y] ⊕ (¬B[x+1,y] ∧ B[x+2,y]).
  for (let y = 0; y < 5; y++) {
    for (let x = 0; x < 5; x++) {
      code
        .get(b(x + 5 * y))
        .get(b(((x + 1) % 5) + 5 * y))
        .i64(-1)
        .push(op.i64Xor)
      code
        .get(b(((x + 2) % 5) + 5 * y))
        .push(op.i64And, op.i64Xor)
        .set(a(x + 5 * y))
    }
  }
  // ι: A[0,0] ⊕= RC[round].
  code.get(a(0)).get(round).i32(3).push(op.i32Shl).load64(RC_AT).push(op.i64Xor).set(a(0))
  code.get(round).i32(1).push(op.i32Add).tee(round).i32(24).push(op.i32LtU, op.brIf, 0, op.end)
  for (let i = 0; i < 25; i++)
    code
      .i32(0)
      .get(a(i))
      .store64(8 * i)
  return code.bytes
}

/** `absorb(n)`: XOR `n` blocks from `INPUT_AT` into the state, permuting after each. */
function absorbCode(): number[] {
  const [n, p, i] = [0, 1, 2]
  const code = new Code()
  code.i32(INPUT_AT).set(p).push(op.block, type.empty, op.loop, type.empty)
  code.get(n).push(op.i32Eqz, op.brIf, 1).i32(0).set(i).push(op.loop, type.empty)
  code.get(i).get(i).load64(0).get(p).get(i).push(op.i32Add).load64(0).push(op.i64Xor).store64(0)
  code.get(i).i32(8).push(op.i32Add).tee(i).i32(RATE).push(op.i32LtU, op.brIf, 0, op.end)
  code.push(op.call, 0)
  code.get(p).i32(RATE).push(op.i32Add).set(p)
  code.get(n).i32(1).push(op.i32Sub).set(n).push(op.br, 0, op.end, op.end)
  return code.bytes
}

/** The compiled permutation: its memory (a view over all of it) and `absorb`. */
export interface KeccakWasm {
  readonly memory: Uint8Array
  readonly absorb: (blocks: number) => void
}

/**
 * The module, instantiated, with `roundConstants` (24 lanes as low, high 32-bit halves) written
 * at `RC_AT`; undefined where WebAssembly cannot be compiled synchronously here.
 */
export function keccakWasm(roundConstants: Int32Array): KeccakWasm | undefined {
  const instance = instantiate(
    moduleBytes([
      {
        name: undefined,
        params: 0,
        locals: [
          [56, type.i64],
          [1, type.i32],
        ],
        code: permutationCode(),
      },
      { name: 'absorb', params: 1, locals: [[2, type.i32]], code: absorbCode() },
    ]),
  )
  const absorb = instance?.functions['absorb']
  if (instance === undefined || absorb === undefined) return undefined
  // WebAssembly memory is little-endian whatever the host is.
  const view = new DataView(instance.buffer)
  roundConstants.forEach((w, i) => {
    view.setInt32(RC_AT + 4 * i, w, true)
  })
  return { memory: new Uint8Array(instance.buffer), absorb }
}
