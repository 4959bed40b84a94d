/**
 * The `native` backend: node:crypto for AES, HMAC, HKDF, PBKDF2, SHA-256, randomness and X25519,
 * except HKDF over short inputs, HMAC over ≤ 192 bytes and KDF_CK's HMAC pair, which run on
 * `sha256-short.ts` (JS) because node:crypto's fixed cost per call exceeds the few compressions
 * they need (issue 9 profiles), and the libsecp256k1 addon (`secp256k1` package, N-API prebuild)
 * for secp256k1 (PROTOCOL.md §3).
 *
 * Why not node:crypto for secp256k1: it cannot sign with RFC 6979 nonces or recover keys, and its
 * ECDH (OpenSSL, ~1,100/s) is ~20× slower than the addon's (~22,000/s); see bench/results/crypto.md.
 * The addon is loaded through `secp256k1/bindings`, never the package root, which would silently
 * fall back to the `elliptic` JS code. If the addon cannot load (no prebuild for this platform), the
 * secp256k1 functions fall back to `portable` and {@link nativeSecp256k1Available} is false.
 * Legacy Keccak-256 is not in OpenSSL's default provider, so it is JS (`keccak.ts`).
 *
 * Rejections match `portable` code for code (checks.ts): every exception from node:crypto or the
 * addon on bad input becomes a `PfsError` (`INVALID_KEY`, `INVALID_SIGNATURE`, `MAC_MISMATCH`);
 * wrong argument sizes that are programmer errors stay `TypeError`/`RangeError`.
 *
 * @module
 */
import crypto from 'node:crypto'
import { createRequire } from 'node:module'
import { PfsError } from '../errors.ts'
import { portablePrimitives } from './portable.ts'
import { hkdfSha256Short, hmacSha256PairShort, hmacSha256Short } from './sha256-short.ts'
import { keccak256 } from './keccak.ts'
import { SecretKey } from './secret.ts'
import type { Primitives } from './types.ts'
import { concatBytes, wipe } from './bytes.ts'
import {
  checkAesKey,
  checkCtrIv,
  checkDigest,
  checkGcmNonce,
  checkHkdfLength,
  checkPbkdf2,
  checkSignature,
  checkX25519,
  checkX25519PrivateKey,
  invalidKey,
  macMismatch,
} from './checks.ts'

/** The part of `secp256k1/lib/index.js` this backend calls (its own argument checks included). */
interface Secp256k1Addon {
  privateKeyVerify(seckey: Uint8Array): boolean
  publicKeyCreate(seckey: Uint8Array, compressed: boolean): Uint8Array
  publicKeyConvert(pubkey: Uint8Array, compressed: boolean): Uint8Array
  ecdsaSign(msg32: Uint8Array, seckey: Uint8Array): { signature: Uint8Array; recid: number }
  ecdsaRecover(sig: Uint8Array, recid: number, msg32: Uint8Array, compressed: boolean): Uint8Array
  ecdh(
    pubkey: Uint8Array,
    seckey: Uint8Array,
    options: {
      hashfn: (x: Uint8Array, y: Uint8Array) => Uint8Array
      xbuf: Uint8Array
      ybuf: Uint8Array
    },
    output: Uint8Array,
  ): Uint8Array
}

function loadAddon(): Secp256k1Addon | undefined {
  try {
    const addon = createRequire(import.meta.url)('secp256k1/bindings') as Secp256k1Addon
    // A smoke test: 1·G must come out as G, or the binding is unusable.
    const one = new Uint8Array(32)
    one[31] = 1
    return addon.publicKeyCreate(one, true)[1] === 0x79 ? addon : undefined
  } catch {
    return undefined
  }
}

const addon = loadAddon()

/** True when secp256k1 runs on the libsecp256k1 addon; false when it fell back to `portable`. */
export const nativeSecp256k1Available: boolean = addon !== undefined

