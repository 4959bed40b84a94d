/**
 * The `portable` backend: pure JavaScript on @noble/curves, @noble/hashes and @noble/ciphers, with
 * HMAC/HKDF over short inputs (the ratchet's per-message KDFs) on `sha256-short.ts`, which gives
 * the same bytes at about half the cost per call. Runs anywhere (browsers included); the `native`
 * backend is faster on Node.
 *
 * @module
 */
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { x25519 } from '@noble/curves/ed25519.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { hmac } from '@noble/hashes/hmac.js'
import { hkdf } from '@noble/hashes/hkdf.js'
import { pbkdf2 } from '@noble/hashes/pbkdf2.js'
import { randomBytes } from '@noble/hashes/utils.js'
import { ctr, gcm } from '@noble/ciphers/aes.js'
import { PfsError } from '../errors.ts'
import { SecretKey } from './secret.ts'
import {
  SHORT_INPUT_MAX,
  hkdfSha256Short,
  hmacSha256PairShort,
  hmacSha256Short,
} from './sha256-short.ts'
import type { Primitives } from './types.ts'
import {
  invalidKey,
  checkAesKey,
  checkCtrIv,
  checkDigest,
  checkGcmNonce,
  checkHkdfLength,
  checkPbkdf2,
  checkSignature,
  checkX25519,
  checkX25519PrivateKey,
  macMismatch,
} from './checks.ts'

function point(publicKey: Uint8Array): ReturnType<typeof secp256k1.Point.fromBytes> {
  try {
    const p = secp256k1.Point.fromBytes(publicKey)
    p.assertValidity()
    return p
  } catch {
    throw invalidKey('public key is not a valid secp256k1 point')
  }
}

/** Lends a private scalar to `fn` after checking it is in [1, n-1] (PROTOCOL.md §3 `ToECDSA`). */
function withScalar<T>(privateKey: SecretKey, fn: (sk: Uint8Array) => T): T {
  return privateKey.use((sk) => {
    if (!secp256k1.utils.isValidSecretKey(sk)) {
      throw invalidKey('private key is not a scalar in [1, n-1]')
    }
    return fn(sk)
  })
}

/** The pure-JS primitives. */
export const portablePrimitives: Primitives = {
  name: 'portable',
  randomBytes: (length) => randomBytes(length),

  secp256k1PrivateKey(bytes) {
    if (bytes.length !== 32 || !secp256k1.utils.isValidSecretKey(bytes)) {
      throw invalidKey('private key is not a scalar in [1, n-1]')
    }
    return SecretKey.fromBytes(bytes)
  },
  secp256k1GeneratePrivateKey: () => SecretKey.fromBytesUnsafe(secp256k1.utils.randomSecretKey()),
  secp256k1PublicKey: (privateKey, compressed) =>
    withScalar(privateKey, (sk) => secp256k1.getPublicKey(sk, compressed)),
  secp256k1ConvertPublicKey: (publicKey, compressed) => point(publicKey).toBytes(compressed),
  secp256k1Ecdh(privateKey, publicKey) {
    const p = point(publicKey)
    const shared = withScalar(privateKey, (sk) => p.multiply(secp256k1.Point.Fn.fromBytes(sk)))
    // PROTOCOL.md §3: raw affine X, 32 bytes big-endian (toBytes pads), never hashed.
    return shared.toBytes(true).subarray(1)
  },
  secp256k1SignRecoverable(digest, privateKey) {
    checkDigest(digest)
    const sig = withScalar(privateKey, (sk) =>
      secp256k1.sign(digest, sk, { prehash: false, lowS: true, format: 'recovered' }),
    )
    // noble's 'recovered' format is v ‖ r ‖ s; the reference's is r ‖ s ‖ v.
    const out = new Uint8Array(65)
    out.set(sig.subarray(1, 65), 0)
    out[64] = sig[0]!
    return out
  },
  secp256k1Recover(digest, signature, compressed) {
    checkDigest(digest)
    checkSignature(signature)
    const rec = new Uint8Array(65)
    rec[0] = signature[64]!
    rec.set(signature.subarray(0, 64), 1)
    try {
      return secp256k1.Point.fromBytes(
        secp256k1.recoverPublicKey(rec, digest, { prehash: false }),
      ).toBytes(compressed)
    } catch {
      throw new PfsError('INVALID_SIGNATURE', 'signature does not recover to a public key')
    }
  },

  x25519GeneratePrivateKey: () => SecretKey.fromBytesUnsafe(x25519.utils.randomSecretKey()),
  x25519PrivateKey(bytes) {
    if (bytes.length !== 32) throw invalidKey('x25519 private key must be 32 bytes')
    return SecretKey.fromBytes(bytes)
  },
  x25519PublicKey(privateKey) {
    checkX25519PrivateKey(privateKey.length)
    return privateKey.use((sk) => x25519.getPublicKey(sk))
  },
  x25519(privateKey, publicKey) {
    checkX25519PrivateKey(privateKey.length)
    if (publicKey.length !== 32) throw invalidKey('x25519 public key must be 32 bytes')
    let out: Uint8Array
    try {
      out = privateKey.use((sk) => x25519.getSharedSecret(sk, publicKey))
    } catch {
      throw invalidKey('x25519 public key is of low order')
    }
    return checkX25519(out)
  },

  sha256: (data) => sha256(data),
  keccak256: (data) => keccak_256(data),
  // Short inputs (the ratchet's KDFs and tags) take `sha256-short.ts`: same bytes, about half
  // the cost of @noble's class-based HMAC per call; long ones stay on @noble.
  hmacSha256: (key, data) =>
    key.length <= SHORT_INPUT_MAX && data.length <= SHORT_INPUT_MAX
      ? hmacSha256Short(key, data)
      : hmac(sha256, key, data),
  hmacSha256Pair: (key, first, second) =>
    key.length <= SHORT_INPUT_MAX &&
    first.length <= SHORT_INPUT_MAX &&
    second.length <= SHORT_INPUT_MAX
      ? hmacSha256PairShort(key, first, second)
      : [hmac(sha256, key, first), hmac(sha256, key, second)],
  hkdfSha256(ikm, salt, info, length) {
    checkHkdfLength(length)
    return ikm.length <= SHORT_INPUT_MAX &&
      salt.length <= SHORT_INPUT_MAX &&
      info.length <= SHORT_INPUT_MAX
      ? hkdfSha256Short(ikm, salt, info, length)
      : hkdf(sha256, ikm, salt, info, length)
  },
  pbkdf2Sha256(password, salt, iterations, length) {
    checkPbkdf2(iterations, length)
    return pbkdf2(sha256, password, salt, { c: iterations, dkLen: length })
  },

  aesCtr(key, iv, data) {
    checkAesKey(key)
    checkCtrIv(iv)
    return ctr(key, iv).encrypt(data)
  },
  aesGcmSeal(key, nonce, plaintext, aad) {
    checkAesKey(key)
    checkGcmNonce(nonce)
    return gcm(key, nonce, aad).encrypt(plaintext)
  },
  aesGcmOpen(key, nonce, sealed, aad) {
    checkAesKey(key)
    checkGcmNonce(nonce)
    try {
      return gcm(key, nonce, aad).decrypt(sealed)
    } catch {
      throw macMismatch()
    }
  },
}
