/**
 * Replays (issue 10 "Attack tests"): a replayed envelope is dropped by the transport before any
 * decryption; a replayed ratchet message that gets past it (another path, a restart that lost the
 * seen set, a store node serving history) is `DUPLICATE` and changes nothing — for the first
 * (X3DH) message, a later one, a new-chain one and one whose key was skipped then used.
 *
 * @module
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { utf8 } from '../../src/crypto/index.ts'
import { decodeEnvelope, encodeEnvelope } from '../../src/transport/index.ts'
import { conversation, envelopeOf, party, receivePath, receiverAt, rejects } from './helpers.ts'

const T_MS = 1_767_225_600_000
const T = T_MS / 1000
const THIRTY_DAYS = 30 * 24 * 3600

describe('replayed envelope', () => {
  test('the same envelope, and a re-decoded copy of it, are dropped before decryption', () => {
    const { alice, bob } = conversation()
    const { receiver } = receiverAt(T_MS)
    const sent = alice.protocol.encrypt(bob.publicKey, utf8('once')).message
    const env = envelopeOf(sent, alice.identity, bob.publicKey, T)
    const got = receivePath(receiver, bob, env)
    assert.ok(got !== 'duplicate envelope')
    assert.deepEqual(got?.payload, utf8('once'))
    assert.equal(receivePath(receiver, bob, env), 'duplicate envelope')
    assert.equal(
      receivePath(receiver, bob, decodeEnvelope(encodeEnvelope(env))),
      'duplicate envelope',
    )
  })

  test('served again by a store node after its expiry: dropped, with historyRetention', () => {
    const { alice, bob } = conversation()
    const { receiver, clock } = receiverAt(T_MS, THIRTY_DAYS)
    const env = envelopeOf(
      alice.protocol.encrypt(bob.publicKey, utf8('live')).message,
      alice.identity,
      bob.publicKey,
      T,
    )
    assert.notEqual(receivePath(receiver, bob, env), 'duplicate envelope')
    clock.advance(3600_000) // an hour later: long past its 60 s TTL
    assert.equal(receivePath(receiver, bob, env, true), 'duplicate envelope')
    assert.equal(receivePath(receiver, bob, env, true), 'duplicate envelope')
    clock.advance(THIRTY_DAYS * 1000)
    // Older than any store node keeps: refused outright.
    assert.throws(() => receiver.accept(env, true), { code: 'ENVELOPE_EXPIRED' })
  })

  // A bare `Receiver` keeps seen hashes only until expiry (historyRetention 0, the transport's
  // default, which test/transport/codec.test.ts pins); the Messenger passes 30 days, the longest
  // store TTL, so the test above is the configuration every messenger runs with.
})

describe('replayed ratchet message: DUPLICATE, store unchanged', () => {
  test('the first (X3DH) message', () => {
    const clock = { now: 1_767_225_600_000_000_000n }
    const alice = party('alice', 'alice-1', clock)
    const bob = party('bob', 'bob-1', clock)
    alice.protocol.processBundle(bob.protocol.ourBundle())
    const first = alice.protocol.encrypt(bob.publicKey, utf8('first')).message
    assert.deepEqual(bob.protocol.decrypt(alice.publicKey, first)?.payload, utf8('first'))
    rejects(bob, () => bob.protocol.decrypt(alice.publicKey, first), 'DUPLICATE')
  })

  test('a later message, a new-chain message, and a skipped-then-used key', () => {
    const { alice, bob } = conversation()
    // Alice's new chain (she received Bob's reply): m1 starts it, m2 and m3 follow.
    const m1 = alice.protocol.encrypt(bob.publicKey, utf8('m1')).message
    const m2 = alice.protocol.encrypt(bob.publicKey, utf8('m2')).message
    const m3 = alice.protocol.encrypt(bob.publicKey, utf8('m3')).message
    assert.deepEqual(bob.protocol.decrypt(alice.publicKey, m1)?.payload, utf8('m1'))
    assert.deepEqual(bob.protocol.decrypt(alice.publicKey, m3)?.payload, utf8('m3')) // skips m2
    assert.deepEqual(bob.protocol.decrypt(alice.publicKey, m2)?.payload, utf8('m2')) // skipped key
    for (const m of [m1, m2, m3]) {
      rejects(bob, () => bob.protocol.decrypt(alice.publicKey, m), 'DUPLICATE')
    }
  })

  test('through the whole receive path after a restart lost the seen set', () => {
    const { alice, bob } = conversation()
    const sent = alice.protocol.encrypt(bob.publicKey, utf8('once')).message
    const env = envelopeOf(sent, alice.identity, bob.publicKey, T)
    assert.notEqual(receivePath(receiverAt(T_MS).receiver, bob, env), 'duplicate envelope')
    const fresh = receiverAt(T_MS).receiver
    rejects(bob, () => receivePath(fresh, bob, env), 'DUPLICATE')
  })
})
