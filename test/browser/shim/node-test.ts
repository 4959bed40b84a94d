/**
 * A browser stand-in for the part of `node:test` the shared suites use (`describe`, `suite`,
 * `test`, `it`): it only records tests, and `runRegistered` runs them in order and reports each
 * as passed or failed. Test pages are bundled with `node:test` aliased to this file.
 *
 * @module
 */

type TestFn = () => unknown

interface Registered {
  readonly name: string
  readonly fn: TestFn
}

/** The outcome of one test, as the page hands it to Playwright. */
export interface TestOutcome {
  readonly name: string
  readonly ok: boolean
  readonly error?: string
  readonly ms: number
}

const registered: Registered[] = []
const prefix: string[] = []

export function describe(name: string, fn: () => void): Promise<void> {
  prefix.push(name)
  try {
    fn()
  } finally {
    prefix.pop()
  }
  return Promise.resolve()
}

export function test(name: string, fn: TestFn): Promise<void> {
  registered.push({ name: [...prefix, name].join(' > '), fn })
  return Promise.resolve()
}

export { describe as suite, test as it }

/** How many tests are registered (pages open one store per test before running). */
export function registeredCount(): number {
  return registered.length
}

function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}\n${e.stack ?? ''}`
  return String(e)
}

/** Runs every registered test once, in registration order. */
export async function runRegistered(): Promise<TestOutcome[]> {
  const out: TestOutcome[] = []
  for (const t of registered) {
    const t0 = performance.now()
    try {
      await t.fn()
      out.push({ name: t.name, ok: true, ms: performance.now() - t0 })
    } catch (e) {
      out.push({ name: t.name, ok: false, error: describeError(e), ms: performance.now() - t0 })
    }
  }
  return out
}
