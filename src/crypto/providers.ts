/**
 * The two ready-made providers and the default. `native` is the default on Node; `portable` is
 * what browsers get. A provider is chosen once (by the caller, at construction) and passed down.
 *
 * @module
 */
import { makeProvider } from './provider.ts'
import { portablePrimitives } from './portable.ts'
import { nativePrimitives } from './native.ts'
import type { CryptoProvider } from './types.ts'

/** Pure JS (@noble/*). */
export const portable: CryptoProvider = makeProvider(portablePrimitives)
/**
 * node:crypto + libsecp256k1 addon; falls back to `portable` for what it cannot do natively. In a
 * browser bundle native.ts is replaced by the portable primitives (scripts/build-browser.ts), and
 * `native` is then `portable` itself, so `defaultProvider()` is portable there.
 */
export const native: CryptoProvider =
  nativePrimitives === portablePrimitives ? portable : makeProvider(nativePrimitives)
/** Both providers by name, for tests and benchmarks that run each. */
export const providers: Readonly<Record<'portable' | 'native', CryptoProvider>> = {
  portable,
  native,
}

/** The provider used when a caller does not pass one: `native`. */
export function defaultProvider(): CryptoProvider {
  return native
}
