/**
 * Determinism for the chaos simulator (issue 10: "deterministic per seed"): byte streams and
 * crypto providers whose randomness (ephemeral and ratchet keys, ECIES, AES-GCM nonces, PoW
 * nonces, phrases, installation ids) comes from the transport's seeded `Prng`. Test only: these
 * keys are predictable by design.
 *
 * @module
 */
import { makeProvider } from '../../src/crypto/index.ts'
import type { CryptoProvider } from '../../src/crypto/index.ts'
import { nativePrimitives } from '../../src/crypto/native.ts'
import { Prng } from '../../src/transport/index.ts'

/** `n` predictable bytes per call, from the stream named `label`. */
export function seededBytes(label: string): (n: number) => Uint8Array {
  const prng = new Prng(label)
  return (n) => prng.bytes(n)
}

/** The native provider with every random draw taken from the stream named `label`. */
export function seededProvider(label: string): CryptoProvider {
  const random = seededBytes(label)
  const p = nativePrimitives
  return makeProvider({
    ...p,
    name: `${p.name}-seeded`,
    randomBytes: random,
    // A uniform 32-byte string is a valid scalar except with probability ~2^-128.
    secp256k1GeneratePrivateKey: () => p.secp256k1PrivateKey(random(32)),
    x25519GeneratePrivateKey: () => p.x25519PrivateKey(random(32)),
  })
}
