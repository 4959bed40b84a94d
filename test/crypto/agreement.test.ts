/**
 * Cross-provider agreement (property tests, fast-check seed 0x5eed0c): for random keys and
 * inputs, `portable` and `native` return identical bytes — or the identical `PfsError` code — for
 * every primitive: secp256k1 public keys, raw-X ECDH, RFC 6979 signatures and recovery, random
 * point and signature bytes, X25519 on arbitrary u-coordinates, SHA-256, Keccak-256, HMAC, HKDF,
 * PBKDF2, AES-CTR (including counter wrap-around), AES-GCM and geth ECIES in both directions.
 *
 * @module
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { SecretKey, providers } from '../../src/crypto/index.ts'
import type { CryptoProvider } from '../../src/crypto/index.ts'
import { outcome } from './helpers.ts'

const SEED = 0x5eed0c
const { portable, native } = providers
const pair: readonly CryptoProvider[] = [portable, native]

/** Asserts both providers give the same outcome (bytes, PfsError code, or built-in error). */
function agree(fn: (c: CryptoProvider) => Uint8Array): string {
  const [a, b] = pair.map((c) => outcome(() => fn(c)))
  assert.equal(b, a)
  return a!
}

/** A valid secp256k1 scalar from arbitrary bytes (sha256 lands in [1, n-1] with overwhelming odds). */
const scalar = fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => portable.sha256(b))
const bytes = (max = 200) => fc.uint8Array({ maxLength: max })
const key = (len: number) => fc.uint8Array({ minLength: len, maxLength: len })

test('secp256k1: public keys, ECDH, signatures and recovery agree', () => {
  fc.assert(
    fc.property(scalar, scalar, key(32), (a, b, digest) => {
      const ka = SecretKey.fromBytes(a)
      const kb = SecretKey.fromBytes(b)
      const pubA = agree((c) => c.secp256k1PublicKey(ka, true))
      agree((c) => c.secp256k1PublicKey(ka, false))
      const pubB = portable.secp256k1PublicKey(kb, false)
      const shared = agree((c) => c.secp256k1Ecdh(ka, pubB))
      assert.equal(
        shared,
        agree((c) => c.secp256k1Ecdh(kb, Buffer.from(pubA.slice(3), 'hex'))),
      )
      const sig = agree((c) => c.secp256k1SignRecoverable(digest, ka))
      const sigBytes = Uint8Array.from(Buffer.from(sig.slice(3), 'hex'))
      assert.equal(
        agree((c) => c.secp256k1Recover(digest, sigBytes, true)),
        pubA,
      )
    }),
    { seed: SEED, numRuns: 150 },
  )
})

test('secp256k1: arbitrary point encodings are accepted or rejected alike', () => {
  const point = fc.oneof(
    fc.tuple(fc.constantFrom(2, 3), key(32)).map(([p, x]) => Uint8Array.of(p, ...x)),
    fc.tuple(fc.constantFrom(4, 6, 7), key(64)).map(([p, xy]) => Uint8Array.of(p, ...xy)),
    bytes(70),
  )
  const k = SecretKey.fromBytes(portable.sha256(Uint8Array.of(1)))
  fc.assert(
    fc.property(point, (p) => {
      agree((c) => c.secp256k1ConvertPublicKey(p, false))
      agree((c) => c.secp256k1Ecdh(k, p))
    }),
    { seed: SEED, numRuns: 300 },
  )
})

test('secp256k1: arbitrary signature bytes recover alike', () => {
  const sig = fc.oneof(
    fc.tuple(key(64), fc.constantFrom(0, 1)).map(([rs, v]) => Uint8Array.of(...rs, v)),
    bytes(70),
  )
  fc.assert(
    fc.property(key(32), sig, (digest, s) => {
      agree((c) => c.secp256k1Recover(digest, s, false))
    }),
    { seed: SEED, numRuns: 300 },
  )
})

