/**
 * The fuzz harness (STYLE.md §8 "Fuzzing", issue 10): byte-level mutations of valid inputs, the
 * per-input oracle (only `PfsError` may escape, within a time bound) and the outcome counts the
 * long run reports.
 *
 * A target is a named fast-check property over mutations of valid messages; `fuzz.test.ts` runs
 * every target with its share of 10^4 inputs, `run.ts` with any count (`FUZZ_RUNS`).
 *
 * @module
 */
import fc from 'fast-check'
import { PfsError } from '../../src/errors.ts'

/** Largest time one input may take, in ms. Generous for a loaded 2-core machine; a hang is ∞. */
export const TIME_BOUND_MS = Number(process.env['FUZZ_TIME_BOUND_MS'] ?? 2000)

/** Counts of outcomes per target: `ok` or an error code. */
export class Stats {
  readonly counts = new Map<string, number>()
  inputs = 0
  slowestMs = 0

  record(outcome: string, ms: number): void {
    this.inputs++
    this.counts.set(outcome, (this.counts.get(outcome) ?? 0) + 1)
    if (ms > this.slowestMs) this.slowestMs = ms
  }

  summary(): string {
    const parts = [...this.counts].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}=${v}`)
    return parts.join(' ')
  }
}

/** A named fuzz target: runs `numRuns` inputs from `seed`, recording outcomes in `stats`. */
export interface FuzzTarget {
  readonly name: string
  /** Relative share of the total runs. */
  readonly weight: number
  /** Outcomes a run of a few hundred inputs must reach (proof the mutations get deep enough). */
  readonly expect?: readonly string[]
  run(numRuns: number, seed: number, stats: Stats): void
}

/** Thrown by `guarded` when the function under test let something else than a PfsError escape. */
export class FuzzFailure extends Error {
  override readonly name = 'FuzzFailure'
}

/**
 * Runs `fn` on one input: returns `ok` or the PfsError code. Throws `FuzzFailure` for any other
 * exception or when the call took longer than the time bound (a synchronous call cannot be
 * interrupted; a true hang is caught by the test runner's timeout).
 */
export function guarded(stats: Stats, fn: () => unknown): { outcome: string; error?: PfsError } {
  const t0 = performance.now()
  let outcome = 'ok'
  let error: PfsError | undefined
  try {
    fn()
  } catch (e) {
    if (!(e instanceof PfsError)) {
      throw new FuzzFailure(`non-PfsError escaped: ${String(e)}`, { cause: e })
    }
    outcome = e.code
    error = e
  }
  const ms = performance.now() - t0
  stats.record(outcome, ms)
  if (ms > TIME_BOUND_MS) throw new FuzzFailure(`input took ${ms.toFixed(0)} ms (${outcome})`)
  return error === undefined ? { outcome } : { outcome, error }
}

/** One byte-level mutation. */
export type ByteMutation =
  | { readonly kind: 'flip'; readonly at: number; readonly bit: number }
  | { readonly kind: 'set'; readonly at: number; readonly value: number }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'extend'; readonly extra: Uint8Array }
  | { readonly kind: 'splice'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: 'delete'; readonly at: number; readonly length: number }
  | { readonly kind: 'duplicate'; readonly at: number; readonly length: number }
  | { readonly kind: 'random'; readonly bytes: Uint8Array }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: Uint8Array }

function varint(v: bigint): Uint8Array {
  const out: number[] = []
  let x = v
  do {
    let b = Number(x & 0x7fn)
    x >>= 7n
    if (x > 0n) b |= 0x80
    out.push(b)
  } while (x > 0n)
  return Uint8Array.from(out)
}

/**
 * One protobuf field as bytes, structure-aware: a tag for the schemas' field numbers (or any),
 * any wire type, and a body that may lie (a length prefix longer than what follows, 10-byte
 * varints, group markers).
 */
export const protobufField: fc.Arbitrary<Uint8Array> = fc
  .record({
    field: fc.oneof(fc.integer({ min: 1, max: 12 }), fc.constantFrom(101, 102, 103, 536870911)),
    wireType: fc.nat(7),
    value: fc.oneof(
      fc.constantFrom(0n, 1n, 0xffffffffn, 0x7fffffffffffffffn, 0xffffffffffffffffn),
      fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    ),
    body: fc.uint8Array({ maxLength: 40 }),
    lie: fc.integer({ min: -3, max: 1 << 20 }),
  })
  .map(({ field, wireType, value, body, lie }) => {
    const tag = varint(BigInt(field) * 8n + BigInt(wireType))
    switch (wireType) {
      case 0:
        return concat(tag, varint(value))
      case 1:
        return concat(tag, body.slice(0, 8))
      case 2:
        // A small `lie` shifts the true length by -3..1; a large one claims up to 1 MiB.
        return concat(tag, varint(BigInt(Math.max(0, lie <= 1 ? body.length + lie : lie))), body)
      case 5:
        return concat(tag, body.slice(0, 4))
      default:
        return concat(tag, body.slice(0, 4))
    }
  })

const interesting = fc.constantFrom(0x00, 0x01, 0x7f, 0x80, 0xff, 0x02, 0x03, 0x04, 0x08, 0x0a)

export const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('flip'), at: fc.nat(), bit: fc.nat(7) }) },
  fc.record({ kind: fc.constant('set'), at: fc.nat(), value: fc.oneof(interesting, fc.nat(255)) }),
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('truncate'), at: fc.nat() }) },
  fc.record({ kind: fc.constant('extend'), extra: fc.uint8Array({ minLength: 1, maxLength: 40 }) }),
  fc.record({
    kind: fc.constant('splice'),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
  }),
  fc.record({ kind: fc.constant('delete'), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({
    kind: fc.constant('duplicate'),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 40 }),
  }),
  fc.record({ kind: fc.constant('random'), bytes: fc.uint8Array({ maxLength: 256 }) }),
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('insert'), at: fc.nat(), bytes: protobufField }),
  },
)

/** Applies `m` to a copy of `data`. */
export function mutateBytes(data: Uint8Array, m: ByteMutation): Uint8Array {
  const out = Uint8Array.from(data)
  const len = out.length
  const at = (i: number): number => (len === 0 ? 0 : i % len)
  switch (m.kind) {
    case 'flip':
      if (len > 0) out[at(m.at)]! ^= 1 << m.bit
      return out
    case 'set':
      if (len > 0) out[at(m.at)] = m.value
      return out
    case 'truncate':
      return out.slice(0, at(m.at))
    case 'extend':
      return concat(out, m.extra)
    case 'splice': {
      const i = at(m.at)
      return concat(out.subarray(0, i), m.bytes, out.subarray(Math.min(len, i + m.bytes.length)))
    }
    case 'delete': {
      const i = at(m.at)
      return concat(out.subarray(0, i), out.subarray(Math.min(len, i + m.length)))
    }
    case 'duplicate': {
      const i = at(m.at)
      const piece = out.subarray(i, Math.min(len, i + m.length))
      return concat(out.subarray(0, i), piece, piece, out.subarray(i + piece.length))
    }
    case 'random':
      return Uint8Array.from(m.bytes)
    case 'insert': {
      const i = len === 0 ? 0 : m.at % (len + 1)
      return concat(out.subarray(0, i), m.bytes, out.subarray(i))
    }
  }
}

/** Applies mutations in order. */
export function mutateAll(data: Uint8Array, ms: readonly ByteMutation[]): Uint8Array {
  return ms.reduce((d, m) => mutateBytes(d, m), data)
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}

/** 1-3 byte mutations; random bytes alone sometimes, to reach the decoders' early exits. */
export const byteMutations: fc.Arbitrary<ByteMutation[]> = fc.array(byteMutation, {
  minLength: 1,
  maxLength: 3,
})

/** Runs `prop` as fast-check would in a test, with the harness's seed and count. */
export function assertProperty<T>(
  arbitrary: fc.Arbitrary<T>,
  check: (input: T) => void,
  numRuns: number,
  seed: number,
): void {
  fc.assert(fc.property(arbitrary, check), { numRuns, seed })
}
