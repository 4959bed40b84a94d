/**
 * Secret handling (STYLE.md §6) across both providers: keys they make never print (String,
 * template literals, util.inspect, console formatting) and never serialize (JSON.stringify throws);
 * errors about bad keys carry no key bytes; a destroyed key is refused; and the native backend
 * returns plain `Uint8Array`s (never Buffers, never views into a shared pool).
 *
 * @module
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { format, inspect } from 'node:util'
import { SecretKey, toHex, utf8 } from '../../src/crypto/index.ts'
import { nativeSecp256k1Available } from '../../src/crypto/native.ts'
import { PfsError } from '../../src/errors.ts'
import { PROVIDERS } from './helpers.ts'

const REDACTED = 'SecretKey(<redacted>)'

for (const [name, c] of PROVIDERS) {
  describe(`${name}: secrets never print`, () => {
    const keys: [string, SecretKey][] = [
      ['secp256k1 generated', c.secp256k1GeneratePrivateKey()],
      ['secp256k1 imported', c.secp256k1PrivateKey(c.sha256(utf8('k')))],
      ['x25519 generated', c.x25519GeneratePrivateKey()],
      ['key pair', c.generateKeyPair().privateKey],
    ]
    for (const [what, key] of keys) {
      test(what, () => {
        const secret = toHex(key.exportBytes())
        assert.equal(String(key), REDACTED)
        // eslint-disable-next-line @typescript-eslint/restrict-template-expressions -- what a careless log line does
        assert.equal(`${key}`, REDACTED)
        assert.equal(inspect(key), REDACTED)
        assert.equal(inspect({ nested: { key } }, { depth: 5 }).includes(secret), false)
        assert.equal(format('%o %O %s', key, key, key).includes(secret), false)
        assert.throws(() => JSON.stringify({ key }), TypeError)
        assert.equal(key.length, 32)
      })
    }

    test('errors about bad keys carry no key bytes', () => {
      const bad = new Uint8Array(32).fill(0xff)
      const key = SecretKey.fromBytes(bad)
      for (const fn of [
        () => c.secp256k1PrivateKey(bad),
        () => c.secp256k1Ecdh(key, c.generateKeyPair().publicKey),
        () => c.secp256k1SignRecoverable(new Uint8Array(32), key),
      ]) {
        try {
          fn()
          assert.fail('expected a rejection')
        } catch (e) {
          assert.ok(e instanceof PfsError)
          const shown = `${String(e)} ${JSON.stringify(e)} ${inspect(e)}`
          assert.equal(shown.includes('ffffffff'), false)
        }
      }
    })

    test('a destroyed key is refused', () => {
      const kp = c.generateKeyPair()
      kp.privateKey.destroy()
      assert.throws(() => c.secp256k1Ecdh(kp.privateKey, kp.publicKey), TypeError)
      assert.throws(() => c.signKeccak(utf8('m'), kp.privateKey), TypeError)
      const x = c.x25519GeneratePrivateKey()
      x.destroy()
      assert.throws(() => c.x25519PublicKey(x), TypeError)
    })
  })
}

describe('native backend', () => {
  const [, native] = PROVIDERS.find(([n]) => n === 'native')!
  test('secp256k1 runs on the libsecp256k1 addon on this platform', () => {
    // The prebuilds cover linux-x64, darwin-arm64 and win32-x64; elsewhere the fallback is portable.
    if (
      ['linux-x64', 'darwin-arm64', 'win32-x64'].includes(`${process.platform}-${process.arch}`)
    ) {
      assert.equal(nativeSecp256k1Available, true)
    }
    assert.equal(native.name, 'native')
  })

  test('every byte result is a plain Uint8Array that owns its whole buffer', () => {
    const kp = native.generateKeyPair()
    const x = native.x25519GeneratePrivateKey()
    const k32 = native.randomBytes(32)
    const results: [string, Uint8Array][] = [
      ['randomBytes', native.randomBytes(7)],
      ['publicKey', native.secp256k1PublicKey(kp.privateKey, false)],
      ['convert', native.secp256k1ConvertPublicKey(kp.publicKey, false)],
      ['ecdh', native.secp256k1Ecdh(kp.privateKey, kp.publicKey)],
      ['sign', native.signKeccak(utf8('m'), kp.privateKey)],
      ['recover', native.recoverKeccak(utf8('m'), native.signKeccak(utf8('m'), kp.privateKey))],
      ['x25519 public', native.x25519PublicKey(x)],
      ['x25519', native.x25519(x, native.x25519PublicKey(native.x25519GeneratePrivateKey()))],
      ['sha256', native.sha256(utf8('a'))],
      ['keccak256', native.keccak256(utf8('a'))],
      ['hmac', native.hmacSha256(k32, utf8('a'))],
      ['hkdf', native.hkdfSha256(k32, k32, utf8('i'), 80)],
      ['hkdf long info', native.hkdfSha256(k32, k32, new Uint8Array(2000), 80)],
      ['pbkdf2', native.pbkdf2Sha256(k32, k32, 2, 32)],
      ['ctr', native.aesCtr(k32, k32.subarray(0, 16), utf8('abc'))],
      ['gcm seal', native.aesGcmSeal(k32, k32.subarray(0, 12), utf8('abc'))],
      [
        'gcm open',
        native.aesGcmOpen(
          k32,
          k32.subarray(0, 12),
          native.aesGcmSeal(k32, k32.subarray(0, 12), utf8('abc')),
        ),
      ],
    ]
    for (const [what, out] of results) {
      assert.equal(Object.getPrototypeOf(out), Uint8Array.prototype, what)
      assert.equal(out.byteOffset, 0, what)
      assert.equal(out.buffer.byteLength, out.length, what)
    }
  })
})