test('X25519: public keys and shared secrets agree on arbitrary u-coordinates', () => {
  fc.assert(
    fc.property(key(32), key(32), (priv, u) => {
      const k = SecretKey.fromBytes(priv)
      agree((c) => c.x25519PublicKey(k))
      agree((c) => c.x25519(k, u))
    }),
    { seed: SEED, numRuns: 200 },
  )
})

test('hashes, HMAC, HKDF and PBKDF2 agree', () => {
  fc.assert(
    fc.property(
      bytes(300),
      bytes(80),
      fc.uint8Array({ maxLength: 1100 }),
      fc.nat({ max: 400 }),
      (data, k, info, length) => {
        agree((c) => c.sha256(data))
        agree((c) => c.keccak256(data))
        agree((c) => c.hmacSha256(k, data))
        agree((c) => c.hkdfSha256(data, k, info, length))
        agree((c) => c.pbkdf2Sha256(k, data.subarray(0, 16), 1 + (length % 3), length % 70))
      },
    ),
    { seed: SEED, numRuns: 200 },
  )
})

test('AES-CTR and AES-GCM agree (all key sizes, counter wrap, AAD, tampering)', () => {
  const iv = fc.oneof(
    key(16),
    key(4).map((t) => Uint8Array.of(...new Uint8Array(12).fill(0xff), ...t)),
  )
  fc.assert(
    fc.property(
      fc.constantFrom(16, 24, 32).chain((n) => key(n)),
      iv,
      bytes(300),
      fc.option(bytes(40), { nil: undefined }),
      fc.constantFrom(8, 12, 16),
      fc.nat(),
      (k, v, pt, aad, nonceLength, flipAt) => {
        agree((c) => c.aesCtr(k, v, pt))
        const nonce = v.subarray(0, nonceLength)
        const sealed = agree((c) => c.aesGcmSeal(k, nonce, pt, aad))
        const sealedBytes = Uint8Array.from(Buffer.from(sealed.slice(3), 'hex'))
        agree((c) => c.aesGcmOpen(k, nonce, sealedBytes, aad))
        const tampered = Uint8Array.from(sealedBytes)
        tampered[flipAt % tampered.length]! ^= 1
        assert.equal(
          agree((c) => c.aesGcmOpen(k, nonce, tampered, aad)),
          'PfsError:MAC_MISMATCH',
        )
      },
    ),
    { seed: SEED, numRuns: 300 },
  )
})

test('ECIES and encryptSymmetric: each provider opens what the other sealed', () => {
  fc.assert(
    fc.property(scalar, scalar, key(16), bytes(300), key(12), (r, e, iv, pt, nonce) => {
      const recipient = SecretKey.fromBytes(r)
      const pub = portable.secp256k1PublicKey(recipient, true)
      const data = agree((c) => c.eciesEncrypt(pub, pt, { ephemeral: SecretKey.fromBytes(e), iv }))
      const dataBytes = Uint8Array.from(Buffer.from(data.slice(3), 'hex'))
      for (const c of pair) assert.deepEqual(c.eciesDecrypt(recipient, dataBytes), pt)
      const symKey = r
      const sym = agree((c) => c.encryptSymmetric(symKey, pt, nonce))
      const symBytes = Uint8Array.from(Buffer.from(sym.slice(3), 'hex'))
      for (const c of pair) assert.deepEqual(c.decryptSymmetric(symKey, symBytes), pt)
    }),
    { seed: SEED, numRuns: 100 },
  )
})

test('randomly generated keys are valid in the other provider', () => {
  for (let i = 0; i < 50; i++) {
    for (const [a, b] of [
      [portable, native],
      [native, portable],
    ] as const) {
      const kp = a.generateKeyPair()
      assert.deepEqual(b.keyPairFromPrivate(kp.privateKey).publicKey, kp.publicKey)
      const x = a.x25519GeneratePrivateKey()
      assert.deepEqual(b.x25519PublicKey(x), a.x25519PublicKey(x))
      assert.equal(a.randomBytes(17).length, 17)
    }
  }
})
