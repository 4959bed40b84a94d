/**
 * Bad inputs: both providers must reject exactly the same keys, signatures and ciphertexts with the
 * same `PfsError` code (PROTOCOL.md §3; STYLE.md §5), and never let a library exception escape.
 * Covers secp256k1 points (off curve, infinity, wrong prefix or length, x ≥ p, hybrid encodings),
 * scalars (0, ≥ n, wrong length), signatures (length, recovery id, r/s out of range, r with no
 * point), X25519 low-order points (RFC 7748 §6.1), and AEAD/ECIES tampering.
 *
 * @module
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { SecretKey, concatBytes, fromHex, utf8 } from '../../src/crypto/index.ts'
import type { CryptoProvider } from '../../src/crypto/index.ts'
import type { ErrorCode } from '../../src/errors.ts'
import { PROVIDERS, h, outcome, throwsCode } from './helpers.ts'

const P = 2n ** 256n - 2n ** 32n - 977n
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
const be32 = (x: bigint): Uint8Array => fromHex(x.toString(16).padStart(64, '0'))

function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n
  for (b %= m; e > 0n; e >>= 1n, b = (b * b) % m) if (e & 1n) r = (r * b) % m
  return r
}
/** The smallest x ≥ start with no point on secp256k1 (x³ + 7 is a non-residue mod p). */
function xOffCurve(start: bigint): bigint {
  let x = start
  while (modPow((x ** 3n + 7n) % P, (P - 1n) / 2n, P) === 1n) x++
  return x
}

const [, reference] = PROVIDERS[0]!
const good = reference.generateKeyPair()
const goodUncompressed = reference.decompressPublicKey(good.publicKey)

function badPoints(): [string, Uint8Array][] {
  const flippedY = Uint8Array.from(goodUncompressed)
  flippedY[64]! ^= 1
  const hybrid = Uint8Array.from(goodUncompressed)
  hybrid[0] = 6 + (goodUncompressed[64]! & 1)
  const prefix = (p: number, rest: Uint8Array) => concatBytes(Uint8Array.of(p), rest)
  const x = goodUncompressed.subarray(1, 33)
  return [
    ['empty', new Uint8Array(0)],
    ['infinity 0x00', Uint8Array.of(0)],
    ['33 zero bytes', new Uint8Array(33)],
    ['65 zero bytes', new Uint8Array(65)],
    ['compressed with prefix 0x04', prefix(4, x)],
    ['compressed with prefix 0x05', prefix(5, x)],
    ['uncompressed with prefix 0x02', prefix(2, goodUncompressed.subarray(1))],
    ['hybrid 0x06/0x07 encoding', hybrid],
    ['x only (32 bytes)', x],
    ['raw X‖Y (64 bytes)', goodUncompressed.subarray(1)],
    ['34 bytes', concatBytes(good.publicKey, Uint8Array.of(0))],
    ['66 bytes', concatBytes(goodUncompressed, Uint8Array.of(0))],
    ['x = p', prefix(2, be32(P))],
    ['x = p + 1', prefix(3, be32(P + 1n))],
    ['x = 2^256 - 1', prefix(2, new Uint8Array(32).fill(0xff))],
    ['x with no point (compressed)', prefix(2, be32(xOffCurve(1n)))],
    ['x with no point (large)', prefix(3, be32(xOffCurve(P - 1000n)))],
    ['uncompressed, y flipped (off curve)', flippedY],
    ['uncompressed, x = p', concatBytes(Uint8Array.of(4), be32(P), x)],
    ['uncompressed, y = p', concatBytes(Uint8Array.of(4), x, be32(P))],
  ]
}

const badScalars: [string, Uint8Array][] = [
  ['zero', new Uint8Array(32)],
  ['n', be32(N)],
  ['n + 1', be32(N + 1n)],
  ['2^256 - 1', new Uint8Array(32).fill(0xff)],
  ['31 bytes', new Uint8Array(31).fill(1)],
  ['33 bytes', new Uint8Array(33).fill(1)],
  ['empty', new Uint8Array(0)],
]

