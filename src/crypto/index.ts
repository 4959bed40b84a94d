/**
 * `status-pfs/crypto`: the cryptographic ground floor. One `CryptoProvider` interface, two
 * providers (`portable`, `native`), opaque secret keys, and byte helpers.
 *
 * @module
 */
export type {
  Brand,
  CompressedPublicKey,
  CryptoProvider,
  EciesOptions,
  KeyPair,
  Primitives,
  RecoverableSignature,
  UncompressedPublicKey,
  X25519KeyPair,
  X25519PublicKey,
} from './types.ts'
export { SecretKey } from './secret.ts'
export {
  assertBytes,
  bytesEqual,
  bytesKey,
  compareBytes,
  concatBytes,
  constantTimeEqual,
  fromHex,
  fromUtf8,
  toHex,
  u32le,
  utf8,
  wipe,
} from './bytes.ts'
export { makeProvider, GCM_NONCE_LENGTH } from './provider.ts'
export { portable, native, defaultProvider, providers } from './providers.ts'
export { nativeSecp256k1Available } from './native.ts'
