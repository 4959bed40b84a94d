/**
 * A `CryptoProvider` that counts the calls made to each primitive, to prove that hostile input is
 * rejected "without work" (issue 10: a header with n = 2^32-1 costs no KDF and no DH).
 *
 * @module
 */
import type { CryptoProvider } from '../../src/crypto/index.ts'

/** Calls of the key-derivation and Diffie-Hellman primitives (what a skip storm would burn). */
export const KDF_AND_DH = [
  'hmacSha256',
  'hmacSha256Pair',
  'hkdfSha256',
  'secp256k1Ecdh',
  'x25519',
  'aesCtr',
  'aesGcmOpen',
] as const

export interface CountingProvider {
  readonly provider: CryptoProvider
  readonly counts: Map<string, number>
  /** Sum of the counts of `names`. */
  total(names?: readonly string[]): number
  reset(): void
}

/** Wraps `inner`: every method call is counted by name, then forwarded. */
export function countingProvider(inner: CryptoProvider): CountingProvider {
  const counts = new Map<string, number>()
  const provider = new Proxy(inner, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver)
      if (typeof value !== 'function' || typeof prop !== 'string') return value
      return (...args: unknown[]): unknown => {
        counts.set(prop, (counts.get(prop) ?? 0) + 1)
        return Reflect.apply(value, target, args)
      }
    },
  })
  return {
    provider,
    counts,
    total(names: readonly string[] = KDF_AND_DH) {
      return names.reduce((n, k) => n + (counts.get(k) ?? 0), 0)
    },
    reset() {
      counts.clear()
    },
  }
}
