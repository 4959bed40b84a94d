/**
 * Failed decrypt after account recovery (whitepaper §1.5.3, §4.4; issue 5 "Done when"), on
 * MemoryStore and SqliteStore over a temporary file: Alice reinstalls (same identity and
 * installation id, empty store); Bob's next message is `SESSION_NOT_FOUND` and changes nothing;
 * `reestablish(bob)` gives the bundle message to send; Bob's next message runs a fresh X3DH on
 * the new signed prekey and the conversation goes on with `pfs: true`. Recovery as a new
 * installation is a partitioned device (§4.5) that becomes a target after its bundle answer.
 *
 * @module
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { utf8 } from '../../src/crypto/index.ts'
import { isPfsError } from '../../src/errors.ts'
import { MAX_ARCHIVED } from '../../src/protocol/index.ts'
import type { EncryptResult, HandleResult } from '../../src/protocol/index.ts'
import { dumpStore } from '../store/helpers.ts'
import { SCENARIO_STORES, T0, device } from './helpers.ts'
import type { Device } from './helpers.ts'

const HOUR_NS = 3_600_000_000_000n

function send(from: Device, to: Device, t: string): EncryptResult {
  return from.protocol.encrypt(to.publicKey, utf8(t))
}

function received(
  to: Device,
  from: Device,
  sent: EncryptResult,
): HandleResult & { kind: 'message' } {
  const r = to.protocol.handle(from.publicKey, sent.message)
  assert.equal(r.kind, 'message')
  if (r.kind !== 'message') throw new Error('unreachable')
  return r
}

/** The signed prekeys `at` holds as active (not expired) for `of`'s installation `id`. */
function activeKeys(at: Device, of: Device, id: string): Uint8Array[] {
  return at.store
    .listBundles(of.publicKey)
    .filter((b) => b.installationId === id && !b.expired)
    .map((b) => b.signedPreKey)
}

function converse(a: Device, b: Device, rounds: number): void {
  for (let i = 0; i < rounds; i++) {
    const x = received(b, a, send(a, b, `a${String(i)}`))
    assert.equal(new TextDecoder().decode(x.payload), `a${String(i)}`)
    assert.equal(x.pfs, true)
    const y = received(a, b, send(b, a, `b${String(i)}`))
    assert.equal(new TextDecoder().decode(y.payload), `b${String(i)}`)
    assert.equal(y.pfs, true)
  }
}

