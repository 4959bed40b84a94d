/**
 * The browser stand-in for `native.ts` (package.json "browser" field): the portable primitives
 * under native's names, so that bundlers never pull node:crypto or the libsecp256k1 addon into a
 * web page. `scripts/build-browser.ts` makes the same substitution for our own bundle, and its
 * test fails if `native.ts` gains an export this file lacks.
 *
 * @module
 */
export { portablePrimitives as nativePrimitives } from './portable.ts'

/** No native addon in a browser. */
export const nativeSecp256k1Available = false as boolean
