/**
 * The protocol's memos (src/protocol/cache.ts, issue 9) never change what the protocol does:
 * a decoded ratchet state is reused only while the store holds its bytes (a rolled-back encrypt
 * or handle is redone from the stored state), a verified bundle is remembered only on success and
 * only with every field equal, and our signed bundle is reused only while its content is unchanged
 * and it is younger than `bundleResignIntervalMs` (default 0: signed afresh whenever the clock
 * moved). On MemoryStore and SqliteStore over a file.
 *
 * @module
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { toHex, utf8 } from '../../src/crypto/index.ts'
import { isPfsError } from '../../src/errors.ts'
import { ProtocolMessageSchema, SignedPreKeySchema, clone } from '../../src/wire/index.ts'
import type { ProtocolMessage } from '../../src/wire/index.ts'
import type { Store } from '../../src/store/index.ts'
import { dumpStore } from '../store/helpers.ts'
import { SCENARIO_STORES, T0, device } from './helpers.ts'
import type { Device } from './helpers.ts'

const SECOND = 1_000_000_000n

/** Alice and Bob with confirmed sessions both ways, on one fake clock. */
function pair(
  makeStore: () => Store,
  resignMs = 0,
): { alice: Device; bob: Device; clock: { now: bigint } } {
  const clock = { now: T0 }
  const options = { bundleResignIntervalMs: resignMs }
  const alice = device(makeStore, 'alice', 'alice-1', clock, options)
  const bob = device(makeStore, 'bob', 'bob-1', clock, options)
  alice.protocol.processBundle(bob.protocol.ourBundle())
  bob.protocol.handle(alice.publicKey, alice.protocol.encrypt(bob.publicKey, utf8('hi')).message)
  alice.protocol.handle(bob.publicKey, bob.protocol.encrypt(alice.publicKey, utf8('yo')).message)
  return { alice, bob, clock }
}

function drN(m: ProtocolMessage, installationId: string): number {
  const dr = m.encryptedMessage[installationId]?.DRHeader
  assert.ok(dr !== undefined)
  return dr.n
}

