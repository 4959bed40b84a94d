/**
 * `rememberOpened` (src/transport/payload.ts): `open` returns a remembered result once, only for
 * the same data array and the same key object, still applies `allowUnsigned`, and rethrows a
 * remembered failure with its code.
 *
 * @module
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { providers } from '../../src/crypto/index.ts'
import type { CryptoProvider } from '../../src/crypto/index.ts'
import { isPfsError } from '../../src/errors.ts'
import { open, rememberOpened, sealAsymmetric } from '../../src/transport/index.ts'
import type { OpenKey } from '../../src/transport/index.ts'

const crypto = providers.native
const me = crypto.generateKeyPair()
const key: OpenKey = { privateKey: me.privateKey }

function counting(): { provider: CryptoProvider; calls: () => number } {
  let n = 0
  const provider: CryptoProvider = {
    ...crypto,
    eciesDecrypt: (k, d) => (n++, crypto.eciesDecrypt(k, d)),
  }
  return { provider, calls: () => n }
}

describe('rememberOpened', () => {
  test('used once, for the same data and key object only', () => {
    const data = sealAsymmetric(Uint8Array.of(1, 2, 3), me.publicKey, me.privateKey)
    const real = open(data, key)
    const spy = counting()
    rememberOpened(data, key, { ok: true, opened: real })
    assert.equal(open(data, key, { provider: spy.provider }), real)
    assert.equal(spy.calls(), 0)
    // Taken out: the next open decrypts again.
    assert.deepEqual(open(data, key, { provider: spy.provider }), real)
    assert.equal(spy.calls(), 1)
    // Another key object (even for the same key), or a copy of the data: not used.
    rememberOpened(data, key, { ok: true, opened: real })
    assert.deepEqual(open(data, { privateKey: me.privateKey }, { provider: spy.provider }), real)
    assert.equal(spy.calls(), 2)
    rememberOpened(data, key, { ok: true, opened: real })
    assert.deepEqual(open(data.slice(), key, { provider: spy.provider }), real)
    assert.equal(spy.calls(), 3)
  })

  test('allowUnsigned still applies, and a remembered failure keeps its code', () => {
    const unsigned = sealAsymmetric(Uint8Array.of(4), me.publicKey, undefined)
    const opened = open(unsigned, key, { allowUnsigned: true })
    rememberOpened(unsigned, key, { ok: true, opened })
    assert.throws(
      () => open(unsigned, key),
      (e) => isPfsError(e, 'UNSIGNED_PAYLOAD'),
    )
    rememberOpened(unsigned, key, { ok: true, opened })
    assert.equal(open(unsigned, key, { allowUnsigned: true }), opened)

    const bad = Uint8Array.of(9, 9, 9)
    rememberOpened(bad, key, { ok: false, code: 'MAC_MISMATCH', message: 'x' })
    assert.throws(
      () => open(bad, key),
      (e) => isPfsError(e, 'MAC_MISMATCH'),
    )
    rememberOpened(bad, key, { ok: false, code: 'WIRE_MALFORMED', message: 'y' })
    assert.throws(
      () => open(bad, key),
      (e) => isPfsError(e, 'WIRE_MALFORMED'),
    )
  })
})
