/**
 * Interop with an independent implementation: `@waku/message-encryption@0.0.38` (js-waku), a
 * devDependency used as an oracle (TRANSPORT.md §2). Payloads sealed by it (symmetric and ECIES,
 * signed) open with ours and report its signer; ours open with it and it reports our signer.
 * It misreads Uint8Array sub-views (`postCipher` uses `message.buffer`), so it only ever gets
 * fresh copies.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ecies, symmetric, getPublicKey } from '@waku/message-encryption'
import { SecretKey, providers, toHex } from '../../src/crypto/index.ts'
import { open, sealAsymmetric, sealSymmetric } from '../../src/transport/index.ts'

const copy = (b: Uint8Array): Uint8Array => Uint8Array.from(b)
const SIZES = [0, 1, 5, 190, 191, 255, 300, 4096, 70000]

for (const [pname, provider] of Object.entries(providers)) {
  const sender = provider.generateKeyPair()
  const senderPriv = sender.privateKey.exportBytes()
  const senderPub = provider.decompressPublicKey(sender.publicKey)
  const recipient = provider.generateKeyPair()
  const recipientPriv = recipient.privateKey.exportBytes()
  const recipientPub = provider.decompressPublicKey(recipient.publicKey)
  const symKeyBytes = provider.randomBytes(32)
  const symKey = SecretKey.fromBytes(symKeyBytes)

  test(`[${pname}] js-waku sender key derivation agrees with ours`, () => {
    assert.equal(toHex(getPublicKey(copy(senderPriv), false)), toHex(senderPub))
  })

  for (const size of SIZES) {
    const payload = Uint8Array.from({ length: size }, (_, i) => (i * 31 + size) & 0xff)

    test(`[${pname}] symmetric ${size} B: js-waku seals, we open`, async () => {
      const raw = await symmetric.preCipher(copy(payload), copy(senderPriv))
      const data = await symmetric.encryptSymmetric(raw, copy(symKeyBytes))
      const opened = open(data, { symKey }, { provider })
      assert.equal(toHex(opened.payload), toHex(payload))
      assert.equal(toHex(opened.signer!), toHex(senderPub))
      assert.equal((data.length - 28) % 256, 0)
    })

    test(`[${pname}] symmetric ${size} B: we seal, js-waku opens`, async () => {
      const data = sealSymmetric(payload, symKey, sender.privateKey, { provider })
      const raw = await symmetric.decryptSymmetric(copy(data), copy(symKeyBytes))
      const decoded = symmetric.postCipher(copy(raw))
      assert.ok(decoded)
      assert.equal(toHex(decoded.payload), toHex(payload))
      assert.equal(toHex(decoded.sig!.publicKey!), toHex(senderPub))
    })

    test(`[${pname}] ECIES ${size} B: js-waku seals, we open`, async () => {
      const raw = await ecies.preCipher(copy(payload), copy(senderPriv))
      const data = await ecies.encryptAsymmetric(raw, copy(recipientPub))
      const opened = open(data, { privateKey: recipient.privateKey }, { provider })
      assert.equal(toHex(opened.payload), toHex(payload))
      assert.equal(toHex(opened.signer!), toHex(senderPub))
    })

    test(`[${pname}] ECIES ${size} B: we seal, js-waku opens`, async () => {
      const data = sealAsymmetric(payload, recipient.publicKey, sender.privateKey, { provider })
      const raw = await ecies.decryptAsymmetric(copy(data), copy(recipientPriv))
      const decoded = ecies.postCipher(copy(raw))
      assert.ok(decoded)
      assert.equal(toHex(decoded.payload), toHex(payload))
      assert.equal(toHex(decoded.sig!.publicKey!), toHex(senderPub))
    })
  }

  test(`[${pname}] js-waku unsigned payload is refused unless allowed`, async () => {
    const raw = await symmetric.preCipher(Uint8Array.from([1, 2, 3]))
    const data = await symmetric.encryptSymmetric(raw, copy(symKeyBytes))
    assert.throws(() => open(data, { symKey }, { provider }), { code: 'UNSIGNED_PAYLOAD' })
    const opened = open(data, { symKey }, { provider, allowUnsigned: true })
    assert.equal(toHex(opened.payload), '010203')
    assert.equal(opened.signer, undefined)
    // TRANSPORT.md §2: flags 0x01 and 251 bytes of padding for a 3-byte unsigned payload.
    assert.equal(opened.padding.length, 251)
  })

  test(`[${pname}] js-waku payload under the wrong key is MAC_MISMATCH`, async () => {
    const raw = await symmetric.preCipher(Uint8Array.from([1]), copy(senderPriv))
    const data = await symmetric.encryptSymmetric(raw, copy(symKeyBytes))
    const other = SecretKey.fromBytes(provider.randomBytes(32))
    assert.throws(() => open(data, { symKey: other }, { provider }), { code: 'MAC_MISMATCH' })
  })
}

test('sub-views given to us work (we do not repeat the js-waku quirk)', () => {
  const provider = providers.portable
  const sender = provider.generateKeyPair()
  const key = SecretKey.fromBytes(provider.randomBytes(32))
  const data = sealSymmetric(Uint8Array.from([9, 9]), key, sender.privateKey, { provider })
  const framed = new Uint8Array(data.length + 7)
  framed.set(data, 3)
  const view = framed.subarray(3, 3 + data.length)
  assert.equal(toHex(open(view, { symKey: key }, { provider }).payload), '0909')
})
