/**
 * The `CryptoProvider` interface: every primitive the protocol needs (PROTOCOL.md §3, §6, §7.1, §11),
 * implemented twice — `portable` (pure JS, @noble/*) and `native` (node:crypto plus the libsecp256k1
 * addon). A provider is chosen once and passed down; nothing picks one per call.
 *
 * All methods are synchronous: both backends are, and the ratchet's hot path stays free of
 * promise overhead.
 *
 * @module
 */
import type { SecretKey } from './secret.ts'

declare const brand: unique symbol
/** Nominal typing for byte strings that mean different things. */
export type Brand<T, B extends string> = T & { readonly [brand]: B }

/** SEC1 compressed secp256k1 public key, 33 bytes (`0x02|0x03 ‖ X`). */
export type CompressedPublicKey = Brand<Uint8Array, 'CompressedPublicKey'>
/** SEC1 uncompressed secp256k1 public key, 65 bytes (`0x04 ‖ X ‖ Y`). */
export type UncompressedPublicKey = Brand<Uint8Array, 'UncompressedPublicKey'>
/** X25519 public key, 32 bytes. */
export type X25519PublicKey = Brand<Uint8Array, 'X25519PublicKey'>
/** Recoverable ECDSA signature `r(32) ‖ s(32) ‖ v(1)`, v ∈ {0,1}, low-S. */
export type RecoverableSignature = Brand<Uint8Array, 'RecoverableSignature'>

/** A secp256k1 key pair. The public key is kept compressed, the encoding the protocol uses. */
export interface KeyPair {
  readonly privateKey: SecretKey
  readonly publicKey: CompressedPublicKey
}

export interface X25519KeyPair {
  readonly privateKey: SecretKey
  readonly publicKey: X25519PublicKey
}

/**
 * The primitives a backend implements. Composite constructions (AES-GCM with the nonce appended,
 * geth ECIES, signing over keccak256) are built once on top of these in `provider.ts`.
 */
export interface Primitives {
  readonly name: string
  randomBytes(length: number): Uint8Array

  // secp256k1 (PROTOCOL.md §3)
  /** Validates a 32-byte big-endian scalar in [1, n-1]; throws `INVALID_KEY`. */
  secp256k1PrivateKey(bytes: Uint8Array): SecretKey
  secp256k1GeneratePrivateKey(): SecretKey
  secp256k1PublicKey(privateKey: SecretKey, compressed: boolean): Uint8Array
  /** Re-encodes a public key after validating it is on the curve; throws `INVALID_KEY`. */
  secp256k1ConvertPublicKey(publicKey: Uint8Array, compressed: boolean): Uint8Array
  /** Raw ECDH: the affine X of `priv·pub`, 32 bytes big-endian, left-padded, never hashed. */
  secp256k1Ecdh(privateKey: SecretKey, publicKey: Uint8Array): Uint8Array
  /** RFC 6979 deterministic, low-S ECDSA over a 32-byte digest → `r ‖ s ‖ v`. */
  secp256k1SignRecoverable(digest: Uint8Array, privateKey: SecretKey): Uint8Array
  /** Recovers the public key (compressed or not); throws `INVALID_SIGNATURE`. */
  secp256k1Recover(digest: Uint8Array, signature: Uint8Array, compressed: boolean): Uint8Array

  // X25519 (the whitepaper's ratchet curve)
  x25519GeneratePrivateKey(): SecretKey
  x25519PrivateKey(bytes: Uint8Array): SecretKey
  x25519PublicKey(privateKey: SecretKey): Uint8Array
  /** Rejects low-order points (all-zero output) with `INVALID_KEY`. */
  x25519(privateKey: SecretKey, publicKey: Uint8Array): Uint8Array

  // hashes and KDFs
  sha256(data: Uint8Array): Uint8Array
  /** Legacy Keccak-256 (Ethereum), not FIPS SHA3-256. */
  keccak256(data: Uint8Array): Uint8Array
  hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array
  /**
   * `[HMAC(key, first), HMAC(key, second)]`: KDF_CK's two HMACs under one chain key (PROTOCOL.md
   * §7.1). Optional: a backend that can share the padded-key state between them supplies it;
   * `makeProvider` falls back to two `hmacSha256` calls otherwise.
   */
  hmacSha256Pair?(key: Uint8Array, first: Uint8Array, second: Uint8Array): [Uint8Array, Uint8Array]
  hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array
  pbkdf2Sha256(
    password: Uint8Array,
    salt: Uint8Array,
    iterations: number,
    length: number,
  ): Uint8Array

  // ciphers
  /** AES-CTR with the whole 16-byte block as a big-endian counter; key 16 or 32 bytes. */
  aesCtr(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array
  /** AES-256-GCM seal → `ciphertext ‖ tag(16)`. */
  aesGcmSeal(
    key: Uint8Array,
    nonce: Uint8Array,
    plaintext: Uint8Array,
    aad?: Uint8Array,
  ): Uint8Array
  /** AES-256-GCM open of `ciphertext ‖ tag`; throws `MAC_MISMATCH`. */
  aesGcmOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad?: Uint8Array): Uint8Array
}

/** Options that make the randomized operations replayable (test vectors). */
export interface EciesOptions {
  readonly ephemeral?: SecretKey
  readonly iv?: Uint8Array
}

/** Everything the protocol calls: the primitives plus the reference's composite constructions. */
export interface CryptoProvider extends Primitives {
  /** Always present on a provider (see `Primitives.hmacSha256Pair`). */
  hmacSha256Pair(key: Uint8Array, first: Uint8Array, second: Uint8Array): [Uint8Array, Uint8Array]
  generateKeyPair(): KeyPair
  keyPairFromPrivate(privateKey: SecretKey): KeyPair
  /** Validates and returns the 33-byte form of any encoding; throws `INVALID_KEY`. */
  compressPublicKey(publicKey: Uint8Array): CompressedPublicKey
  /** Validates and returns the 65-byte form of any encoding; throws `INVALID_KEY`. */
  decompressPublicKey(publicKey: Uint8Array): UncompressedPublicKey
  isValidPublicKey(publicKey: Uint8Array): boolean
  /** `Sign(keccak256(data), key)` as go-ethereum's crypto.Sign does. */
  signKeccak(data: Uint8Array, privateKey: SecretKey): RecoverableSignature
  /** Recovers the signer of `keccak256(data)`; throws `INVALID_SIGNATURE`. */
  recoverKeccak(data: Uint8Array, signature: Uint8Array): UncompressedPublicKey
  /** Recovers and compares in constant time; false on any failure. */
  verifyKeccak(data: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean
  /** status-go `EncryptSymmetric`: AES-256-GCM, output `ct ‖ tag ‖ nonce(12)`. */
  encryptSymmetric(key: Uint8Array, plaintext: Uint8Array, nonce?: Uint8Array): Uint8Array
  /** Inverse of `encryptSymmetric`; throws `MAC_MISMATCH` or `WIRE_MALFORMED`. */
  decryptSymmetric(key: Uint8Array, data: Uint8Array): Uint8Array
  /** go-ethereum ECIES (AES-128-CTR + HMAC-SHA256, concat KDF, empty s1/s2). */
  eciesEncrypt(recipient: Uint8Array, plaintext: Uint8Array, options?: EciesOptions): Uint8Array
  /** Throws `MAC_MISMATCH` or `WIRE_MALFORMED`. */
  eciesDecrypt(privateKey: SecretKey, data: Uint8Array): Uint8Array
  constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean
}