for (const [storeName, makeStore] of SCENARIO_STORES) {
  /** Alice and Bob on one fake clock; Alice holds Bob's bundle. */
  const aliceKnowsBob = (): { clock: { now: bigint }; alice: Device; bob: Device } => {
    const clock = { now: T0 }
    const alice = device(makeStore, 'alice', 'alice-1', clock)
    const bob = device(makeStore, 'bob', 'bob-1', clock)
    alice.protocol.processBundle(bob.protocol.ourBundle())
    return { clock, alice, bob }
  }

  describe(`§1.5.3 Account recovery [${storeName}]`, () => {
    test('SESSION_NOT_FOUND, reestablish(), then the conversation continues with PFS', () => {
      const { clock, alice, bob } = aliceKnowsBob()
      converse(alice, bob, 3)
      clock.now += HOUR_NS
      // Alice reinstalls from her recovery phrase: same keys, no ratchet state.
      const recovered = device(makeStore, 'alice', 'alice-1', clock)
      const lost = send(bob, alice, 'lost')
      const before = dumpStore(recovered.store)
      assert.throws(
        () => recovered.protocol.handle(bob.publicKey, lost.message),
        (e: unknown) => isPfsError(e, 'SESSION_NOT_FOUND'),
      )
      assert.equal(dumpStore(recovered.store), before)
      const hello = recovered.protocol.reestablish(bob.publicKey)
      assert.deepEqual(Object.keys(hello.encryptedMessage), [])
      assert.equal(hello.bundles.length, 1)
      assert.deepEqual(bob.protocol.handle(alice.publicKey, hello), { kind: 'bundle-only' })
      // Bob's next message runs a fresh X3DH against the recovered device's new signed prekey.
      const again = send(bob, alice, 'again')
      const entry = again.message.encryptedMessage['alice-1']!
      assert.ok(entry.X3DHHeader !== undefined)
      assert.deepEqual(
        entry.X3DHHeader.id,
        hello.bundles[0]!.signedPreKeys['alice-1']!.signedPreKey,
      )
      const got = received(recovered, bob, again)
      assert.equal(new TextDecoder().decode(got.payload), 'again')
      assert.equal(got.pfs, true)
      converse(recovered, bob, 3)
      // The old sessions are retired on Bob's side, kept only for late messages.
      const nowMs = Number(clock.now / 1_000_000n)
      const old = bob.store
        .listSessionsFor(alice.publicKey, 'alice-1')
        .filter((s) => s.expiresAt <= nowMs)
      assert.equal(old.length, 1)
    })

    test('reestablish on the side that keeps state forces a new X3DH on its next send', () => {
      const { alice, bob } = aliceKnowsBob()
      converse(alice, bob, 2)
      assert.equal(send(alice, bob, 'x').message.encryptedMessage['bob-1']!.X3DHHeader, undefined)
      assert.equal(
        bob.protocol.handle(alice.publicKey, alice.protocol.reestablish(bob.publicKey)).kind,
        'bundle-only',
      )
      const fresh = send(alice, bob, 'fresh')
      assert.ok(fresh.message.encryptedMessage['bob-1']!.X3DHHeader !== undefined)
      assert.equal(received(bob, alice, fresh).pfs, true)
      converse(alice, bob, 2)
    })

    test('after reestablish, messages still in flight in the replaced session decrypt on both sides', () => {
      const { alice, bob } = aliceKnowsBob()
      converse(alice, bob, 2)
      // In flight in the old session, both ways, when Alice re-establishes.
      const lateFromBob = send(bob, alice, 'late from bob')
      const lateFromAlice = send(alice, bob, 'late from alice')
      bob.protocol.handle(alice.publicKey, alice.protocol.reestablish(bob.publicKey))
      // The fresh X3DH runs on the same signed prekey of Bob's: the same wire id as the old one.
      const fresh = send(alice, bob, 'fresh')
      const header = fresh.message.encryptedMessage['bob-1']!
      assert.ok(header.X3DHHeader !== undefined)
      assert.deepEqual(
        header.DRHeader!.id,
        lateFromAlice.message.encryptedMessage['bob-1']!.DRHeader!.id,
      )
      assert.equal(new TextDecoder().decode(received(bob, alice, fresh).payload), 'fresh')
      assert.equal(
        new TextDecoder().decode(received(alice, bob, lateFromBob).payload),
        'late from bob',
      )
      assert.equal(
        new TextDecoder().decode(received(bob, alice, lateFromAlice).payload),
        'late from alice',
      )
      // A replay of a late message is a duplicate, in the archive as anywhere.
      assert.throws(
        () => bob.protocol.handle(alice.publicKey, lateFromAlice.message),
        (e) => isPfsError(e, 'DUPLICATE'),
      )
      // The new session carries on; Bob answers in it, so Alice stops sending X3DH headers.
      converse(alice, bob, 2)
      assert.equal(send(alice, bob, 'y').message.encryptedMessage['bob-1']!.X3DHHeader, undefined)
    })

    test('at most MAX_ARCHIVED replaced sessions are kept per signed prekey', () => {
      const { alice, bob } = aliceKnowsBob()
      for (let i = 0; i < MAX_ARCHIVED + 3; i++) {
        converse(alice, bob, 1)
        bob.protocol.handle(alice.publicKey, alice.protocol.reestablish(bob.publicKey))
      }
      converse(alice, bob, 1)
      for (const d of [alice, bob]) {
        const other = d === alice ? bob : alice
        const sessions = d.store.listSessionsFor(other.publicKey, other.installationId)
        assert.equal(sessions.length, MAX_ARCHIVED + 1)
      }
    })

    test("a sibling's stale view of a reset device's old key does not undo the reset", () => {
      const clock = { now: T0 }
      const alice1 = device(makeStore, 'alice', 'alice-1', clock)
      const alice2 = device(makeStore, 'alice', 'alice-2', clock)
      const charlie = device(makeStore, 'charlie', 'charlie-1', clock)
      alice2.protocol.processBundle(alice1.protocol.ourBundle())
      assert.ok(alice2.protocol.enableDevice('alice-1'))
      const oldKey = alice1.protocol.ourBundle().signedPreKeys['alice-1']!.signedPreKey
      clock.now += HOUR_NS
      // alice-1 is wiped and restored under its installation id, numbering keys from 1 as
      // status-go does; Charlie hears of it from the device itself first.
      const restored = device(makeStore, 'alice', 'alice-1', clock)
      const hello = restored.protocol.bundleMessage()
      const newKey = hello.bundles[0]!.signedPreKeys['alice-1']!.signedPreKey
      assert.deepEqual(charlie.protocol.handle(alice1.publicKey, hello), { kind: 'bundle-only' })
      // Then alice-2, which has not heard of the restore, writes with its newer bundle that
      // still lists alice-1's old key at the same version.
      clock.now += HOUR_NS
      alice2.protocol.processBundle(charlie.protocol.ourBundle())
      const stale = alice2.protocol.encrypt(charlie.publicKey, utf8('from alice-2'))
      assert.deepEqual(stale.message.bundles[0]!.signedPreKeys['alice-1']!.signedPreKey, oldKey)
      assert.equal(received(charlie, alice2, stale).pfs, true)
      assert.deepEqual(activeKeys(charlie, alice1, 'alice-1'), [newKey])
      const next = send(charlie, restored, 'to the restored device')
      assert.equal(received(restored, charlie, next).pfs, true)
    })

    test('a restored installation numbers its keys from firstSignedPreKeyVersion: peers see a rotation', () => {
      const { clock, alice, bob } = aliceKnowsBob()
      converse(alice, bob, 1)
      clock.now += HOUR_NS
      const version = Number(clock.now / 1_000_000_000n)
      const restored = device(makeStore, 'alice', 'alice-1', clock, {
        firstSignedPreKeyVersion: version,
      })
      const bundle = restored.protocol.ourBundle()
      assert.equal(bundle.signedPreKeys['alice-1']!.version, version)
      const newKey = bundle.signedPreKeys['alice-1']!.signedPreKey
      // Relayed by anyone, through a contact code too: a higher version is a rotation …
      bob.protocol.processBundle(bundle)
      // … and the old key, in a newer bundle from a stale source, does not displace it.
      clock.now += HOUR_NS
      bob.protocol.processBundle(alice.protocol.ourBundle())
      assert.deepEqual(activeKeys(bob, alice, 'alice-1'), [newKey])
      // The session Alice had started (on Bob's key) is gone with her store, and a rotation
      // does not end it: re-established (the messenger's repair: her bundle, his answer).
      const lost = send(bob, restored, 'lost with the old session')
      assert.throws(
        () => restored.protocol.handle(bob.publicKey, lost.message),
        (e) => isPfsError(e, 'SESSION_NOT_FOUND'),
      )
      bob.protocol.handle(alice.publicKey, restored.protocol.reestablish(bob.publicKey))
      bob.protocol.reestablish(alice.publicKey, 'alice-1')
      const next = send(bob, restored, 'after the restore')
      assert.deepEqual(next.message.encryptedMessage['alice-1']!.X3DHHeader?.id, newKey)
      assert.equal(received(restored, bob, next).pfs, true)
      converse(restored, bob, 1)
      assert.throws(
        () => device(makeStore, 'x', 'x-1', clock, { firstSignedPreKeyVersion: 0 }),
        RangeError,
      )
    })

    test("a late X3DH header from a restored installation's old incarnation does not displace the live session", () => {
      const { clock, alice, bob } = aliceKnowsBob()
      // The old device starts a session with Bob; its message is delayed (a store node, a slow
      // path) while the device is wiped and restored under the same installation id.
      const late = send(alice, bob, 'sent just before the wipe')
      assert.ok(late.message.encryptedMessage['bob-1']!.X3DHHeader !== undefined)
      clock.now += HOUR_NS
      const restored = device(makeStore, 'alice', 'alice-1', clock, {
        firstSignedPreKeyVersion: Number(clock.now / 1_000_000_000n),
      })
      restored.protocol.processBundle(bob.protocol.ourBundle())
      assert.equal(received(bob, restored, send(restored, bob, 'hello from the restore')).pfs, true)
      // The late message still reads (its session goes to the archive) …
      assert.equal(
        new TextDecoder().decode(received(bob, alice, late).payload),
        'sent just before the wipe',
      )
      // … and Bob keeps answering in the restored device's session, which it can read.
      const answer = send(bob, restored, 'answer')
      assert.equal(new TextDecoder().decode(received(restored, bob, answer).payload), 'answer')
      converse(restored, bob, 2)
    })

    test('recovery as a new installation: partitioned, answered, then targeted', () => {
      const { clock, alice, bob } = aliceKnowsBob()
      converse(alice, bob, 1)
      const alice2 = device(makeStore, 'alice', 'alice-2', clock)
      const r = alice2.protocol.handle(bob.publicKey, send(bob, alice, 'to alice-1').message)
      assert.deepEqual(r, { kind: 'partitioned', answer: true })
      bob.protocol.handle(alice.publicKey, alice2.protocol.bundleMessage())
      const both = send(bob, alice, 'to both')
      assert.deepEqual(both.targets.slice().sort(), ['alice-1', 'alice-2'])
      assert.equal(received(alice2, bob, both).pfs, true)
    })
  })
}
