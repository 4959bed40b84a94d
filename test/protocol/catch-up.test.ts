/**
 * `Protocol.handle(sender, message, { catchUp })` (issue 10 "long offline"): a one-off skip
 * allowance for one handle call; without it a header more than `MAX_SKIP` ahead is refused and
 * the store is unchanged; beyond the ratchet's hard cap it is refused even with an allowance.
 * Also the classification detail of `SESSION_NOT_FOUND` (`header: 'x3dh' | 'dr'`) and
 * `reestablish(identity, installationId)` retiring one installation's sessions only.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { utf8 } from '../../src/crypto/index.ts'
import { PfsError, isPfsError } from '../../src/errors.ts'
import type { EncryptResult } from '../../src/protocol/index.ts'
import { MAX_CATCH_UP_SKIP, MAX_SKIP } from '../../src/ratchet/index.ts'
import { STORES, T0, device, dump } from './helpers.ts'

const GAP = 1500

function codeOf(fn: () => unknown): PfsError {
  try {
    fn()
  } catch (e) {
    assert.ok(e instanceof PfsError, String(e))
    return e
  }
  assert.fail('expected an error')
}

for (const [storeName, makeStore] of STORES) {
  describe(`catch-up allowance [${storeName}]`, () => {
    test(`a gap of ${String(GAP)}: refused without an allowance, decrypted with one`, () => {
      const alice = device(makeStore, 'alice', 'alice-1')
      const bob = device(makeStore, 'bob', 'bob-1')
      alice.protocol.processBundle(bob.protocol.ourBundle())
      const first = alice.protocol.encrypt(bob.publicKey, utf8('first'))
      assert.equal(bob.protocol.handle(alice.publicKey, first.message).kind, 'message')
      const sent: EncryptResult[] = []
      for (let i = 0; i <= GAP; i++) {
        sent.push(alice.protocol.encrypt(bob.publicKey, utf8(`m${String(i)}`)))
      }
      const last = sent[GAP]!
      const before = dump(bob.store, [alice.publicKey])
      for (const catchUp of [undefined, MAX_SKIP, GAP - 1]) {
        const e = codeOf(() =>
          bob.protocol.handle(
            alice.publicKey,
            last.message,
            catchUp === undefined ? undefined : { catchUp },
          ),
        )
        assert.equal(e.code, 'TOO_MANY_SKIPPED')
      }
      assert.equal(dump(bob.store, [alice.publicKey]), before)
      const got = bob.protocol.handle(alice.publicKey, last.message, { catchUp: GAP })
      assert.ok(got.kind === 'message')
      assert.equal(new TextDecoder().decode(got.payload), `m${String(GAP)}`)
      // The rest come from the skipped keys, without any allowance.
      for (let i = 0; i < GAP; i++) {
        const r = bob.protocol.handle(alice.publicKey, sent[i]!.message)
        assert.ok(r.kind === 'message')
        assert.equal(new TextDecoder().decode(r.payload), `m${String(i)}`)
      }
    })

    test('beyond the hard cap refused even with a larger allowance; store unchanged', () => {
      const alice = device(makeStore, 'alice', 'alice-1')
      const bob = device(makeStore, 'bob', 'bob-1')
      alice.protocol.processBundle(bob.protocol.ourBundle())
      const first = alice.protocol.encrypt(bob.publicKey, utf8('first'))
      bob.protocol.handle(alice.publicKey, first.message)
      let last: EncryptResult | undefined
      // Bob: Nr = 1; the last is n = cap + 2, a gap of cap + 1.
      for (let i = 0; i <= MAX_CATCH_UP_SKIP + 1; i++) {
        last = alice.protocol.encrypt(bob.publicKey, utf8(`m${String(i)}`))
      }
      const before = dump(bob.store, [alice.publicKey])
      for (const catchUp of [MAX_CATCH_UP_SKIP, 10_000, 1_000_000]) {
        assert.equal(
          codeOf(() => bob.protocol.handle(alice.publicKey, last!.message, { catchUp })).code,
          'TOO_MANY_SKIPPED',
        )
      }
      assert.equal(dump(bob.store, [alice.publicKey]), before)
    })
  })
}

describe('SESSION_NOT_FOUND says which header failed; reestablish for one installation', () => {
  const makeStore = STORES[0]![1]
  test("a DR header without session: details.header = 'dr'", () => {
    const alice = device(makeStore, 'alice', 'alice-1')
    const bob = device(makeStore, 'bob', 'bob-1')
    alice.protocol.processBundle(bob.protocol.ourBundle())
    bob.protocol.handle(
      alice.publicKey,
      alice.protocol.encrypt(bob.publicKey, utf8('x3dh')).message,
    )
    const dr = alice.protocol.encrypt(bob.publicKey, utf8('dr'))
    const again = bob.protocol.handle(alice.publicKey, dr.message)
    assert.equal(again.kind, 'message')
    // Bob reinstalls: no sessions; Alice's session is confirmed, her next message is DR only.
    const fresh = device(makeStore, 'bob', 'bob-1')
    const reply = bob.protocol.encrypt(alice.publicKey, utf8('ack'))
    alice.protocol.handle(bob.publicKey, reply.message)
    const next = alice.protocol.encrypt(bob.publicKey, utf8('lost'))
    const entry = next.message.encryptedMessage['bob-1']!
    assert.equal(entry.X3DHHeader, undefined)
    const e = codeOf(() => fresh.protocol.handle(alice.publicKey, next.message))
    assert.ok(isPfsError(e, 'SESSION_NOT_FOUND'))
    assert.equal(e.details['header'], 'dr')
  })

  test("an X3DH header naming a signed prekey we lost: details.header = 'x3dh'", () => {
    const alice = device(makeStore, 'alice', 'alice-1')
    const bob = device(makeStore, 'bob', 'bob-1')
    alice.protocol.processBundle(bob.protocol.ourBundle())
    const first = alice.protocol.encrypt(bob.publicKey, utf8('hello'))
    const fresh = device(makeStore, 'bob', 'bob-1', { now: T0 + 1n })
    const e = codeOf(() => fresh.protocol.handle(alice.publicKey, first.message))
    assert.ok(isPfsError(e, 'SESSION_NOT_FOUND'))
    assert.equal(e.details['header'], 'x3dh')
  })

  test('reestablish(identity, installationId) retires that installation only', () => {
    const clock = { now: T0 }
    const alice = device(makeStore, 'alice', 'alice-1', clock)
    const bob1 = device(makeStore, 'bob', 'bob-1', clock)
    const bob2 = device(makeStore, 'bob', 'bob-2', clock)
    alice.protocol.processBundle(bob1.protocol.ourBundle())
    alice.protocol.processBundle(bob2.protocol.ourBundle())
    const m = alice.protocol.encrypt(bob1.publicKey, utf8('both'))
    assert.deepEqual(m.targets.slice().sort(), ['bob-1', 'bob-2'])
    bob1.protocol.handle(alice.publicKey, m.message)
    bob2.protocol.handle(alice.publicKey, m.message)
    clock.now += 1_000_000_000n
    const hello = alice.protocol.reestablish(bob1.publicKey, 'bob-2')
    assert.deepEqual(Object.keys(hello.encryptedMessage), [])
    const next = alice.protocol.encrypt(bob1.publicKey, utf8('again'))
    // bob-1 keeps its session (X3DH header repeated only while unconfirmed: same ephemeral key);
    // bob-2 gets a fresh X3DH with a new ephemeral key.
    const e1 = next.message.encryptedMessage['bob-1']!
    const e2 = next.message.encryptedMessage['bob-2']!
    assert.deepEqual(e1.X3DHHeader?.key, m.message.encryptedMessage['bob-1']!.X3DHHeader?.key)
    assert.notDeepEqual(e2.X3DHHeader?.key, m.message.encryptedMessage['bob-2']!.X3DHHeader?.key)
    assert.equal(bob2.protocol.handle(alice.publicKey, next.message).kind, 'message')
    assert.equal(bob1.protocol.handle(alice.publicKey, next.message).kind, 'message')
  })
})
