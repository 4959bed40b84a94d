/**
 * Conversations through `Protocol` (PROTOCOL.md §8.1-§8.2, §6, §10; whitepaper §3-§4) on
 * MemoryStore and SqliteStore: X3DH then Double Ratchet with the X3DH header repeated until the
 * first reply; the DH fallback when no bundle is known and the upgrade to PFS after the reply;
 * fan-out to two installations of one identity; the typed errors of §8.2.
 *
 * @module
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { utf8 } from '../../src/crypto/index.ts'
import { isPfsError } from '../../src/errors.ts'
import type { ErrorCode } from '../../src/errors.ts'
import {
  EncryptedMessageProtocolSchema,
  ProtocolMessageSchema,
  clone,
} from '../../src/wire/index.ts'
import { NO_INSTALLATION_ID } from '../../src/x3dh/index.ts'
import { STORES, T0, device } from './helpers.ts'
import type { Device } from './helpers.ts'

const text = (s: string): Uint8Array => utf8(s)

function throwsCode(fn: () => unknown, code: ErrorCode): void {
  assert.throws(fn, (e: unknown) => isPfsError(e, code), `expected ${code}`)
}

/** Sends `s` from `from` to `to` and checks that `to` reads it; returns the sent result. */
function roundTrip(from: Device, to: Device, s: string, pfs = true) {
  const sent = from.protocol.encrypt(to.publicKey, text(s))
  assert.deepEqual(sent.failures, [])
  const got = to.protocol.decrypt(from.publicKey, sent.message)
  assert.ok(got !== undefined)
  assert.deepEqual(got.payload, text(s))
  assert.equal(got.pfs, pfs)
  assert.equal(got.installationId, from.installationId)
  return sent
}