/** A Buffer as a plain Uint8Array: a view when it owns its memory, else a copy (pooled slabs). */
function u8(b: Uint8Array): Uint8Array {
  return b.byteOffset === 0 && b.buffer.byteLength === b.length
    ? new Uint8Array(b.buffer, 0, b.length)
    : new Uint8Array(b)
}

/** SEC1 shape check before the addon sees the key: libsecp256k1 also parses hybrid 0x06/0x07. */
function checkPoint(publicKey: Uint8Array): void {
  const ok =
    (publicKey.length === 33 && (publicKey[0] === 2 || publicKey[0] === 3)) ||
    (publicKey.length === 65 && publicKey[0] === 4)
  if (!ok) throw invalidKey('public key is not a valid secp256k1 point')
}

/** Lends a private scalar to `fn` after checking it is in [1, n-1] (PROTOCOL.md §3 `ToECDSA`). */
function withScalar<T>(a: Secp256k1Addon, privateKey: SecretKey, fn: (sk: Uint8Array) => T): T {
  return privateKey.use((sk) => {
    if (sk.length !== 32 || !a.privateKeyVerify(sk)) {
      throw invalidKey('private key is not a scalar in [1, n-1]')
    }
    return fn(sk)
  })
}

/** PROTOCOL.md §3: the ECDH "hash" is the identity on X — raw affine X, 32 bytes, never hashed. */
const rawX = (x: Uint8Array): Uint8Array => x

function secp256k1Native(a: Secp256k1Addon): Pick<Primitives, SecpOps> {
  return {
    secp256k1PrivateKey(bytes) {
      if (bytes.length !== 32 || !a.privateKeyVerify(bytes)) {
        throw invalidKey('private key is not a scalar in [1, n-1]')
      }
      return SecretKey.fromBytes(bytes)
    },
    secp256k1GeneratePrivateKey() {
      // Rejection sampling: a random 32-byte string is ≥ n with probability ~2^-128.
      for (;;) {
        const sk = u8(crypto.randomBytes(32))
        if (a.privateKeyVerify(sk)) return SecretKey.fromBytesUnsafe(sk)
        wipe(sk)
      }
    },
    secp256k1PublicKey: (privateKey, compressed) =>
      withScalar(a, privateKey, (sk) => a.publicKeyCreate(sk, compressed)),
    secp256k1ConvertPublicKey(publicKey, compressed) {
      checkPoint(publicKey)
      try {
        return a.publicKeyConvert(publicKey, compressed)
      } catch {
        throw invalidKey('public key is not a valid secp256k1 point')
      }
    },
    secp256k1Ecdh(privateKey, publicKey) {
      checkPoint(publicKey)
      return withScalar(a, privateKey, (sk) => {
        // Our own scratch buffers for the shared point, so that they can be wiped afterwards.
        const xbuf = new Uint8Array(32)
        const ybuf = new Uint8Array(32)
        try {
          // secp256k1_ecdh is constant-time in the scalar (unlike publicKeyTweakMul).
          return a.ecdh(publicKey, sk, { hashfn: rawX, xbuf, ybuf }, new Uint8Array(32))
        } catch {
          throw invalidKey('public key is not a valid secp256k1 point')
        } finally {
          wipe(xbuf, ybuf)
        }
      })
    },
    secp256k1SignRecoverable(digest, privateKey) {
      checkDigest(digest)
      // libsecp256k1 signs with RFC 6979 nonces and always normalizes to low-S (PROTOCOL.md §3).
      const { signature, recid } = withScalar(a, privateKey, (sk) => {
        try {
          return a.ecdsaSign(digest, sk)
        } catch {
          throw invalidKey('private key is not a scalar in [1, n-1]')
        }
      })
      const out = new Uint8Array(65)
      out.set(signature, 0)
      out[64] = recid
      return out
    },
    secp256k1Recover(digest, signature, compressed) {
      checkDigest(digest)
      checkSignature(signature)
      try {
        return a.ecdsaRecover(signature.subarray(0, 64), signature[64]!, digest, compressed)
      } catch {
        throw new PfsError('INVALID_SIGNATURE', 'signature does not recover to a public key')
      }
    },
  }
}

