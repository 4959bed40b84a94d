/**
 * Forged and smuggled bundles (issue 10 "Attack tests"; PROTOCOL.md §4.3 quirks): a bundle that
 * names one identity but is signed by another is refused and nothing of it is stored; a valid
 * bundle of a third party attached to a message (the envelope signer is not the bundle's owner)
 * does not add that party's devices. The reference stores bundles before checking them and never
 * compares them with the envelope signer; both are fixed here.
 *
 * @module
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { utf8 } from '../../src/crypto/index.ts'
import { isPfsError } from '../../src/errors.ts'
import { BundleSchema, clone } from '../../src/wire/index.ts'
import { signatureMaterial } from '../../src/x3dh/index.ts'
import { dumpStore } from '../store/helpers.ts'
import { conversation, crypto, party, rejects } from './helpers.ts'

describe('bundle signed by another identity', () => {
  test('Mallory signs a bundle that names Alice: BUNDLE_SIGNATURE, nothing stored', () => {
    const { alice, bob, mallory } = conversation()
    const forged = clone(BundleSchema, alice.protocol.ourBundle())
    // Mallory's own prekey for an invented device, under Alice's name, signed by Mallory.
    forged.signedPreKeys['alice-evil'] = clone(
      BundleSchema,
      mallory.protocol.ourBundle(),
    ).signedPreKeys['mallory-1']!
    forged.signature = crypto.signKeccak(signatureMaterial(forged), mallory.identity)
    rejects(bob, () => bob.protocol.processBundle(forged), 'BUNDLE_SIGNATURE')
    assert.equal(
      bob.store.listInstallations(alice.publicKey).some((i) => i.installationId === 'alice-evil'),
      false,
    )
  })

  test('another identity’s valid signature pasted onto the bundle: BUNDLE_SIGNATURE', () => {
    const { alice, bob, mallory } = conversation()
    const forged = clone(BundleSchema, alice.protocol.ourBundle())
    forged.signature = mallory.protocol.ourBundle().signature
    rejects(bob, () => bob.protocol.processBundle(forged), 'BUNDLE_SIGNATURE')
  })

  test('a tampered field under a valid signature: BUNDLE_SIGNATURE', () => {
    const { alice, bob } = conversation()
    const forged = clone(BundleSchema, alice.protocol.ourBundle())
    forged.timestamp += 1n
    rejects(bob, () => bob.protocol.processBundle(forged), 'BUNDLE_SIGNATURE')
  })
})

describe('bundle attached by a non-signer', () => {
  test('Mallory attaches Alice’s genuine bundle to her message: refused, Alice untouched', () => {
    const { alice, bob, mallory } = conversation()
    // A newer Alice bundle with a device Bob does not know yet (her second phone).
    const phone = party('alice', 'alice-2', { now: 1_767_225_600_000_000_000n })
    alice.protocol.processBundle(phone.protocol.ourBundle())
    alice.protocol.enableDevice('alice-2')
    const aliceBundle = alice.protocol.ourBundle()
    assert.ok(Object.hasOwn(aliceBundle.signedPreKeys, 'alice-2'))

    mallory.protocol.processBundle(bob.protocol.ourBundle())
    const m = mallory.protocol.encrypt(bob.publicKey, utf8('trust me')).message
    m.bundles.push(aliceBundle)
    const before = dumpStore(bob.store)
    // The envelope signer is Mallory: Alice's bundle must not be taken from her. Refusing the
    // whole message (current behaviour) or ignoring the bundle are both acceptable.
    try {
      bob.protocol.decrypt(mallory.publicKey, m)
    } catch (e) {
      assert.ok(isPfsError(e, 'BUNDLE_SIGNATURE'), `unexpected ${String(e)}`)
      assert.equal(dumpStore(bob.store), before, 'a refused message changed the store')
    }
    assert.equal(
      bob.store.listInstallations(alice.publicKey).some((i) => i.installationId === 'alice-2'),
      false,
    )
  })

  test('processBundle with a signer that is not the owner: BUNDLE_SIGNATURE', () => {
    const { alice, bob, mallory } = conversation()
    rejects(
      bob,
      () => bob.protocol.processBundle(alice.protocol.ourBundle(), mallory.publicKey),
      'BUNDLE_SIGNATURE',
    )
  })
})
