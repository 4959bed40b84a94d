/** Shared helpers of the x3dh tests: deterministic keys from fast-check seeds, both providers. */
import { providers, utf8 } from '../../src/crypto/index.ts'
import type { CryptoProvider, SecretKey } from '../../src/crypto/index.ts'

/** Both providers by name, so every property runs under each. */
export const PROVIDERS: readonly (readonly [string, CryptoProvider])[] = Object.entries(providers)

/**
 * A valid secp256k1 private key derived from arbitrary bytes: sha256 of them lands in [1, n-1]
 * with overwhelming probability, unlike fast-check's raw byte arrays (biased towards zeros).
 */
export function keyFrom(crypto: CryptoProvider, seed: Uint8Array | string): SecretKey {
  return crypto.secp256k1PrivateKey(crypto.sha256(typeof seed === 'string' ? utf8(seed) : seed))
}

export function publicOf(crypto: CryptoProvider, key: SecretKey): Uint8Array {
  return crypto.secp256k1PublicKey(key, true)
}
