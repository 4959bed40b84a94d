/**
 * Session management scenarios (whitepaper §3.2-§3.4; issue 5 "Done when"), each on MemoryStore
 * and on SqliteStore over a temporary file, with a fake clock:
 * - §3.2 both sides initiate at once, then exchange 100 messages each way: nothing is lost and
 *   both converge on the session whose SK is first in byte order;
 * - §3.3 a bundle with a higher version retires the old session, the next send runs a new X3DH,
 *   and a message still in flight on the old session decrypts;
 * - §3.4 expired sessions decrypt for 14 days, then `prune` deletes them with their skipped keys
 *   and the old signed prekey nobody needs any more.
 *
 * @module
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { bytesEqual, compareBytes, utf8 } from '../../src/crypto/index.ts'
import { isPfsError } from '../../src/errors.ts'
import type { EncryptResult, HandleResult } from '../../src/protocol/index.ts'
import { SCENARIO_STORES, T0, device } from './helpers.ts'
import type { Device } from './helpers.ts'

const HOUR_NS = 3_600_000_000_000n
const DAY_NS = 24n * HOUR_NS
const DAY_MS = 24 * 3_600_000

function payloadOf(r: HandleResult): string {
  assert.equal(r.kind, 'message')
  return r.kind === 'message' ? new TextDecoder().decode(r.payload) : ''
}

function send(from: Device, to: Device, text: string): EncryptResult {
  return from.protocol.encrypt(to.publicKey, utf8(text))
}

function deliver(to: Device, from: Device, sent: EncryptResult): string {
  return payloadOf(to.protocol.handle(from.publicKey, sent.message))
}

for (const [storeName, makeStore] of SCENARIO_STORES) {
  describe(`§3.2 Concurrent sessions [${storeName}]`, () => {
    test('both initiate at once, then 100 messages each way: nothing lost, one session', () => {
      const clock = { now: T0 }
      const alice = device(makeStore, 'alice', 'alice-1', clock)
      const bob = device(makeStore, 'bob', 'bob-1', clock)
      alice.protocol.processBundle(bob.protocol.ourBundle())
      bob.protocol.processBundle(alice.protocol.ourBundle())
      const a0 = send(alice, bob, 'a0')
      const b0 = send(bob, alice, 'b0')
      assert.ok(a0.message.encryptedMessage['bob-1']?.X3DHHeader !== undefined)
      assert.ok(b0.message.encryptedMessage['alice-1']?.X3DHHeader !== undefined)
      assert.equal(deliver(bob, alice, a0), 'a0')
      assert.equal(deliver(alice, bob, b0), 'b0')
      const sa = alice.store.listSessionsFor(bob.publicKey, 'bob-1')
      const sb = bob.store.listSessionsFor(alice.publicKey, 'alice-1')
      assert.equal(sa.length, 2)
      assert.equal(sb.length, 2)
      // The same two SKs on both sides; the winner is the first in byte order.
      const winner = [...sa].sort((x, y) => compareBytes(x.sk, y.sk))[0]!
      const received = { alice: 0, bob: 0 }
      for (let i = 0; i < 100; i++) {
        clock.now += 1_000_000n
        const ma = send(alice, bob, `a${String(i)}`)
        const mb = send(bob, alice, `b${String(i)}`)
        const ea = ma.message.encryptedMessage['bob-1']!
        const eb = mb.message.encryptedMessage['alice-1']!
        assert.ok(bytesEqual(ea.DRHeader!.id, winner.bundleId), `alice round ${String(i)}`)
        assert.ok(bytesEqual(eb.DRHeader!.id, winner.bundleId), `bob round ${String(i)}`)
        if (i % 10 === 9) {
          // An extra message each, delivered out of order (skipped keys on the winning session).
          const ma2 = send(alice, bob, `a${String(i)}+`)
          const mb2 = send(bob, alice, `b${String(i)}+`)
          assert.equal(deliver(bob, alice, ma2), `a${String(i)}+`)
          assert.equal(deliver(alice, bob, mb2), `b${String(i)}+`)
          received.bob++
          received.alice++
        }
        assert.equal(deliver(bob, alice, ma), `a${String(i)}`)
        assert.equal(deliver(alice, bob, mb), `b${String(i)}`)
        received.bob++
        received.alice++
      }
      assert.deepEqual(received, { alice: 110, bob: 110 })
      // The loser is marked expired on both sides (no longer sent on), and still kept.
      const now = Number(clock.now / 1_000_000n)
      for (const [d, peer, inst] of [
        [alice, bob, 'bob-1'],
        [bob, alice, 'alice-1'],
      ] as const) {
        const sessions = d.store.listSessionsFor(peer.publicKey, inst)
        assert.equal(sessions.length, 2)
        const loser = sessions.find((s) => !bytesEqual(s.bundleId, winner.bundleId))!
        const won = sessions.find((s) => bytesEqual(s.bundleId, winner.bundleId))!
        assert.ok(loser.expiresAt <= now)
        assert.ok(won.expiresAt > now)
        assert.ok(compareBytes(won.sk, loser.sk) < 0)
      }
    })
  })

  describe(`§3.3 Re-keying [${storeName}]`, () => {
    test('a higher bundle version: new X3DH on the next send, in-flight old message decrypts', () => {
      const clock = { now: T0 }
      const alice = device(makeStore, 'alice', 'alice-1', clock)
      const bob = device(makeStore, 'bob', 'bob-1', clock)
      const v1 = bob.protocol.ourBundle()
      alice.protocol.processBundle(v1)
      assert.equal(deliver(bob, alice, send(alice, bob, 'm1')), 'm1')
      assert.equal(deliver(alice, bob, send(bob, alice, 'r1')), 'r1')
      const inFlight = send(alice, bob, 'in flight')
      const oldId = inFlight.message.encryptedMessage['bob-1']!.DRHeader!.id
      clock.now += 25n * HOUR_NS
      const v2 = bob.protocol.ourBundle()
      assert.equal(v2.signedPreKeys['bob-1']!.version, 2)
      alice.protocol.processBundle(v2, bob.publicKey)
      const old = alice.store.findSession(oldId, bob.publicKey, 'bob-1')
      assert.ok(old !== undefined && old.expiresAt <= Number(clock.now / 1_000_000n))
      const m2 = send(alice, bob, 'm2')
      const e2 = m2.message.encryptedMessage['bob-1']!
      assert.ok(e2.X3DHHeader !== undefined)
      assert.ok(bytesEqual(e2.X3DHHeader.id, v2.signedPreKeys['bob-1']!.signedPreKey))
      assert.equal(deliver(bob, alice, m2), 'm2')
      assert.equal(deliver(bob, alice, inFlight), 'in flight')
      const reply = send(bob, alice, 'reply')
      assert.ok(
        bytesEqual(reply.message.encryptedMessage['alice-1']!.DRHeader!.id, e2.X3DHHeader.id),
      )
      assert.equal(deliver(alice, bob, reply), 'reply')
      const m3 = send(alice, bob, 'm3')
      assert.equal(m3.message.encryptedMessage['bob-1']!.X3DHHeader, undefined)
      assert.equal(deliver(bob, alice, m3), 'm3')
    })
  })

  describe(`§3.4 Expired session [${storeName}]`, () => {
    test('decrypts for 14 days, then prune deletes it, its skipped keys and the old prekey', () => {
      const clock = { now: T0 }
      const alice = device(makeStore, 'alice', 'alice-1', clock)
      const bob = device(makeStore, 'bob', 'bob-1', clock)
      const v1 = bob.protocol.ourBundle()
      const v1Key = v1.signedPreKeys['bob-1']!.signedPreKey
      alice.protocol.processBundle(v1)
      assert.equal(deliver(bob, alice, send(alice, bob, 'm1')), 'm1')
      assert.equal(deliver(alice, bob, send(bob, alice, 'r1')), 'r1')
      const late = [send(alice, bob, 'late A'), send(alice, bob, 'late B'), send(alice, bob, 'C')]
      assert.equal(deliver(bob, alice, late[2]!), 'C') // A and B become skipped keys
      // Bob rotates (24 h), Alice re-keys: the old session leaves use at `rotatedAt`.
      clock.now += 25n * HOUR_NS
      const rotatedAt = clock.now
      alice.protocol.processBundle(bob.protocol.ourBundle(), bob.publicKey)
      assert.equal(deliver(bob, alice, send(alice, bob, 'new session')), 'new session')
      assert.equal(deliver(alice, bob, send(bob, alice, 'new reply')), 'new reply')
      const nothing = { sessions: 0, skippedKeys: 0, signedPreKeys: 0 }
      // 13 days later the expired session still decrypts a late message; prune keeps it.
      clock.now = rotatedAt + 13n * DAY_NS
      assert.equal(deliver(bob, alice, late[0]!), 'late A')
      assert.deepEqual(bob.protocol.prune(), nothing)
      assert.deepEqual(alice.protocol.prune(), nothing)
      assert.equal(bob.protocol.sessionCount(), 2)
      assert.ok(bob.store.getSignedPreKey(v1Key) !== undefined)
      // One millisecond short of 14 days: still kept.
      const rotatedMs = Number(rotatedAt / 1_000_000n)
      assert.deepEqual(bob.protocol.prune(rotatedMs + 14 * DAY_MS - 1), nothing)
      // 14 days after it expired: gone, with the one skipped key left and Bob's v1 prekey.
      clock.now = rotatedAt + 14n * DAY_NS
      assert.deepEqual(bob.protocol.prune(), { sessions: 1, skippedKeys: 1, signedPreKeys: 1 })
      // Alice's own v1 prekey rotated at the same time (her first send after 24 h) and no
      // session ran on it: it goes too.
      assert.deepEqual(alice.protocol.prune(), { sessions: 1, skippedKeys: 0, signedPreKeys: 1 })
      assert.equal(bob.protocol.sessionCount(), 1)
      assert.equal(alice.protocol.sessionCount(), 1)
      assert.equal(bob.store.getSignedPreKey(v1Key), undefined)
      assert.throws(
        () => bob.protocol.handle(alice.publicKey, late[1]!.message),
        (e: unknown) => isPfsError(e, 'SESSION_NOT_FOUND'),
      )
      // The live session is untouched.
      assert.equal(deliver(bob, alice, send(alice, bob, 'still here')), 'still here')
      assert.equal(deliver(alice, bob, send(bob, alice, 'yes')), 'yes')
      assert.deepEqual(alice.protocol.prune(), nothing)
    })

    test('own signed prekey rotation interval is configurable', () => {
      const clock = { now: T0 }
      const carol = device(makeStore, 'carol', 'carol-1', clock, {
        signedPreKeyRotationMs: 3_600_000,
      })
      assert.equal(carol.protocol.ourBundle().signedPreKeys['carol-1']!.version, 1)
      clock.now += HOUR_NS - 1_000_000n
      assert.equal(carol.protocol.ourBundle().signedPreKeys['carol-1']!.version, 1)
      clock.now += 1_000_000n
      assert.equal(carol.protocol.ourBundle().signedPreKeys['carol-1']!.version, 2)
    })
  })
}
