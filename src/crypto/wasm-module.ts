/**
 * The little of the WebAssembly binary format (Core Specification §5) that keccak-wasm.ts and
 * sha256-wasm.ts need to emit their modules at load time: LEB128 numbers, the opcodes it uses, a module with one exported
 * memory page and its functions, and a synchronous instantiation that yields undefined where
 * WebAssembly is missing or refused (no runtime, or a Content-Security-Policy without
 * `'wasm-unsafe-eval'`): the callers then keep their JavaScript code.
 *
 * @module
 */

export const op = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  call: 0x10,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  i64Load: 0x29,
  i32Load8U: 0x2d,
  i32Store: 0x36,
  i64Store: 0x37,
  i32Store8: 0x3a,
  i32Const: 0x41,
  i64Const: 0x42,
  i32Eqz: 0x45,
  i32LtU: 0x49,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32And: 0x71,
  i32Or: 0x72,
  i32Xor: 0x73,
  i32Shl: 0x74,
  i32ShrU: 0x76,
  i32Rotl: 0x77,
  i32Rotr: 0x78,
  i64And: 0x83,
  i64Xor: 0x85,
  i64Rotl: 0x89,
} as const

/** Bulk-memory instructions (two-byte opcodes, each with its memory index 0 appended). */
export const memoryCopy = [0xfc, 0x0a, 0x00, 0x00]
export const memoryFill = [0xfc, 0x0b, 0x00]

/** Value and block types. */
export const type = { i32: 0x7f, i64: 0x7e, empty: 0x40 } as const

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = []
  do {
    let b = n & 0x7f
    n >>>= 7
    if (n !== 0) b |= 0x80
    out.push(b)
  } while (n !== 0)
  return out
}

/** Signed LEB128 of a 32-bit integer. */
export function sleb(n: number): number[] {
  const out: number[] = []
  n |= 0
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

/** One function's code, emitted instruction by instruction (locals by index). */
export class Code {
  readonly bytes: number[] = []
  push(...b: number[]): this {
    this.bytes.push(...b)
    return this
  }
  get(local: number): this {
    return this.push(op.localGet, ...uleb(local))
  }
  set(local: number): this {
    return this.push(op.localSet, ...uleb(local))
  }
  tee(local: number): this {
    return this.push(op.localTee, ...uleb(local))
  }
  i32(v: number): this {
    return this.push(op.i32Const, ...sleb(v))
  }
  /** An i64 constant that fits 32 signed bits (its LEB128 is the same). */
  i64(v: number): this {
    return this.push(op.i64Const, ...sleb(v))
  }
  /** Loads and stores at the address on the stack plus `offset` (natural alignment). */
  load32(offset: number): this {
    return this.push(op.i32Load, 2, ...uleb(offset))
  }
  store32(offset: number): this {
    return this.push(op.i32Store, 2, ...uleb(offset))
  }
  load64(offset: number): this {
    return this.push(op.i64Load, 3, ...uleb(offset))
  }
  store64(offset: number): this {
    return this.push(op.i64Store, 3, ...uleb(offset))
  }
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body]
}

function vector(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()]
}

function name(s: string): number[] {
  return [...uleb(s.length), ...Array.from(s, (_, i) => s.charCodeAt(i))]
}

/** One function of a module: its parameters (all i32), locals as (count, type), and code. */
export interface WasmFunction {
  readonly name: string | undefined
  readonly params: number
  readonly locals: readonly (readonly [number, number])[]
  readonly code: readonly number[]
}

/**
 * A module of one exported memory page and `functions` (function i is index i; those with a
 * name are exported under it), none returning a value.
 */
export function moduleBytes(functions: readonly WasmFunction[]): Uint8Array {
  const types = functions.map((f) => [0x60, f.params, ...Array<number>(f.params).fill(type.i32), 0])
  const exports = [[...name('memory'), 0x02, 0]]
  functions.forEach((f, i) => {
    if (f.name !== undefined) exports.push([...name(f.name), 0x00, ...uleb(i)])
  })
  const bodies = functions.map((f) => {
    const b = [...vector(f.locals.map(([n, t]) => [...uleb(n), t])), ...f.code, op.end]
    return [...uleb(b.length), ...b]
  })
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector(types)),
    ...section(3, vector(functions.map((_, i) => uleb(i)))),
    ...section(5, vector([[0x00, 1]])),
    ...section(7, vector(exports)),
    ...section(10, vector(bodies)),
  ])
}

/** The part of the WebAssembly JS API used here (the project's `lib` has no WebAssembly types). */
interface WasmApi {
  readonly Module: new (bytes: Uint8Array) => object
  readonly Instance: new (module: object) => { readonly exports: Record<string, unknown> }
}

/** An instantiated module: its memory and its exported functions. */
export interface WasmInstance {
  readonly buffer: ArrayBuffer
  readonly functions: Readonly<Record<string, (...args: number[]) => void>>
}

/** Compiles and instantiates `bytes` synchronously; undefined where that is not possible. */
export function instantiate(bytes: Uint8Array): WasmInstance | undefined {
  try {
    const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly
    if (api === undefined) return undefined
    const { exports } = new api.Instance(new api.Module(bytes))
    const { memory, ...functions } = exports as {
      memory: { buffer: ArrayBuffer }
    } & Record<string, (...args: number[]) => void>
    return { buffer: memory.buffer, functions }
  } catch {
    return undefined
  }
}