type SecpOps =
  | 'secp256k1PrivateKey'
  | 'secp256k1GeneratePrivateKey'
  | 'secp256k1PublicKey'
  | 'secp256k1ConvertPublicKey'
  | 'secp256k1Ecdh'
  | 'secp256k1SignRecoverable'
  | 'secp256k1Recover'

// X25519 through JWK: node:crypto imports a raw OKP key from JWK in a few µs, where wrapping it in
// PKCS#8/SPKI DER costs ~70 µs per call. The base64url string of the private key is transient and
// unavoidable with this API; no KeyObject is cached, so nothing secret outlives the call.
function x25519PrivateKeyObject(sk: Uint8Array): crypto.KeyObject {
  return crypto.createPrivateKey({
    key: { kty: 'OKP', crv: 'X25519', d: Buffer.from(sk).toString('base64url'), x: '' },
    format: 'jwk',
  })
}

function fromBase64url(s: string | undefined): Uint8Array {
  if (s === undefined) throw invalidKey('x25519 key export failed')
  return u8(Buffer.from(s, 'base64url'))
}

/** AES-128/192/256 by key length (checked by `checkAesKey`), as the pure-JS backend selects it. */
const ctrName = (key: Uint8Array): string => `aes-${key.length * 8}-ctr`
const gcmName = (key: Uint8Array): crypto.CipherGCMTypes =>
  key.length === 16 ? 'aes-128-gcm' : key.length === 24 ? 'aes-192-gcm' : 'aes-256-gcm'

/** One-shot SHA-256: `crypto.hash` (Node ≥ 20.12) skips the Hash object; older 20.x use it. */
const sha256Once: (data: Uint8Array) => Uint8Array =
  typeof crypto.hash === 'function'
    ? (data) => u8(crypto.hash('sha256', data, 'buffer'))
    : (data) => u8(crypto.createHash('sha256').update(data).digest())

/** HKDF-SHA256 by hand (RFC 5869 §2.2–2.3), only for `info` over node's 1,024-byte limit. */
function hkdfLongInfo(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number) {
  // An empty salt is HashLen zero bytes; HMAC zero-pads short keys, so both give the same PRK.
  const prk = crypto.createHmac('sha256', salt).update(ikm).digest()
  const out = new Uint8Array(length)
  let t: Uint8Array = new Uint8Array(0)
  for (let i = 1, o = 0; o < length; i++, o += 32) {
    const next = crypto.createHmac('sha256', prk).update(concatBytes(t, info, Uint8Array.of(i)))
    wipe(t)
    t = next.digest()
    out.set(t.subarray(0, Math.min(32, length - o)), o)
  }
  wipe(prk, t)
  return out
}

/** HKDF inputs small enough for `sha256-short.ts` to beat node:crypto (a few blocks in all). */
function isShortHkdf(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): boolean {
  return ikm.length <= 64 && salt.length <= 64 && info.length <= 64 && length <= 128
}

