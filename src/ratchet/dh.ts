/**
 * The ratchet's pluggable Diffie-Hellman function (PROTOCOL.md §7.1 `GenerateDH`/`DH`):
 * `secp256k1` is what status-go runs (`EthereumCrypto`: 33-byte compressed keys, DH = raw
 * 32-byte X coordinate, never hashed, PROTOCOL.md §3); `x25519` is what the whitepaper and the
 * written specs say (the library's `DefaultCrypto`, 32-byte keys, PROTOCOL.md §15.1). Everything
 * else in the ratchet is the same for both.
 *
 * @module
 */
import type { Brand, CryptoProvider, SecretKey } from '../crypto/index.ts'
import { PfsError } from '../errors.ts'

/** The names of the two DH functions. */
export type DhName = 'secp256k1' | 'x25519'

/** A ratchet public key: 33-byte compressed secp256k1 point or 32-byte X25519 key. */
export type RatchetPublicKey = Brand<Uint8Array, 'RatchetPublicKey'>

/** Our ratchet key pair (DHs). The public key must be the private key's. */
export interface RatchetKeyPair {
  readonly privateKey: SecretKey
  readonly publicKey: Uint8Array
}

/** One DH function as the ratchet uses it. */
export interface RatchetDh {
  readonly name: DhName
  /** Length of a public key on the wire. */
  readonly publicKeyLength: number
  /** GenerateDH: a fresh key pair from the provider's randomness. */
  generateKeyPair(crypto: CryptoProvider): RatchetKeyPair
  /** A key pair from stored private and public bytes (validates the scalar; copies both). */
  keyPairFromBytes(
    crypto: CryptoProvider,
    privateKey: Uint8Array,
    publicKey: Uint8Array,
  ): RatchetKeyPair
  /** DH(pair, pub): 32 fresh bytes the caller wipes; a bad public key throws `INVALID_KEY`. */
  dh(crypto: CryptoProvider, privateKey: SecretKey, publicKey: Uint8Array): Uint8Array
  /** Cheap shape check of a public key from a header (length and, for secp256k1, prefix). */
  isWellFormed(publicKey: Uint8Array): boolean
}

const secp256k1: RatchetDh = {
  name: 'secp256k1',
  publicKeyLength: 33,
  generateKeyPair: (crypto) => crypto.generateKeyPair(),
  keyPairFromBytes: (crypto, privateKey, publicKey) => ({
    privateKey: crypto.secp256k1PrivateKey(privateKey),
    publicKey: Uint8Array.from(publicKey),
  }),
  dh: (crypto, privateKey, publicKey) => crypto.secp256k1Ecdh(privateKey, publicKey),
  isWellFormed: (k) => k.length === 33 && (k[0] === 2 || k[0] === 3),
}

const x25519: RatchetDh = {
  name: 'x25519',
  publicKeyLength: 32,
  generateKeyPair(crypto) {
    const privateKey = crypto.x25519GeneratePrivateKey()
    return { privateKey, publicKey: crypto.x25519PublicKey(privateKey) }
  },
  keyPairFromBytes: (crypto, privateKey, publicKey) => ({
    privateKey: crypto.x25519PrivateKey(privateKey),
    publicKey: Uint8Array.from(publicKey),
  }),
  dh: (crypto, privateKey, publicKey) => crypto.x25519(privateKey, publicKey),
  isWellFormed: (k) => k.length === 32,
}

/** The DH function called `name`; anything else is a programmer error. */
export function dhFunction(name: DhName = 'secp256k1'): RatchetDh {
  if (name === 'secp256k1') return secp256k1
  if (name === 'x25519') return x25519
  throw new TypeError('"dh" expected "secp256k1" or "x25519"')
}

/** Checks a caller-supplied key pair's public-key length (its match with the private key is trusted). */
export function checkKeyPair(dh: RatchetDh, pair: RatchetKeyPair, name: string): RatchetKeyPair {
  if (!(pair.publicKey instanceof Uint8Array) || pair.publicKey.length !== dh.publicKeyLength) {
    throw new TypeError(`"${name}.publicKey" expected ${dh.publicKeyLength} bytes`)
  }
  return pair
}

/** A header or bundle key of the wrong shape for this DH function (`WIRE_MALFORMED`). */
export function malformedKey(dh: RatchetDh, length: number): PfsError {
  return new PfsError('WIRE_MALFORMED', 'ratchet public key has the wrong shape', {
    dh: dh.name,
    length,
  })
}