/** RFC 7748 §6.1 / Curve25519 small-order u-coordinates, with and without the ignored top bit. */
const lowOrder: string[] = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
  '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000080',
  '0100000000000000000000000000000000000000000000000000000000000080',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b880',
  '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f11d7',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
]

/** Asserts every provider gives the same outcome, and that it is a `PfsError` of `code`. */
function sameRejection(what: string, code: ErrorCode, fn: (c: CryptoProvider) => Uint8Array) {
  const outcomes = PROVIDERS.map(([, c]) => outcome(() => fn(c)))
  assert.deepEqual(
    outcomes,
    outcomes.map(() => `PfsError:${code}`),
    what,
  )
}

describe('secp256k1 public keys', () => {
  for (const [name, bad] of badPoints()) {
    test(`rejects ${name} with INVALID_KEY`, () => {
      sameRejection('ecdh', 'INVALID_KEY', (c) => c.secp256k1Ecdh(good.privateKey, bad))
      sameRejection('convert', 'INVALID_KEY', (c) => c.secp256k1ConvertPublicKey(bad, true))
      sameRejection('compress', 'INVALID_KEY', (c) => c.compressPublicKey(bad))
      sameRejection('decompress', 'INVALID_KEY', (c) => c.decompressPublicKey(bad))
      sameRejection('ecies', 'INVALID_KEY', (c) => c.eciesEncrypt(bad, utf8('x')))
      for (const [, c] of PROVIDERS) assert.equal(c.isValidPublicKey(bad), false)
    })
  }
})

describe('secp256k1 private keys', () => {
  for (const [name, bytes] of badScalars) {
    test(`rejects ${name} with INVALID_KEY`, () => {
      sameRejection('import', 'INVALID_KEY', (c) => c.secp256k1PrivateKey(bytes).exportBytes())
      const key = SecretKey.fromBytes(bytes)
      sameRejection('ecdh', 'INVALID_KEY', (c) => c.secp256k1Ecdh(key, good.publicKey))
      sameRejection('public', 'INVALID_KEY', (c) => c.secp256k1PublicKey(key, true))
      sameRejection('sign', 'INVALID_KEY', (c) =>
        c.secp256k1SignRecoverable(new Uint8Array(32), key),
      )
      sameRejection('signKeccak', 'INVALID_KEY', (c) => c.signKeccak(utf8('m'), key))
    })
  }
  test('accepts 1 and n - 1', () => {
    for (const [, c] of PROVIDERS) {
      assert.equal(c.secp256k1PrivateKey(be32(1n)).length, 32)
      assert.equal(c.secp256k1PrivateKey(be32(N - 1n)).length, 32)
    }
  })
})

