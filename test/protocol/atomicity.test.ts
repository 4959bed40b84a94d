/**
 * A failed handle leaves the store byte-identical (DESIGN.md "Storage"; PROTOCOL.md §8.2; issue 5
 * "Done when"), on MemoryStore and SqliteStore over a temporary file, compared through a full
 * dump of every table: a tampered ciphertext (the first X3DH message and a later one), a forged
 * bundle, another identity's bundle, a truncated payload or header, truncated wire bytes, an
 * unknown session, and a duplicate. After each failure the genuine message still goes through.
 *
 * @module
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { utf8 } from '../../src/crypto/index.ts'
import { isPfsError } from '../../src/errors.ts'
import type { ErrorCode } from '../../src/errors.ts'
import type { ProtocolMessage } from '../../src/wire/index.ts'
import {
  ProtocolMessageSchema,
  clone,
  decodeProtocolMessage,
  encodeProtocolMessage,
} from '../../src/wire/index.ts'
import { dumpStore } from '../store/helpers.ts'
import { SCENARIO_STORES, T0, device } from './helpers.ts'
import type { Device } from './helpers.ts'

function failsCleanly(
  receiver: Device,
  sender: Uint8Array,
  message: ProtocolMessage,
  codes: readonly ErrorCode[],
): void {
  const before = dumpStore(receiver.store)
  assert.throws(
    () => receiver.protocol.handle(sender, message),
    (e: unknown) => isPfsError(e) && codes.includes(e.code),
    `expected ${codes.join(' or ')}`,
  )
  assert.equal(dumpStore(receiver.store), before)
}

function mutate(message: ProtocolMessage, fn: (m: ProtocolMessage) => void): ProtocolMessage {
  const copy = clone(ProtocolMessageSchema, message)
  fn(copy)
  return copy
}

for (const [storeName, makeStore] of SCENARIO_STORES) {
  describe(`§8.2 A failed handle changes nothing [${storeName}]`, () => {
    const setup = () => {
      const clock = { now: T0 }
      const alice = device(makeStore, 'alice', 'alice-1', clock)
      const bob = device(makeStore, 'bob', 'bob-1', clock)
      const mallory = device(makeStore, 'mallory', 'mallory-1', clock)
      alice.protocol.processBundle(bob.protocol.ourBundle())
      bob.protocol.ourBundle()
      return { alice, bob, mallory }
    }
    const payloadText = (bob: Device, alice: Device, m: ProtocolMessage): string => {
      const r = bob.protocol.handle(alice.publicKey, m)
      return r.kind === 'message' ? new TextDecoder().decode(r.payload) : r.kind
    }

    test('tampered, truncated and forged first (X3DH) messages', () => {
      const { alice, bob, mallory } = setup()
      const m = alice.protocol.encrypt(bob.publicKey, utf8('first')).message
      const tampered = mutate(m, (c) => {
        const e = c.encryptedMessage['bob-1']!
        e.payload[e.payload.length - 1]! ^= 1
      })
      failsCleanly(bob, alice.publicKey, tampered, ['MAC_MISMATCH'])
      const truncated = mutate(m, (c) => {
        const e = c.encryptedMessage['bob-1']!
        e.payload = e.payload.subarray(0, 10)
      })
      failsCleanly(bob, alice.publicKey, truncated, ['MAC_MISMATCH', 'WIRE_MALFORMED'])
      const shortKey = mutate(m, (c) => {
        const h = c.encryptedMessage['bob-1']!.X3DHHeader!
        h.key = h.key.subarray(0, 20)
      })
      failsCleanly(bob, alice.publicKey, shortKey, ['WIRE_MALFORMED', 'INVALID_KEY'])
      const forged = mutate(m, (c) => {
        c.bundles[0]!.timestamp += 1n
      })
      failsCleanly(bob, alice.publicKey, forged, ['BUNDLE_SIGNATURE'])
      const smuggled = mutate(m, (c) => {
        c.bundles.push(mallory.protocol.ourBundle())
      })
      failsCleanly(bob, alice.publicKey, smuggled, ['BUNDLE_SIGNATURE'])
      failsCleanly(bob, mallory.publicKey, m, ['BUNDLE_SIGNATURE'])
      // Truncated bytes do not even decode.
      const bytes = encodeProtocolMessage(m)
      assert.throws(() => decodeProtocolMessage(bytes.subarray(0, bytes.length - 7)), {
        code: 'WIRE_MALFORMED',
      })
      const pre = dumpStore(bob.store)
      assert.equal(payloadText(bob, alice, m), 'first')
      assert.notEqual(dumpStore(bob.store), pre, 'the dump sees what a handle writes')
    })

    test('tampered later message, unknown session, duplicate', () => {
      const { alice, bob } = setup()
      assert.equal(
        payloadText(bob, alice, alice.protocol.encrypt(bob.publicKey, utf8('1')).message),
        '1',
      )
      assert.equal(
        payloadText(alice, bob, bob.protocol.encrypt(alice.publicKey, utf8('2')).message),
        '2',
      )
      const m = alice.protocol.encrypt(bob.publicKey, utf8('3')).message
      const tampered = mutate(m, (c) => {
        c.encryptedMessage['bob-1']!.payload[0]! ^= 0x80
      })
      failsCleanly(bob, alice.publicKey, tampered, ['MAC_MISMATCH'])
      const unknown = mutate(m, (c) => {
        const dr = c.encryptedMessage['bob-1']!.DRHeader!
        dr.id = Uint8Array.from(dr.id).fill(7, 1)
      })
      failsCleanly(bob, alice.publicKey, unknown, ['SESSION_NOT_FOUND'])
      const truncatedHeader = mutate(m, (c) => {
        const dr = c.encryptedMessage['bob-1']!.DRHeader!
        dr.key = dr.key.subarray(0, 16)
      })
      failsCleanly(bob, alice.publicKey, truncatedHeader, [
        'WIRE_MALFORMED',
        'INVALID_KEY',
        'MAC_MISMATCH',
      ])
      assert.equal(payloadText(bob, alice, m), '3')
      failsCleanly(bob, alice.publicKey, m, ['DUPLICATE'])
    })
  })
}
