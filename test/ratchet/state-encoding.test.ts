/**
 * The hand-written `RatchetState` encoder (src/ratchet/state-encoding.ts) against protobuf-es
 * `toBinary` on random field values: the same bytes, including skipped-key chains (grouped by the
 * chain key's identity, as `serialize` groups them), empty repeated elements, 64-bit counters and
 * zero values; counters out of range are declined.
 *
 * @module
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { create, toBinary } from '@bufbuild/protobuf'
import { encodeStateFields } from '../../src/ratchet/state-encoding.ts'
import type { StateFields } from '../../src/ratchet/state-encoding.ts'
import type { SkippedKey } from '../../src/ratchet/skipped-keys.ts'
import {
  RatchetStateSchema,
  SkippedChainSchema,
  SkippedKeySchema,
} from '../../src/wire/gen/ratchet_state_pb.ts'

const bytes = (max: number): fc.Arbitrary<Uint8Array> =>
  fc.oneof(fc.constant(new Uint8Array(0)), fc.uint8Array({ minLength: 1, maxLength: max }))
const u32 = fc.oneof(fc.constant(0), fc.nat(300), fc.integer({ min: 0, max: 0xffffffff }))
const u64 = fc.oneof(fc.constant(0), fc.nat(300), fc.maxSafeNat())

/** Chains of skipped keys: each chain's keys share one `dh` array (identity matters). */
const skipped = fc
  .array(
    fc.record({
      dh: bytes(40),
      keys: fc.array(fc.record({ n: u32, mk: bytes(40), seq: u64 }), { maxLength: 5 }),
    }),
    { maxLength: 4 },
  )
  .map((chains) => chains.flatMap((c) => c.keys.map((k): SkippedKey => ({ ...k, dh: c.dh }))))

const fields: fc.Arbitrary<StateFields> = fc.record({
  version: u32,
  dh: u32,
  rootKey: bytes(40),
  sendingChainKey: bytes(40),
  receivingChainKey: bytes(40),
  sendingPrivateKey: bytes(40),
  sendingPublicKey: bytes(40),
  receivingPublicKey: bytes(40),
  sendCount: u32,
  receiveCount: u32,
  previousSendCount: u32,
  keysCount: u64,
  skipped,
  previousReceivingPublicKeys: fc.array(bytes(40), { maxLength: 4 }),
})

function generic(f: StateFields): Uint8Array {
  const chains: ReturnType<typeof create<typeof SkippedChainSchema>>[] = []
  let last: Uint8Array | undefined
  for (const k of f.skipped) {
    if (chains.length === 0 || k.dh !== last) {
      last = k.dh
      chains.push(create(SkippedChainSchema, { ratchetPublicKey: k.dh, keys: [] }))
    }
    chains[chains.length - 1]!.keys.push(
      create(SkippedKeySchema, { n: k.n, messageKey: k.mk, seq: BigInt(k.seq) }),
    )
  }
  return toBinary(
    RatchetStateSchema,
    create(RatchetStateSchema, {
      ...f,
      keysCount: BigInt(f.keysCount),
      skipped: chains,
      previousReceivingPublicKeys: [...f.previousReceivingPublicKeys],
    }),
  )
}

test('RatchetState by hand equals toBinary on random states', () => {
  fc.assert(
    fc.property(fields, (f) => {
      assert.deepEqual(encodeStateFields(f), generic(f))
    }),
    { numRuns: 1000 },
  )
})

test('counters out of their field range are declined (the generic codec decides)', () => {
  const base: StateFields = {
    version: 1,
    dh: 1,
    rootKey: new Uint8Array(32),
    sendingChainKey: new Uint8Array(32),
    receivingChainKey: new Uint8Array(32),
    sendingPrivateKey: new Uint8Array(32),
    sendingPublicKey: new Uint8Array(33),
    receivingPublicKey: new Uint8Array(0),
    sendCount: 0,
    receiveCount: 0,
    previousSendCount: 0,
    keysCount: 0,
    skipped: [],
    previousReceivingPublicKeys: [],
  }
  assert.ok(encodeStateFields(base) !== undefined)
  assert.equal(encodeStateFields({ ...base, sendCount: 2 ** 32 }), undefined)
  assert.equal(encodeStateFields({ ...base, receiveCount: -1 }), undefined)
  assert.equal(encodeStateFields({ ...base, keysCount: 2 ** 53 }), undefined)
  const k: SkippedKey = { dh: new Uint8Array(33), n: 1.5, mk: new Uint8Array(32), seq: 0 }
  assert.equal(encodeStateFields({ ...base, skipped: [k] }), undefined)
})
