/**
 * Topic agreement (PROTOCOL.md §11.3-§11.4, status-go `Agreed`): `EncryptResult.agreed` is true
 * only when every installation that got an entry has sent us a message under protocol version
 * ≥ 1; every send records the static secret with our own installation id. On MemoryStore and
 * SqliteStore.
 *
 * @module
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { bytesEqual, utf8 } from '../../src/crypto/index.ts'
import type { EncryptResult } from '../../src/protocol/index.ts'
import { SCENARIO_STORES, crypto, device, identityKey } from './helpers.ts'
import type { Device } from './helpers.ts'

function send(from: Device, to: Device, t: string): EncryptResult {
  const sent = from.protocol.encrypt(to.publicKey, utf8(t))
  const got = to.protocol.handle(from.publicKey, sent.message)
  assert.equal(got.kind, 'message')
  return sent
}

for (const [storeName, makeStore] of SCENARIO_STORES) {
  describe(`§11.4 agreement [${storeName}]`, () => {
    test('agreed once every target installation has written to us; a new one undoes it', () => {
      const alice = device(makeStore, 'alice', 'a1')
      const bob = device(makeStore, 'bob', 'b1')
      // Alice knows Bob's bundle: X3DH, a DR entry for b1, but b1 never wrote to her.
      alice.protocol.processBundle(bob.protocol.ourBundle(), bob.publicKey)
      const first = send(alice, bob, 'hi')
      assert.deepEqual(first.targets, ['b1'])
      assert.equal(first.agreed, false)
      // The send recorded the secret X(IK_a · IK_b) with Alice's own installation.
      const mine = alice.store.getSharedSecret(bob.publicKey)
      assert.ok(mine !== undefined)
      assert.deepEqual(mine.installations, ['a1'])
      const expected = crypto.secp256k1Ecdh(identityKey('alice'), bob.publicKey)
      assert.ok(bytesEqual(mine.secret, expected))
      // Bob received a v1 message from a1 and answers: both sides have agreed.
      assert.equal(send(bob, alice, 'hello').agreed, true)
      assert.equal(send(alice, bob, 'again').agreed, true)
      // A second device of Bob Alice has not heard from: not agreed until it writes.
      const bob2 = device(makeStore, 'bob', 'b2')
      alice.protocol.processBundle(bob2.protocol.ourBundle(), bob.publicKey)
      const fanOut = alice.protocol.encrypt(bob.publicKey, utf8('both'))
      assert.deepEqual([...fanOut.targets].sort(), ['b1', 'b2'])
      assert.equal(fanOut.agreed, false)
      // bob2 reads a1's message, so it has agreed; a1 has once bob2 writes back.
      assert.equal(bob2.protocol.handle(alice.publicKey, fanOut.message).kind, 'message')
      assert.equal(alice.protocol.encrypt(bob.publicKey, utf8('still')).agreed, false)
      assert.equal(send(bob2, alice, 'me too').agreed, true)
      assert.equal(alice.protocol.encrypt(bob.publicKey, utf8('all')).agreed, true)
    })

    test('the DH fallback and a bundle-only message are never agreed', () => {
      const alice = device(makeStore, 'alice', 'a1')
      const bob = device(makeStore, 'bob', 'b1')
      const fallback = alice.protocol.encrypt(bob.publicKey, utf8('no bundle yet'))
      assert.deepEqual(fallback.targets, ['none'])
      assert.equal(fallback.agreed, false)
      const lone = alice.protocol.encrypt(alice.publicKey, utf8('to my other devices'))
      assert.deepEqual(lone.targets, [])
      assert.equal(lone.agreed, false)
    })
  })
}