/** The node:crypto + libsecp256k1 primitives. */
export const nativePrimitives: Primitives = {
  ...portablePrimitives,
  name: 'native',
  randomBytes: (length) => u8(crypto.randomBytes(length)),

  ...(addon === undefined ? {} : secp256k1Native(addon)),

  x25519GeneratePrivateKey: () => SecretKey.fromBytesUnsafe(u8(crypto.randomBytes(32))),
  x25519PrivateKey(bytes) {
    if (bytes.length !== 32) throw invalidKey('x25519 private key must be 32 bytes')
    return SecretKey.fromBytes(bytes)
  },
  x25519PublicKey(privateKey) {
    checkX25519PrivateKey(privateKey.length)
    const jwk = privateKey.use((sk) =>
      crypto.createPublicKey(x25519PrivateKeyObject(sk)).export({ format: 'jwk' }),
    )
    return fromBase64url(jwk.x)
  },
  x25519(privateKey, publicKey) {
    checkX25519PrivateKey(privateKey.length)
    if (publicKey.length !== 32) throw invalidKey('x25519 public key must be 32 bytes')
    let out: Uint8Array
    try {
      const pub = crypto.createPublicKey({
        key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(publicKey).toString('base64url') },
        format: 'jwk',
      })
      out = privateKey.use((sk) =>
        u8(crypto.diffieHellman({ privateKey: x25519PrivateKeyObject(sk), publicKey: pub })),
      )
    } catch {
      // OpenSSL refuses the all-zero output of a low-order point (RFC 7748 §6.1) by throwing.
      throw invalidKey('x25519 public key is of low order')
    }
    return checkX25519(out)
  },

  sha256: sha256Once,
  // keccak.ts: WebAssembly (else unrolled JS) permutation; OpenSSL has only FIPS SHA-3.
  keccak256,
  // Up to three blocks of data (the ratchet's tag over AD ‖ IV ‖ a 100-byte body is 157 B) the
  // short HMAC (sha256-short.ts: WebAssembly, else JS) beats createHmac's per-call object (issue 9).
  hmacSha256: (key, data) =>
    key.length <= 64 && data.length <= 192
      ? hmacSha256Short(key, data)
      : u8(crypto.createHmac('sha256', key).update(data).digest()),
  // KDF_CK (32-byte key, 1-byte inputs): the short pair shares the padded key, ~2× two createHmac.
  hmacSha256Pair: (key, first, second) =>
    key.length <= 64 && first.length <= 64 && second.length <= 64
      ? hmacSha256PairShort(key, first, second)
      : [
          u8(crypto.createHmac('sha256', key).update(first).digest()),
          u8(crypto.createHmac('sha256', key).update(second).digest()),
        ],
  hkdfSha256(ikm, salt, info, length) {
    checkHkdfLength(length)
    // Short inputs (every ratchet KDF): sha256-short.ts, the PRK's pads shared by all blocks, is
    // ~2× faster than hkdfSync, whose fixed cost (two key imports, an EVP_PKEY context) dominates.
    if (isShortHkdf(ikm, salt, info, length)) return hkdfSha256Short(ikm, salt, info, length)
    if (info.length > 1024) return hkdfLongInfo(ikm, salt, info, length)
    return new Uint8Array(crypto.hkdfSync('sha256', ikm, salt, info, length))
  },
  pbkdf2Sha256(password, salt, iterations, length) {
    checkPbkdf2(iterations, length)
    return u8(crypto.pbkdf2Sync(password, salt, iterations, length, 'sha256'))
  },

  aesCtr(key, iv, data) {
    checkAesKey(key)
    checkCtrIv(iv)
    // OpenSSL's CTR increments the whole 16-byte block big-endian, as Go's cipher.NewCTR (§7.1).
    const c = crypto.createCipheriv(ctrName(key), key, iv)
    const out = c.update(data)
    c.final()
    return u8(out)
  },
  aesGcmSeal(key, nonce, plaintext, aad) {
    checkAesKey(key)
    checkGcmNonce(nonce)
    const c = crypto.createCipheriv(gcmName(key), key, nonce)
    if (aad !== undefined) c.setAAD(aad)
    const body = c.update(plaintext)
    c.final()
    const out = new Uint8Array(body.length + 16)
    out.set(body, 0)
    out.set(c.getAuthTag(), body.length)
    return out
  },
  aesGcmOpen(key, nonce, sealed, aad) {
    checkAesKey(key)
    checkGcmNonce(nonce)
    if (sealed.length < 16) throw macMismatch()
    const d = crypto.createDecipheriv(gcmName(key), key, nonce)
    let out: Uint8Array | undefined
    try {
      d.setAuthTag(sealed.subarray(sealed.length - 16))
      if (aad !== undefined) d.setAAD(aad)
      out = d.update(sealed.subarray(0, sealed.length - 16))
      d.final()
      return u8(out)
    } catch {
      // update() released unauthenticated plaintext before final() checked the tag: wipe it.
      if (out !== undefined) wipe(out)
      throw macMismatch()
    }
  },
}
