/**
 * Shared helpers of the crypto tests: both providers by name, hex shorthands, and an assertion that
 * a call throws a `PfsError` of one code (and nothing else).
 *
 * @module
 */
import assert from 'node:assert/strict'
import { SecretKey, fromHex, providers, toHex } from '../../src/crypto/index.ts'
import type { CryptoProvider } from '../../src/crypto/index.ts'
import { PfsError } from '../../src/errors.ts'
import type { ErrorCode } from '../../src/errors.ts'

/** Both providers, so every vector and property runs under each. */
export const PROVIDERS: readonly (readonly [string, CryptoProvider])[] = Object.entries(providers)

/** Hex → bytes (vectors are lowercase hex without `0x`). */
export const h = (hex: string): Uint8Array => fromHex(hex)
/** Bytes → hex, for readable assertion failures. */
export const hx = (bytes: Uint8Array): string => toHex(bytes)
/** A secret key straight from hex (vectors only; real code never holds secrets as strings). */
export const sk = (hex: string): SecretKey => SecretKey.fromBytesUnsafe(fromHex(hex))

/** Asserts `fn` throws a `PfsError` with `code` (a TypeError, RangeError or plain Error fails). */
export function throwsCode(fn: () => unknown, code: ErrorCode, what = ''): void {
  assert.throws(
    fn,
    (e: unknown) => e instanceof PfsError && e.code === code,
    `${what}: expected PfsError ${code}`,
  )
}

/** Runs `fn` and reduces its outcome to something comparable across providers. */
export function outcome(fn: () => Uint8Array): string {
  try {
    const out = fn()
    assert.equal(Object.getPrototypeOf(out), Uint8Array.prototype, 'plain Uint8Array result')
    return `ok:${toHex(out)}`
  } catch (e) {
    if (e instanceof PfsError) return `PfsError:${e.code}`
    if (e instanceof TypeError || e instanceof RangeError) return `${e.name}:${e.message}`
    throw e
  }
}
