/**
 * Shared pieces of the attack tests: two people on fresh MemoryStores, the full receive path
 * (envelope → `Receiver` → `open` → `decodeProtocolMessage` → `Protocol.decrypt`), and a store
 * dump to prove a rejected input changed nothing.
 *
 * @module
 */
import assert from 'node:assert/strict'
import { utf8 } from '../../src/crypto/index.ts'
import type { SecretKey } from '../../src/crypto/index.ts'
import { isPfsError } from '../../src/errors.ts'
import type { ErrorCode } from '../../src/errors.ts'
import {
  ManualClock,
  Receiver,
  createEnvelope,
  open,
  partitionedTopic,
  sealAsymmetric,
} from '../../src/transport/index.ts'
import type { Envelope } from '../../src/transport/index.ts'
import { decodeProtocolMessage, encodeProtocolMessage } from '../../src/wire/index.ts'
import type { ProtocolMessage } from '../../src/wire/index.ts'
import { crypto, party } from '../fuzz/protocol-fixture.ts'
import type { Party } from '../fuzz/protocol-fixture.ts'
import { dumpStore } from '../store/helpers.ts'

export { crypto, party }
export type { Party }

/** Alice and Bob with sessions both ways (Alice initiated, Bob answered). */
export function conversation(): {
  alice: Party
  bob: Party
  mallory: Party
  clock: { now: bigint }
} {
  const clock = { now: 1_767_225_600_000_000_000n }
  const alice = party('alice', 'alice-1', clock)
  const bob = party('bob', 'bob-1', clock)
  const mallory = party('mallory', 'mallory-1', clock)
  alice.protocol.processBundle(bob.protocol.ourBundle())
  bob.protocol.decrypt(alice.publicKey, alice.protocol.encrypt(bob.publicKey, utf8('hi')).message)
  alice.protocol.decrypt(bob.publicKey, bob.protocol.encrypt(alice.publicKey, utf8('yo')).message)
  return { alice, bob, mallory, clock }
}

/** Asserts `fn` throws a PfsError of `code` and leaves `store` as it was. */
export function rejects(
  who: Party,
  fn: () => unknown,
  code: ErrorCode | readonly ErrorCode[],
): void {
  const codes: readonly ErrorCode[] = typeof code === 'string' ? [code] : code
  const before = dumpStore(who.store)
  assert.throws(fn, (e: unknown) => {
    assert.ok(isPfsError(e), `expected a PfsError, got ${String(e)}`)
    assert.ok(codes.includes(e.code), `expected ${codes.join('|')}, got ${e.code}`)
    return true
  })
  assert.equal(dumpStore(who.store), before, 'the store changed')
}

/** Wraps `message` as `sender` would: ECIES to the recipient's partitioned topic, signed. */
export function envelopeOf(
  message: ProtocolMessage,
  senderIdentity: SecretKey,
  recipientPublic: Uint8Array,
  nowSeconds: number,
): Envelope {
  const data = sealAsymmetric(encodeProtocolMessage(message), recipientPublic, senderIdentity, {
    provider: crypto,
  })
  return createEnvelope({
    topic: partitionedTopic(recipientPublic),
    data,
    ttl: 60,
    now: nowSeconds,
  })
}

/** The device's receive path: transport checks and dedup, then decryption. */
export function receivePath(
  receiver: Receiver,
  who: Party,
  envelope: Envelope,
  fromStore = false,
): ReturnType<Party['protocol']['decrypt']> | 'duplicate envelope' {
  if (receiver.accept(envelope, fromStore) === undefined) return 'duplicate envelope'
  const opened = open(envelope.data, { privateKey: who.identity }, { provider: crypto })
  assert.ok(opened.signer !== undefined)
  return who.protocol.decrypt(opened.signer, decodeProtocolMessage(opened.payload))
}

/** A receiver on a manual clock (PoW off: these tests are about replays, not spam). */
export function receiverAt(
  nowMs: number,
  historyRetention?: number,
): { receiver: Receiver; clock: ManualClock } {
  const clock = new ManualClock(nowMs)
  const receiver = new Receiver({
    clock,
    minPow: 0,
    provider: crypto,
    ...(historyRetention === undefined ? {} : { historyRetention }),
  })
  return { receiver, clock }
}