for (const [storeName, makeStore] of STORES) {
  describe(`[${storeName}]`, () => {
    test('§8.1 X3DH then DR: the X3DH header repeats until the first reply', () => {
      const alice = device(makeStore, 'alice', 'alice-1')
      const bob = device(makeStore, 'bob', 'bob-1')
      alice.protocol.processBundle(bob.protocol.ourBundle(), bob.publicKey)
      const first = roundTrip(alice, bob, 'hello')
      assert.deepEqual(first.targets, ['bob-1'])
      assert.equal(first.pfs, true)
      const e1 = first.message.encryptedMessage['bob-1']!
      assert.ok(e1.X3DHHeader !== undefined && e1.DRHeader !== undefined)
      assert.deepEqual(e1.X3DHHeader.id, e1.DRHeader.id)
      const e2 = roundTrip(alice, bob, 'again').message.encryptedMessage['bob-1']!
      assert.ok(e2.X3DHHeader !== undefined)
      assert.equal(e2.DRHeader?.n, 1)
      const reply = roundTrip(bob, alice, 'hi alice').message.encryptedMessage['alice-1']!
      assert.equal(reply.X3DHHeader, undefined)
      const e3 = roundTrip(alice, bob, 'after reply').message.encryptedMessage['bob-1']!
      assert.equal(e3.X3DHHeader, undefined)
      assert.equal(e3.DRHeader?.pn, 2)
      for (let i = 0; i < 5; i++) {
        roundTrip(alice, bob, `a${i}`)
        roundTrip(bob, alice, `b${i}`)
      }
      // Negotiated shared secret (§11.4) is the same on both sides.
      const sa = alice.store.getSharedSecret(bob.publicKey)
      const sb = bob.store.getSharedSecret(alice.publicKey)
      assert.ok(sa !== undefined && sb !== undefined)
      assert.deepEqual(sa.secret, sb.secret)
    })

    test('§6 DH fallback without a bundle, then PFS after the reply', () => {
      const alice = device(makeStore, 'alice', 'alice-1')
      const bob = device(makeStore, 'bob', 'bob-1')
      const sent = alice.protocol.encrypt(bob.publicKey, text('no bundle yet'))
      assert.deepEqual(sent.targets, [NO_INSTALLATION_ID])
      assert.equal(sent.pfs, false)
      assert.ok(sent.message.encryptedMessage[NO_INSTALLATION_ID]?.DHHeader !== undefined)
      const got = bob.protocol.decrypt(alice.publicKey, sent.message)
      assert.ok(got !== undefined)
      assert.equal(got.pfs, false)
      assert.deepEqual(got.payload, text('no bundle yet'))
      // Bob learned Alice's bundle from the message: his reply runs X3DH.
      const reply = roundTrip(bob, alice, 'reply with pfs')
      assert.equal(reply.pfs, true)
      assert.ok(reply.message.encryptedMessage['alice-1']?.X3DHHeader !== undefined)
      // Alice answers in the session Bob started.
      const next = roundTrip(alice, bob, 'now with pfs')
      assert.equal(next.pfs, true)
      assert.equal(next.message.encryptedMessage['bob-1']?.X3DHHeader, undefined)
      roundTrip(bob, alice, 'confirmed')
    })

    test('§10 fan-out to two installations of one identity', () => {
      const alice = device(makeStore, 'alice', 'alice-1')
      const bob1 = device(makeStore, 'bob', 'bob-1')
      const bob2 = device(makeStore, 'bob', 'bob-2')
      alice.protocol.processBundle(bob1.protocol.ourBundle())
      alice.protocol.processBundle(bob2.protocol.ourBundle())
      const sent = alice.protocol.encrypt(bob1.publicKey, text('to both'))
      assert.deepEqual([...sent.targets].sort(), ['bob-1', 'bob-2'])
      for (const bob of [bob1, bob2]) {
        const got = bob.protocol.decrypt(alice.publicKey, sent.message)
        assert.deepEqual(got?.payload, text('to both'))
        assert.equal(got?.pfs, true)
      }
      roundTrip(bob2, alice, 'from bob-2')
      const again = alice.protocol.encrypt(bob1.publicKey, text('second'))
      assert.equal(again.message.encryptedMessage['bob-2']?.X3DHHeader, undefined)
      assert.ok(again.message.encryptedMessage['bob-1']?.X3DHHeader !== undefined)
    })

    test('§8.1 a failing installation is reported, the others still get the message', () => {
      const alice = device(makeStore, 'alice', 'alice-1')
      const bob = device(makeStore, 'bob', 'bob-1')
      alice.protocol.processBundle(bob.protocol.ourBundle())
      // An installation known without any signed prekey (e.g. learned from a bundle-less message).
      alice.store.putInstallation({
        identity: bob.publicKey,
        installationId: 'bob-ghost',
        enabled: true,
        version: 0,
        firstSeen: T0,
        lastSeen: T0,
        stale: false,
      })
      const sent = alice.protocol.encrypt(bob.publicKey, text('partial'))
      assert.deepEqual(sent.targets, ['bob-1'])
      assert.equal(sent.failures.length, 1)
      assert.equal(sent.failures[0]?.installationId, 'bob-ghost')
      assert.equal(sent.failures[0]?.error.code, 'INVALID_STATE')
      assert.deepEqual(alice.store.listSessionsFor(bob.publicKey, 'bob-ghost'), [])
      assert.deepEqual(
        bob.protocol.decrypt(alice.publicKey, sent.message)?.payload,
        text('partial'),
      )
    })

    test('§10 the cap: at most maxInstallations targets, newest first', () => {
      const alice = device(makeStore, 'alice', 'alice-1')
      // Bundles a few seconds apart, all within the stale window (§4.3) of Alice's clock.
      const clock = { now: T0 }
      const bobs = ['b1', 'b2', 'b3', 'b4'].map((id) => {
        clock.now += 1_000_000_000n
        const d = device(makeStore, 'bob', id, clock)
        alice.protocol.processBundle(d.protocol.ourBundle())
        return d
      })
      const sent = alice.protocol.encrypt(bobs[0]!.publicKey, text('capped'))
      assert.deepEqual(sent.targets, ['b4', 'b3', 'b2'])
    })

    test('§8.2 typed errors: DEVICE_NOT_FOUND, NOT_PAIRED_DEVICE, SESSION_NOT_FOUND', () => {
      const alice = device(makeStore, 'alice', 'alice-1')
      const alice2 = device(makeStore, 'alice', 'alice-2')
      const bob = device(makeStore, 'bob', 'bob-1')
      const carol = device(makeStore, 'carol', 'carol-1')
      alice.protocol.processBundle(bob.protocol.ourBundle())
      const sent = alice.protocol.encrypt(bob.publicKey, text('for bob'))
      // Carol has no entry in it.
      throwsCode(() => carol.protocol.decrypt(alice.publicKey, sent.message), 'DEVICE_NOT_FOUND')
      // A message from our own identity, another installation, without an entry for us.
      throwsCode(() => alice2.protocol.decrypt(alice.publicKey, sent.message), 'NOT_PAIRED_DEVICE')
      // Our own message echoed back: nothing to do.
      assert.equal(alice.protocol.decrypt(alice.publicKey, sent.message), undefined)
      // A DR message without the X3DH header that would create the session.
      const stripped = clone(ProtocolMessageSchema, sent.message)
      const entry = clone(EncryptedMessageProtocolSchema, stripped.encryptedMessage['bob-1']!)
      delete entry.X3DHHeader
      stripped.encryptedMessage['bob-1'] = entry
      throwsCode(() => bob.protocol.decrypt(alice.publicKey, stripped), 'SESSION_NOT_FOUND')
      // The real one still works afterwards.
      assert.deepEqual(
        bob.protocol.decrypt(alice.publicKey, sent.message)?.payload,
        text('for bob'),
      )
    })

    test('§4.4 our own other installations start pending until enabled', () => {
      const alice1 = device(makeStore, 'alice', 'alice-1')
      const alice2 = device(makeStore, 'alice', 'alice-2')
      alice1.protocol.processBundle(alice2.protocol.ourBundle())
      assert.equal(alice1.store.getInstallation(alice1.publicKey, 'alice-2')?.enabled, false)
      const before = alice1.protocol.encrypt(alice1.publicKey, text('to my devices'))
      // No DH fallback to our own key: it would reach pending (and removed) devices too.
      assert.deepEqual(before.targets, [])
      assert.deepEqual(Object.keys(before.message.encryptedMessage), [])
      assert.equal(Object.keys(alice1.protocol.ourBundle().signedPreKeys).length, 1)
      assert.equal(alice1.protocol.enableDevice('alice-2'), true)
      const after = alice1.protocol.encrypt(alice1.publicKey, text('to my devices'))
      assert.deepEqual(after.targets, ['alice-2'])
      assert.deepEqual(Object.keys(alice1.protocol.ourBundle().signedPreKeys).sort(), [
        'alice-1',
        'alice-2',
      ])
      alice2.protocol.processBundle(alice1.protocol.ourBundle())
      alice2.protocol.enableDevice('alice-1')
      const got = alice2.protocol.decrypt(alice1.publicKey, after.message)
      assert.deepEqual(got?.payload, text('to my devices'))
    })
  })
}