for (const [storeName, makeStore] of SCENARIO_STORES) {
  describe(`protocol memos [${storeName}]`, () => {
    test('a rolled-back encrypt is redone from the stored state, not the memo', () => {
      const { alice, bob, clock } = pair(makeStore)
      clock.now += SECOND
      let undone: ProtocolMessage | undefined
      assert.throws(
        () =>
          alice.store.transaction(() => {
            undone = alice.protocol.encrypt(bob.publicKey, utf8('lost')).message
            throw new Error('abort')
          }),
        /abort/,
      )
      assert.ok(undone !== undefined)
      const again = alice.protocol.encrypt(bob.publicKey, utf8('kept')).message
      // The same chain position: the ratchet step of the undone encrypt is gone.
      assert.equal(drN(again, 'bob-1'), drN(undone, 'bob-1'))
      const got = bob.protocol.handle(alice.publicKey, again)
      assert.equal(got.kind, 'message')
      assert.deepEqual(got.kind === 'message' ? got.payload : undefined, utf8('kept'))
    })

    test('a rolled-back handle can be handled again (no DUPLICATE from the memo)', () => {
      const { alice, bob, clock } = pair(makeStore)
      clock.now += SECOND
      const m = alice.protocol.encrypt(bob.publicKey, utf8('twice')).message
      const before = dumpStore(bob.store)
      assert.throws(
        () =>
          bob.store.transaction(() => {
            bob.protocol.handle(alice.publicKey, m)
            throw new Error('abort')
          }),
        /abort/,
      )
      assert.equal(dumpStore(bob.store), before)
      const got = bob.protocol.handle(alice.publicKey, m)
      assert.equal(got.kind, 'message')
      // And now it is a duplicate, as it should be.
      assert.throws(
        () => bob.protocol.handle(alice.publicKey, m),
        (e: unknown) => isPfsError(e) && e.code === 'DUPLICATE',
      )
    })

    test('a bundle verified once does not vouch for a changed copy', () => {
      const { alice, bob, clock } = pair(makeStore)
      clock.now += SECOND
      const m1 = alice.protocol.encrypt(bob.publicKey, utf8('one')).message
      bob.protocol.handle(alice.publicKey, m1) // verified and remembered
      const m2 = alice.protocol.encrypt(bob.publicKey, utf8('two')).message
      for (const change of [
        (c: ProtocolMessage) => {
          c.bundles[0]!.timestamp += 1n
        },
        (c: ProtocolMessage) => {
          const sig = c.bundles[0]!.signature
          sig[10] = sig[10]! ^ 1
        },
        (c: ProtocolMessage) => {
          const spk = c.bundles[0]!.signedPreKeys['alice-1']!
          spk.version += 1
        },
        (c: ProtocolMessage) => {
          const key = c.bundles[0]!.signedPreKeys['alice-1']!.signedPreKey
          key[5] = key[5]! ^ 1
        },
        // Same signed content under another installation id, and one entry more.
        (c: ProtocolMessage) => {
          const b = c.bundles[0]!
          b.signedPreKeys = { 'alice-2': b.signedPreKeys['alice-1']! }
        },
        (c: ProtocolMessage) => {
          const b = c.bundles[0]!
          b.signedPreKeys['alice-9'] = clone(SignedPreKeySchema, b.signedPreKeys['alice-1']!)
        },
      ]) {
        const forged = clone(ProtocolMessageSchema, m2)
        change(forged)
        const before = dumpStore(bob.store)
        assert.throws(
          () => bob.protocol.handle(alice.publicKey, forged),
          (e: unknown) => isPfsError(e) && e.code === 'BUNDLE_SIGNATURE',
        )
        assert.equal(dumpStore(bob.store), before)
      }
      assert.equal(bob.protocol.handle(alice.publicKey, m2).kind, 'message')
    })

    test('by default our bundle is signed afresh whenever the clock moved', () => {
      const { alice, bob, clock } = pair(makeStore)
      const a = alice.protocol.encrypt(bob.publicKey, utf8('a')).message.bundles[0]!
      const b = alice.protocol.encrypt(bob.publicKey, utf8('b')).message.bundles[0]!
      assert.equal(b.timestamp, a.timestamp) // same tick: same bundle
      assert.equal(toHex(b.signature), toHex(a.signature))
      clock.now += 1_000_000n
      const c = alice.protocol.encrypt(bob.publicKey, utf8('c')).message.bundles[0]!
      assert.equal(c.timestamp, clock.now)
      assert.notEqual(toHex(c.signature), toHex(a.signature))
    })

    test('with bundleResignIntervalMs the bundle is reused while unchanged and young', () => {
      const { alice, bob, clock } = pair(makeStore, 60_000)
      const first = alice.protocol.ourBundle()
      clock.now += 30n * SECOND
      const reused = alice.protocol.encrypt(bob.publicKey, utf8('a')).message.bundles[0]!
      assert.equal(reused.timestamp, first.timestamp)
      assert.equal(toHex(reused.signature), toHex(first.signature))
      // A copy each time: changing one does not change the next.
      reused.signature[0] = reused.signature[0]! ^ 0xff
      assert.equal(toHex(alice.protocol.ourBundle().signature), toHex(first.signature))
      // Bob accepts the reused bundle (and the message) every time.
      const m = alice.protocol.encrypt(bob.publicKey, utf8('b')).message
      assert.equal(bob.protocol.handle(alice.publicKey, m).kind, 'message')
      clock.now += 31n * SECOND
      const fresh = alice.protocol.ourBundle()
      assert.equal(fresh.timestamp, clock.now)
      // A content change (a paired device enabled) re-signs at once.
      const sibling = device(makeStore, 'alice', 'alice-2', clock)
      alice.protocol.processBundle(sibling.protocol.ourBundle())
      clock.now += SECOND
      assert.equal(alice.protocol.ourBundle().timestamp, fresh.timestamp)
      assert.equal(alice.protocol.enableDevice('alice-2'), true)
      const changed = alice.protocol.ourBundle()
      assert.equal(changed.timestamp, clock.now)
      assert.deepEqual(Object.keys(changed.signedPreKeys).sort(), ['alice-1', 'alice-2'])
    })

    test('a rolled-back signed prekey rotation never leaks into a reused bundle', () => {
      const { alice, clock } = pair(makeStore, 60 * 60 * 1000)
      const before = alice.protocol.ourBundle()
      clock.now += 25n * 60n * 60n * SECOND // past the 24 h rotation
      assert.throws(
        () =>
          alice.store.transaction(() => {
            alice.protocol.ourBundle() // rotates: version 2, in this transaction only
            throw new Error('abort')
          }),
        /abort/,
      )
      const after = alice.protocol.ourBundle() // rotates for real
      const spk = after.signedPreKeys['alice-1']!
      assert.equal(spk.version, before.signedPreKeys['alice-1']!.version + 1)
      const stored = alice.store.listSignedPreKeys()[0]!
      assert.equal(toHex(spk.signedPreKey), toHex(stored.publicKey))
    })
  })
}
