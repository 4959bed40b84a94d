/**
 * Published known-answer tests for the primitives the reference vectors exercise only indirectly:
 * RFC 5869 HKDF-SHA256 (fixtures/rfc5869-hkdf.json), FIPS 180 SHA-256, Ethereum Keccak-256,
 * RFC 4231 HMAC-SHA256, RFC 7914 §11 PBKDF2-HMAC-SHA256, NIST SP 800-38A CTR, the GCM paper's
 * AES-256 cases 13/14, and RFC 7748 §6.1 X25519 — under both providers.
 *
 * @module
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { utf8 } from '../../src/crypto/index.ts'
import rfc5869 from './fixtures/rfc5869-hkdf.json' with { type: 'json' }
import { PROVIDERS, h, hx, sk } from './helpers.ts'

for (const [name, c] of PROVIDERS) {
  describe(`${name}: RFC 5869 HKDF-SHA256`, () => {
    for (const v of rfc5869.vectors) {
      test(v.name, () => {
        // RFC 5869 §2.2: PRK = HMAC-Hash(salt, IKM); an empty salt is HashLen zeros.
        const salt = v.salt === '' ? new Uint8Array(32) : h(v.salt)
        assert.equal(hx(c.hmacSha256(salt, h(v.ikm))), v.prk)
        assert.equal(hx(c.hkdfSha256(h(v.ikm), h(v.salt), h(v.info), v.length)), v.expected)
      })
    }
  })

  describe(`${name}: hashes, MAC, PBKDF2, ciphers, X25519`, () => {
    test('SHA-256 (FIPS 180-4 examples)', () => {
      assert.equal(
        hx(c.sha256(utf8('abc'))),
        'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      )
      assert.equal(
        hx(c.sha256(new Uint8Array(0))),
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      )
    })
    test('Keccak-256 is legacy Keccak, not SHA3-256 (PROTOCOL.md §3)', () => {
      assert.equal(
        hx(c.keccak256(new Uint8Array(0))),
        'c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470',
      )
    })
    test('HMAC-SHA256 (RFC 4231 test case 2)', () => {
      assert.equal(
        hx(c.hmacSha256(utf8('Jefe'), utf8('what do ya want for nothing?'))),
        '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
      )
    })
    test('PBKDF2-HMAC-SHA256 ("password", "salt")', () => {
      const p = utf8('password')
      const s = utf8('salt')
      assert.equal(
        hx(c.pbkdf2Sha256(p, s, 1, 32)),
        '120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b',
      )
      assert.equal(
        hx(c.pbkdf2Sha256(p, s, 4096, 32)),
        'c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a',
      )
    })
    test('AES-CTR (SP 800-38A F.5.1 and F.5.5, first block)', () => {
      const iv = h('f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff')
      const pt = h('6bc1bee22e409f96e93d7e117393172a')
      assert.equal(
        hx(c.aesCtr(h('2b7e151628aed2a6abf7158809cf4f3c'), iv, pt)),
        '874d6191b620e3261bef6864990db6ce',
      )
      const k256 = h('603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4')
      assert.equal(hx(c.aesCtr(k256, iv, pt)), '601ec313775789a5b7a7f504bbf3d228')
    })
    test('AES-CTR counts over the whole 16-byte block (Go cipher.NewCTR, §7.1)', () => {
      const key = new Uint8Array(32).fill(7)
      const ks = c.aesCtr(key, new Uint8Array(16).fill(0xff), new Uint8Array(48))
      // After ff…ff the counter wraps to 00…00, then 00…01.
      assert.equal(
        hx(ks.subarray(16, 32)),
        hx(c.aesCtr(key, new Uint8Array(16), new Uint8Array(16))),
      )
    })
    test('AES-256-GCM (GCM spec test cases 13 and 14)', () => {
      const k = new Uint8Array(32)
      const n = new Uint8Array(12)
      assert.equal(hx(c.aesGcmSeal(k, n, new Uint8Array(0))), '530f8afbc74536b9a963b4f1c4cb738b')
      assert.equal(
        hx(c.aesGcmSeal(k, n, new Uint8Array(16))),
        'cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919',
      )
      assert.equal(hx(c.aesGcmOpen(k, n, h('530f8afbc74536b9a963b4f1c4cb738b'))), '')
    })
    test('X25519 (RFC 7748 §6.1)', () => {
      const a = sk('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a')
      const b = sk('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb')
      const pa = c.x25519PublicKey(a)
      const pb = c.x25519PublicKey(b)
      assert.equal(hx(pa), '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a')
      assert.equal(hx(pb), 'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f')
      const k = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742'
      assert.equal(hx(c.x25519(a, pb)), k)
      assert.equal(hx(c.x25519(b, pa)), k)
    })
  })
}
