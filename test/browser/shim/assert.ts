/**
 * A browser stand-in for the part of `node:assert/strict` the shared suites use: `equal`,
 * `notEqual`, `deepEqual`, `notDeepEqual`, `ok`, `throws`, `fail` (and their `strict…` names),
 * with Node's strict semantics — `Object.is` for primitives; for objects the same prototype, the
 * same own enumerable keys (a property set to `undefined` differs from a missing one), typed
 * arrays element by element, Maps and Sets by content.
 *
 * @module
 */

export class AssertionError extends Error {
  override readonly name = 'AssertionError'
}

function show(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x: unknown) =>
      typeof x === 'bigint'
        ? `${x}n`
        : x instanceof Uint8Array
          ? `Uint8Array(${Array.from(x).join(',')})`
          : x,
    )
  } catch {
    return String(v)
  }
}

function isDeepEqual(a: unknown, b: unknown, seen: Map<object, object>): boolean {
  if (Object.is(a, b)) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false
  if (seen.get(a) === b) return true
  seen.set(a, b)
  if (ArrayBuffer.isView(a)) {
    const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength)
    const y = new Uint8Array(
      (b as ArrayBufferView).buffer,
      (b as ArrayBufferView).byteOffset,
      (b as ArrayBufferView).byteLength,
    )
    return x.length === y.length && x.every((v, i) => v === y[i])
  }
  if (a instanceof Date) return a.getTime() === (b as Date).getTime()
  if (a instanceof Map) {
    const m = b as Map<unknown, unknown>
    if (a.size !== m.size) return false
    for (const [k, v] of a) if (!m.has(k) || !isDeepEqual(v, m.get(k), seen)) return false
    return true
  }
  if (a instanceof Set) {
    const s = b as Set<unknown>
    return a.size === s.size && [...a].every((v) => s.has(v))
  }
  if (a instanceof Error && (a.message !== (b as Error).message || a.name !== (b as Error).name)) {
    return false
  }
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  if (ka.length !== kb.length) return false
  const rb = b as Record<string, unknown>
  const ra = a as Record<string, unknown>
  return ka.every((k) => Object.hasOwn(rb, k) && isDeepEqual(ra[k], rb[k], seen))
}

function fail(message?: string | Error): never {
  if (message instanceof Error) throw message
  throw new AssertionError(message ?? 'Failed')
}

function ok(value: unknown, message?: string | Error): asserts value {
  if (!value) fail(message ?? `expected a truthy value, got ${show(value)}`)
}

function equal(actual: unknown, expected: unknown, message?: string | Error): void {
  if (!Object.is(actual, expected)) fail(message ?? `${show(actual)} !== ${show(expected)}`)
}

function notEqual(actual: unknown, expected: unknown, message?: string | Error): void {
  if (Object.is(actual, expected)) fail(message ?? `both are ${show(actual)}`)
}

function deepEqual(actual: unknown, expected: unknown, message?: string | Error): void {
  if (!isDeepEqual(actual, expected, new Map())) {
    fail(message ?? `not deep-equal:\n  actual:   ${show(actual)}\n  expected: ${show(expected)}`)
  }
}

function notDeepEqual(actual: unknown, expected: unknown, message?: string | Error): void {
  if (isDeepEqual(actual, expected, new Map())) fail(message ?? `deep-equal: ${show(actual)}`)
}

type Expected =
  ((e: unknown) => boolean) | (new (...args: never[]) => unknown) | RegExp | Record<string, unknown>

function matches(e: unknown, expected: Expected): boolean {
  if (expected instanceof RegExp) return expected.test(String(e instanceof Error ? e.message : e))
  if (typeof expected === 'function') {
    if (expected.prototype !== undefined && e instanceof expected) return true
    if (Object.prototype.isPrototypeOf.call(Error, expected) || expected === Error) return false
    return (expected as (e: unknown) => unknown)(e) === true
  }
  const r = e as Record<string, unknown>
  return Object.entries(expected).every(([k, v]) =>
    v instanceof RegExp ? v.test(String(r[k])) : isDeepEqual(r[k], v, new Map()),
  )
}

function throws(fn: () => unknown, expected?: Expected | string, message?: string): void {
  let threw = false
  let error: unknown
  try {
    fn()
  } catch (e) {
    threw = true
    error = e
  }
  if (!threw)
    fail(typeof expected === 'string' ? expected : (message ?? 'Missing expected exception.'))
  if (expected !== undefined && typeof expected !== 'string' && !matches(error, expected)) {
    fail(
      message ??
        `the exception did not match: ${show(error instanceof Error ? error.message : error)}`,
    )
  }
}

const assert = Object.assign((value: unknown, message?: string | Error) => ok(value, message), {
  AssertionError,
  ok,
  equal,
  notEqual,
  deepEqual,
  notDeepEqual,
  strictEqual: equal,
  notStrictEqual: notEqual,
  deepStrictEqual: deepEqual,
  notDeepStrictEqual: notDeepEqual,
  throws,
  fail,
})

export default assert
export { ok, equal, notEqual, deepEqual, notDeepEqual, throws, fail }
export { equal as strictEqual, deepEqual as deepStrictEqual }
