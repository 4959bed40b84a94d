/**
 * The three-word alias, e.g. "Darkviolet Overcooked Bittern" (identity README §2, status-go
 * `protocol/identity/alias`): a 64-bit LFSR seeded with the low 64 bits of the key's X coordinate
 * picks two adjectives and an animal. It is the profile's default name (`settings.Name`).
 *
 * @module
 */
import { defaultProvider } from '../../crypto/index.ts'
import type { CryptoProvider } from '../../crypto/index.ts'
import { PfsError } from '../../errors.ts'
import { ADJECTIVES, ANIMALS } from './data/alias-words.ts'
import { uncompressedKey } from './public-key.ts'
import type { PublicKeyInput } from './public-key.ts'

const MASK64 = (1n << 64n) - 1n
/** Taps at bits 3, 4, 5 and 7. */
const POLY = 0xb8n

function parity(v: bigint): bigint {
  let p = 0n
  for (let x = v; x > 0n; x >>= 1n) p ^= x & 1n
  return p
}

/** One LFSR step; the new state is also the output. */
function next(state: bigint): bigint {
  return ((state << 1n) | parity(state & POLY)) & MASK64
}

/**
 * The alias for a raw 64-bit seed (status-go's unexported `generate`). Exposed because the seed
 * vectors test it directly and because it shows that the alias carries only 64 bits of the key.
 */
export function aliasFromSeed(seed: bigint): string {
  if (seed < 0n || seed > MASK64) {
    throw new PfsError('INVALID_ARGUMENT', 'alias seed must be an unsigned 64-bit integer')
  }
  const o1 = next(seed)
  const o2 = next(o1)
  const o3 = next(o2)
  const adj = BigInt(ADJECTIVES.length)
  const ani = BigInt(ANIMALS.length)
  return `${ADJECTIVES[Number(o1 % adj)]!} ${ADJECTIVES[Number(o2 % adj)]!} ${ANIMALS[Number(o3 % ani)]!}`
}

/**
 * The alias seed: Go's `uint64(X.Int64())`, i.e. the low 64 bits of X = bytes [25, 33) of the
 * uncompressed key, big-endian (no sign issue: the cast back to uint64 restores the bits).
 */
export function aliasSeed(
  publicKey: PublicKeyInput,
  crypto: CryptoProvider = defaultProvider(),
): bigint {
  const key = uncompressedKey(publicKey, crypto)
  let seed = 0n
  for (let i = 25; i < 33; i++) seed = (seed << 8n) | BigInt(key[i]!)
  return seed
}

/** The three-word name Status generates for a chat key (`GenerateFromPublicKeyString`). */
export function threeWordName(
  publicKey: PublicKeyInput,
  crypto: CryptoProvider = defaultProvider(),
): string {
  return aliasFromSeed(aliasSeed(publicKey, crypto))
}