describe('recoverable signatures', () => {
  const digest = reference.keccak256(utf8('message'))
  const sig = reference.secp256k1SignRecoverable(digest, good.privateKey)
  const withParts = (r: Uint8Array, s: Uint8Array, v: number) => concatBytes(r, s, Uint8Array.of(v))
  const r = sig.subarray(0, 32)
  const s = sig.subarray(32, 64)
  const cases: [string, Uint8Array][] = [
    ['64 bytes', sig.subarray(0, 64)],
    ['66 bytes', concatBytes(sig, Uint8Array.of(0))],
    ['empty', new Uint8Array(0)],
    ['v = 4', withParts(r, s, 4)],
    ['v = 27', withParts(r, s, 27)],
    ['v = 2', withParts(r, s, 2)],
    ['v = 3', withParts(r, s, 3)],
    ['r = 0', withParts(new Uint8Array(32), s, 0)],
    ['s = 0', withParts(r, new Uint8Array(32), 0)],
    ['r = n', withParts(be32(N), s, 0)],
    ['s = n', withParts(r, be32(N), 1)],
    ['r = 2^256 - 1', withParts(new Uint8Array(32).fill(0xff), s, 0)],
    ['r with no point', withParts(be32(xOffCurve(5n)), s, 0)],
  ]
  for (const [name, bad] of cases) {
    test(`rejects ${name} with INVALID_SIGNATURE`, () => {
      sameRejection('recover', 'INVALID_SIGNATURE', (c) => c.secp256k1Recover(digest, bad, false))
      sameRejection('recoverKeccak', 'INVALID_SIGNATURE', (c) =>
        c.recoverKeccak(utf8('message'), bad),
      )
      for (const [, c] of PROVIDERS) {
        assert.equal(c.verifyKeccak(utf8('message'), bad, good.publicKey), false)
      }
    })
  }
  test('a 31-byte digest is a programmer error (TypeError) in both', () => {
    for (const [, c] of PROVIDERS) {
      assert.throws(
        () => c.secp256k1SignRecoverable(new Uint8Array(31), good.privateKey),
        TypeError,
      )
      assert.throws(() => c.secp256k1Recover(new Uint8Array(31), sig, true), TypeError)
    }
  })
  test('a high-S twin recovers the same key in both (libsecp256k1 recovery does not normalize)', () => {
    const high = withParts(r, be32(N - BigInt(`0x${Buffer.from(s).toString('hex')}`)), sig[64]! ^ 1)
    const outcomes = PROVIDERS.map(([, c]) => outcome(() => c.secp256k1Recover(digest, high, true)))
    assert.equal(outcomes[0], `ok:${Buffer.from(good.publicKey).toString('hex')}`)
    assert.deepEqual(
      outcomes,
      outcomes.map(() => outcomes[0]),
    )
  })
})

describe('X25519', () => {
  for (const hex of lowOrder) {
    test(`rejects low-order point ${hex.slice(0, 8)}…${hex.slice(-2)} with INVALID_KEY`, () => {
      const key = SecretKey.fromBytes(new Uint8Array(32).fill(0x5a))
      sameRejection('x25519', 'INVALID_KEY', (c) => c.x25519(key, h(hex)))
    })
  }
  test('rejects wrong lengths with INVALID_KEY', () => {
    const key = SecretKey.fromBytes(new Uint8Array(32).fill(0x5a))
    const pub = reference.x25519PublicKey(key)
    sameRejection('pub 31', 'INVALID_KEY', (c) => c.x25519(key, pub.subarray(1)))
    sameRejection('pub 33', 'INVALID_KEY', (c) => c.x25519(key, concatBytes(pub, Uint8Array.of(1))))
    const short = SecretKey.fromBytes(new Uint8Array(31).fill(1))
    sameRejection('priv 31', 'INVALID_KEY', (c) => c.x25519(short, pub))
    sameRejection('public of priv 31', 'INVALID_KEY', (c) => c.x25519PublicKey(short))
    sameRejection('import 31', 'INVALID_KEY', (c) =>
      c.x25519PrivateKey(new Uint8Array(31)).exportBytes(),
    )
  })
})

