/**
 * Inputs the fuzzers found, replayed as plain tests (STYLE.md §8), and self-tests of the fuzz
 * oracle: it must report a non-`PfsError`, and a failed input that changed the store.
 *
 * @module
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { PfsError } from '../../src/errors.ts'
import {
  ManualClock,
  Receiver,
  createEnvelope,
  decodeCursor,
  decodeWakuMessage,
  encodeEnvelopeMessage,
  messageToEnvelope,
  topicFromHex,
} from '../../src/transport/index.ts'
import { FuzzFailure, Stats, guarded } from './harness.ts'
import { protocolFixture } from './protocol-fixture.ts'
import type { ProtocolFixture } from './protocol-fixture.ts'
import { checkProtocolInput } from './targets-protocol.ts'

describe('fuzz findings', () => {
  test('decodeCursor of a short cursor: WIRE_MALFORMED, not a RangeError from DataView', () => {
    for (const length of [0, 3, 35, 37]) {
      assert.throws(() => decodeCursor(new Uint8Array(length)), { code: 'WIRE_MALFORMED' })
    }
    assert.equal(decodeCursor(new Uint8Array(36)).sent, 0)
  })

  test('an expired envelope from a store node is accepted once, with historyRetention', () => {
    // Found through the Waku codec: a message whose timestamp lies before its TTL window.
    const now = 1_767_225_600
    const env = createEnvelope({
      topic: topicFromHex('0xdeadbeef'),
      data: new Uint8Array(8),
      ttl: 50,
      now: now - 3600,
    })
    const again = messageToEnvelope(decodeWakuMessage(encodeEnvelopeMessage(env)), now)
    assert.ok(again !== undefined)
    const receiver = new Receiver({
      clock: new ManualClock(now * 1000),
      minPow: 0,
      historyRetention: 86_400,
    })
    assert.ok(receiver.accept(again, true))
    assert.equal(receiver.accept(again, true), undefined)
    assert.equal(receiver.accept(again, true), undefined)
  })
})

describe('the oracle can fail', () => {
  test('a non-PfsError escaping is a FuzzFailure', () => {
    assert.throws(
      () =>
        guarded(new Stats(), () => {
          throw new RangeError('boom')
        }),
      FuzzFailure,
    )
    assert.equal(
      guarded(new Stats(), () => {
        throw new PfsError('MAC_MISMATCH', 'x')
      }).outcome,
      'MAC_MISMATCH',
    )
  })

  test('a failed input that wrote to the store is a FuzzFailure', () => {
    const fx = protocolFixture()
    const store = fx.bob.store
    const leaky = {
      decrypt: () => {
        store.putContact({ identity: fx.mallory.publicKey, addedAt: 1, blocked: false })
        throw new PfsError('MAC_MISMATCH', 'forged')
      },
    }
    const sabotaged = { ...fx, bob: { ...fx.bob, protocol: leaky } } as unknown as ProtocolFixture
    assert.throws(
      () =>
        checkProtocolInput(
          sabotaged,
          { seed: 0, signer: -1, ops: [], wire: [], handle: false },
          new Stats(),
        ),
      (e: unknown) => e instanceof FuzzFailure && /store changed/.test(e.message),
    )
    // The harness rolled the write back: the next input starts from the same state.
    assert.deepEqual(store.listContacts(), [])
  })
})
