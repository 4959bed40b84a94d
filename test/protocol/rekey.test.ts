/**
 * Signed prekey rotation and re-keying (PROTOCOL.md §4.1 step 3, §9 "Re-keying"; whitepaper §3.3)
 * on MemoryStore and SqliteStore, with a fake clock: after the rotation interval our bundle carries
 * version + 1; a peer that sees it stops using the session on the old key and runs a new X3DH; a
 * message still in flight on the old session decrypts.
 *
 * @module
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { bytesEqual, utf8 } from '../../src/crypto/index.ts'
import { STORES, T0, device } from './helpers.ts'

const HOUR_NS = 3_600_000_000_000n

for (const [storeName, makeStore] of STORES) {
  describe(`[${storeName}]`, () => {
    test('§4.1 rotation: a new version after 24 h, the old key kept but expired', () => {
      const clock = { now: T0 }
      const bob = device(makeStore, 'bob', 'bob-1', clock)
      const v1 = bob.protocol.ourBundle().signedPreKeys['bob-1']!
      assert.equal(v1.version, 1)
      clock.now += 23n * HOUR_NS
      assert.ok(
        bytesEqual(bob.protocol.ourBundle().signedPreKeys['bob-1']!.signedPreKey, v1.signedPreKey),
      )
      clock.now += 2n * HOUR_NS
      const v2 = bob.protocol.ourBundle().signedPreKeys['bob-1']!
      assert.equal(v2.version, 2)
      assert.ok(!bytesEqual(v2.signedPreKey, v1.signedPreKey))
      const keys = bob.store.listSignedPreKeys({ includeExpired: true })
      assert.deepEqual(
        keys.map((k) => [k.version, k.expired]),
        [
          [2, false],
          [1, true],
        ],
      )
    })

    test('§3.3 re-key: a higher bundle version starts a new X3DH; in-flight messages still decrypt', () => {
      const clock = { now: T0 }
      const alice = device(makeStore, 'alice', 'alice-1', clock)
      const bob = device(makeStore, 'bob', 'bob-1', clock)
      alice.protocol.processBundle(bob.protocol.ourBundle())
      const m1 = alice.protocol.encrypt(bob.publicKey, utf8('m1'))
      bob.protocol.decrypt(alice.publicKey, m1.message)
      const oldId = m1.message.encryptedMessage['bob-1']!.DRHeader!.id
      const inFlight = alice.protocol.encrypt(bob.publicKey, utf8('in flight'))
      clock.now += 25n * HOUR_NS
      alice.protocol.processBundle(bob.protocol.ourBundle(), bob.publicKey)
      const m2 = alice.protocol.encrypt(bob.publicKey, utf8('m2'))
      const e2 = m2.message.encryptedMessage['bob-1']!
      assert.ok(e2.X3DHHeader !== undefined)
      assert.ok(!bytesEqual(e2.X3DHHeader.id, oldId))
      assert.deepEqual(bob.protocol.decrypt(alice.publicKey, m2.message)?.payload, utf8('m2'))
      assert.deepEqual(
        bob.protocol.decrypt(alice.publicKey, inFlight.message)?.payload,
        utf8('in flight'),
      )
      const reply = bob.protocol.encrypt(alice.publicKey, utf8('reply'))
      assert.ok(
        bytesEqual(reply.message.encryptedMessage['alice-1']!.DRHeader!.id, e2.X3DHHeader.id),
      )
      assert.deepEqual(alice.protocol.decrypt(bob.publicKey, reply.message)?.payload, utf8('reply'))
    })
  })
}