describe('AEAD and ECIES tampering', () => {
  const key = new Uint8Array(32).fill(3)
  const nonce = new Uint8Array(12).fill(4)
  const sealed = reference.aesGcmSeal(key, nonce, utf8('attack at dawn'), utf8('aad'))
  const flip = (b: Uint8Array, i: number) => {
    const c = Uint8Array.from(b)
    c[i < 0 ? c.length + i : i]! ^= 0x80
    return c
  }
  test('GCM: flipped ciphertext, flipped tag, wrong AAD, missing AAD, short → MAC_MISMATCH', () => {
    sameRejection('ct', 'MAC_MISMATCH', (c) =>
      c.aesGcmOpen(key, nonce, flip(sealed, 0), utf8('aad')),
    )
    sameRejection('tag', 'MAC_MISMATCH', (c) =>
      c.aesGcmOpen(key, nonce, flip(sealed, -1), utf8('aad')),
    )
    sameRejection('aad', 'MAC_MISMATCH', (c) => c.aesGcmOpen(key, nonce, sealed, utf8('aae')))
    sameRejection('no aad', 'MAC_MISMATCH', (c) => c.aesGcmOpen(key, nonce, sealed))
    sameRejection('key', 'MAC_MISMATCH', (c) =>
      c.aesGcmOpen(flip(key, 0), nonce, sealed, utf8('aad')),
    )
    sameRejection('short', 'MAC_MISMATCH', (c) => c.aesGcmOpen(key, nonce, sealed.subarray(0, 15)))
    sameRejection('empty', 'MAC_MISMATCH', (c) => c.aesGcmOpen(key, nonce, new Uint8Array(0)))
    for (const [, c] of PROVIDERS) {
      assert.equal(
        Buffer.from(c.aesGcmOpen(key, nonce, sealed, utf8('aad'))).toString(),
        'attack at dawn',
      )
    }
  })
  test('encryptSymmetric payloads: tampering → MAC_MISMATCH, too short → WIRE_MALFORMED', () => {
    const data = reference.encryptSymmetric(key, utf8('hello'))
    sameRejection('flip', 'MAC_MISMATCH', (c) => c.decryptSymmetric(key, flip(data, 2)))
    sameRejection('nonce', 'MAC_MISMATCH', (c) => c.decryptSymmetric(key, flip(data, -1)))
    sameRejection('short', 'WIRE_MALFORMED', (c) => c.decryptSymmetric(key, data.subarray(0, 27)))
  })
  test('ECIES: bad R → MAC_MISMATCH, tampering → MAC_MISMATCH, short → WIRE_MALFORMED', () => {
    const data = reference.eciesEncrypt(good.publicKey, utf8('hello'))
    const offCurve = Uint8Array.from(data)
    offCurve[64]! ^= 1
    sameRejection('R', 'MAC_MISMATCH', (c) => c.eciesDecrypt(good.privateKey, offCurve))
    sameRejection('body', 'MAC_MISMATCH', (c) => c.eciesDecrypt(good.privateKey, flip(data, 82)))
    sameRejection('tag', 'MAC_MISMATCH', (c) => c.eciesDecrypt(good.privateKey, flip(data, -1)))
    sameRejection('short', 'WIRE_MALFORMED', (c) =>
      c.eciesDecrypt(good.privateKey, data.subarray(0, 112)),
    )
    const other = reference.generateKeyPair()
    sameRejection('wrong key', 'MAC_MISMATCH', (c) => c.eciesDecrypt(other.privateKey, data))
  })
})

describe('programmer errors are the same built-in errors in both', () => {
  const calls: [string, (c: CryptoProvider) => Uint8Array][] = [
    [
      'AES key of 5 bytes',
      (c) => c.aesCtr(new Uint8Array(5), new Uint8Array(16), new Uint8Array(1)),
    ],
    [
      'CTR IV of 12 bytes',
      (c) => c.aesCtr(new Uint8Array(32), new Uint8Array(12), new Uint8Array(1)),
    ],
    [
      'GCM nonce of 4 bytes',
      (c) => c.aesGcmSeal(new Uint8Array(32), new Uint8Array(4), new Uint8Array(1)),
    ],
    [
      'HKDF length 8161',
      (c) => c.hkdfSha256(new Uint8Array(1), new Uint8Array(0), new Uint8Array(0), 8161),
    ],
    [
      'HKDF length -1',
      (c) => c.hkdfSha256(new Uint8Array(1), new Uint8Array(0), new Uint8Array(0), -1),
    ],
    ['PBKDF2 0 iterations', (c) => c.pbkdf2Sha256(new Uint8Array(1), new Uint8Array(0), 0, 32)],
  ]
  for (const [name, fn] of calls) {
    test(name, () => {
      const outcomes = PROVIDERS.map(([, c]) => outcome(() => fn(c)))
      assert.match(outcomes[0]!, /^(TypeError|RangeError):/)
      assert.deepEqual(
        outcomes,
        outcomes.map(() => outcomes[0]),
      )
    })
  }
  test('throwsCode helper rejects non-PfsErrors', () => {
    assert.throws(() =>
      throwsCode(() => {
        throw new TypeError('x')
      }, 'INVALID_KEY'),
    )
  })
})
