/**
 * A failed handle leaves the store unchanged (PROTOCOL.md §8.2, §4.3; issue 5 "Done when"), on
 * MemoryStore and SqliteStore: a tampered ciphertext (first X3DH message and a later one), a
 * forged bundle, a valid bundle of another identity than the envelope signer, and a duplicate
 * (`DUPLICATE`). The store is compared through a dump of every record the protocol writes.
 *
 * @module
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { utf8 } from '../../src/crypto/index.ts'
import { isPfsError } from '../../src/errors.ts'
import type { ErrorCode } from '../../src/errors.ts'
import type { ProtocolMessage } from '../../src/wire/index.ts'
import { ProtocolMessageSchema, clone } from '../../src/wire/index.ts'
import { STORES, device, dump } from './helpers.ts'
import type { Device } from './helpers.ts'

/** Runs a failing decrypt and checks its code and that the receiver's store did not change. */
function failsCleanly(
  receiver: Device,
  sender: Uint8Array,
  message: ProtocolMessage,
  code: ErrorCode,
  identities: readonly Uint8Array[],
): void {
  const before = dump(receiver.store, identities)
  assert.throws(
    () => receiver.protocol.decrypt(sender, message),
    (e: unknown) => isPfsError(e, code),
    `expected ${code}`,
  )
  assert.equal(dump(receiver.store, identities), before)
}

function tamperPayload(message: ProtocolMessage, installationId: string): ProtocolMessage {
  const copy = clone(ProtocolMessageSchema, message)
  const entry = copy.encryptedMessage[installationId]!
  entry.payload[entry.payload.length - 1]! ^= 1
  return copy
}

for (const [storeName, makeStore] of STORES) {
  describe(`[${storeName}]`, () => {
    const setup = () => {
      const alice = device(makeStore, 'alice', 'alice-1')
      const bob = device(makeStore, 'bob', 'bob-1')
      const mallory = device(makeStore, 'mallory', 'mallory-1')
      alice.protocol.processBundle(bob.protocol.ourBundle())
      bob.protocol.ourBundle() // Bob's signed prekey exists before the snapshot
      const ids = [alice.publicKey, bob.publicKey, mallory.publicKey]
      return { alice, bob, mallory, ids }
    }

    test('tampered first (X3DH) message: MAC_MISMATCH, no session or bundle kept', () => {
      const { alice, bob, ids } = setup()
      const sent = alice.protocol.encrypt(bob.publicKey, utf8('first'))
      failsCleanly(bob, alice.publicKey, tamperPayload(sent.message, 'bob-1'), 'MAC_MISMATCH', ids)
      assert.deepEqual(bob.store.listInstallations(alice.publicKey), [])
      assert.deepEqual(bob.protocol.decrypt(alice.publicKey, sent.message)?.payload, utf8('first'))
    })

    test('tampered later message: MAC_MISMATCH, ratchet state unchanged', () => {
      const { alice, bob, ids } = setup()
      bob.protocol.decrypt(
        alice.publicKey,
        alice.protocol.encrypt(bob.publicKey, utf8('1')).message,
      )
      alice.protocol.decrypt(
        bob.publicKey,
        bob.protocol.encrypt(alice.publicKey, utf8('2')).message,
      )
      const sent = alice.protocol.encrypt(bob.publicKey, utf8('3'))
      failsCleanly(bob, alice.publicKey, tamperPayload(sent.message, 'bob-1'), 'MAC_MISMATCH', ids)
      assert.deepEqual(bob.protocol.decrypt(alice.publicKey, sent.message)?.payload, utf8('3'))
    })

    test('forged bundle: BUNDLE_SIGNATURE, nothing stored', () => {
      const { alice, bob, ids } = setup()
      const sent = alice.protocol.encrypt(bob.publicKey, utf8('forged'))
      const forged = clone(ProtocolMessageSchema, sent.message)
      forged.bundles[0]!.timestamp += 1n
      failsCleanly(bob, alice.publicKey, forged, 'BUNDLE_SIGNATURE', ids)
    })

    test("another identity's valid bundle: BUNDLE_SIGNATURE, nothing stored", () => {
      const { alice, bob, mallory, ids } = setup()
      const sent = alice.protocol.encrypt(bob.publicKey, utf8('smuggled'))
      const smuggled = clone(ProtocolMessageSchema, sent.message)
      smuggled.bundles.push(mallory.protocol.ourBundle())
      failsCleanly(bob, alice.publicKey, smuggled, 'BUNDLE_SIGNATURE', ids)
      // Mallory signing Alice's message with her own key: Alice's bundle is not hers.
      failsCleanly(bob, mallory.publicKey, sent.message, 'BUNDLE_SIGNATURE', ids)
      assert.throws(
        () => bob.protocol.processBundle(mallory.protocol.ourBundle(), alice.publicKey),
        (e: unknown) => isPfsError(e, 'BUNDLE_SIGNATURE'),
      )
      assert.deepEqual(bob.store.listInstallations(mallory.publicKey), [])
    })

    test('duplicate delivery: DUPLICATE, store unchanged', () => {
      const { alice, bob, ids } = setup()
      const m1 = alice.protocol.encrypt(bob.publicKey, utf8('once')).message
      const m2 = alice.protocol.encrypt(bob.publicKey, utf8('twice')).message
      bob.protocol.decrypt(alice.publicKey, m1)
      bob.protocol.decrypt(alice.publicKey, m2)
      failsCleanly(bob, alice.publicKey, m1, 'DUPLICATE', ids)
      failsCleanly(bob, alice.publicKey, m2, 'DUPLICATE', ids)
      const reply = bob.protocol.encrypt(alice.publicKey, utf8('reply')).message
      alice.protocol.decrypt(bob.publicKey, reply)
      failsCleanly(alice, bob.publicKey, reply, 'DUPLICATE', ids)
    })
  })
}
