/**
 * Hostile peers on the relay and store protocols (TRANSPORT.md §4.3 item 7, §5.3): malformed
 * WakuMessages and oversized payloads are rejected before forwarding, a flooding peer is rate
 * limited, absurd or malformed store requests get a clear status, oversized requests are cut
 * off — and the node keeps relaying and serving honest peers throughout.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { create, toBinary } from '@bufbuild/protobuf'
import { peerIdFromString } from '@libp2p/peer-id'
import { PfsError } from '../../src/errors.ts'
import { MemoryEnvelopeStore, contentTopic } from '../../src/transport/index.ts'
import type { Envelope } from '../../src/transport/index.ts'
import type { Libp2pNetwork } from '../../src/transport/libp2p/libp2p-network.ts'
import { encodeEnvelopeMessage } from '../../src/transport/libp2p/codec.ts'
import { DEFAULT_PUBSUB_TOPIC, STORE_PROTOCOL } from '../../src/transport/libp2p/constants.ts'
import { exchange } from '../../src/transport/libp2p/request.ts'
import { WakuMessageSchema } from '../../src/wire/gen/waku_message_pb.ts'
import {
  StoreQueryRequestSchema,
  StoreQueryResponseSchema,
} from '../../src/wire/gen/waku_store_pb.ts'
import { fromBinary } from '@bufbuild/protobuf'
import { closeAll, envelope, idOf, node, now, topicA, until } from './helpers.ts'

let victim: Libp2pNetwork
let attacker: Libp2pNetwork
let honest: Libp2pNetwork
const got: Envelope[] = []

before(async () => {
  victim = await node({ store: new MemoryEnvelopeStore(), peerRate: { rate: 50, burst: 100 } })
  // The attacker accepts anything itself, so that it can send it.
  attacker = await node({ bootstrap: [victim.multiaddrs[0]!], maxPayloadSize: 4 * 1024 * 1024 })
  honest = await node({ bootstrap: [victim.multiaddrs[0]!] })
  await victim.waitForPeers(2, { mesh: false })
  await attacker.waitForPeers(1, { mesh: false })
  await honest.waitForPeers(1, { mesh: false })
  victim.subscribe('all', (e) => got.push(e))
})

after(() => closeAll([victim, attacker, honest]))

/** Publishes raw bytes on the relay topic, bypassing every check of ours. */
async function raw(bytes: Uint8Array, from: Libp2pNetwork = attacker): Promise<void> {
  const pubsub = (from.libp2p.services as any).pubsub
  await pubsub.publish(DEFAULT_PUBSUB_TOPIC, bytes)
}

/** A fresh attacker connected to the victim (an oversized frame costs a peer its stream). */
async function newAttacker(): Promise<Libp2pNetwork> {
  const a = await node({ bootstrap: [victim.multiaddrs[0]!], maxPayloadSize: 4 * 1024 * 1024 })
  await a.waitForPeers(1, { mesh: false })
  await until(() => victim.topicPeers().includes(a.peerId), 'the victim to see the attacker')
  return a
}

async function honestStillWorks(i: number): Promise<void> {
  await honest.publish(envelope(i))
  await until(() => got.some((e) => idOf(e) === i), `honest envelope ${i}`)
}

test('malformed WakuMessages are rejected and not delivered', async () => {
  const before = victim.stats().invalid
  const bad = [
    Uint8Array.of(0xff, 0xff, 0xff), // not protobuf
    toBinary(WakuMessageSchema, create(WakuMessageSchema, { payload: Uint8Array.of(1) })), // no topic
    toBinary(
      WakuMessageSchema,
      create(WakuMessageSchema, { contentTopic: contentTopic(topicA), version: 1 }),
    ), // no payload
    toBinary(
      WakuMessageSchema,
      create(WakuMessageSchema, {
        payload: Uint8Array.of(1),
        contentTopic: contentTopic(topicA),
        meta: new Uint8Array(65),
      }),
    ), // meta too long
  ]
  for (const b of bad) await raw(b)
  await until(() => victim.stats().invalid >= before + bad.length, 'rejections')
  await honestStillWorks(1)
  assert.equal(got.length, 1)
})

test('payloads over 1 MiB are dropped; up to 1 MiB pass', async () => {
  const big = (n: number): Uint8Array =>
    toBinary(
      WakuMessageSchema,
      create(WakuMessageSchema, {
        payload: new Uint8Array(n).fill(7),
        contentTopic: contentTopic(topicA),
        version: 1,
        timestamp: BigInt(now()) * 1_000_000_000n,
      }),
    )
  const a = await newAttacker()
  try {
    await raw(big(1024 * 1024), a)
    await until(() => got.some((e) => e.data.length === 1024 * 1024), 'the 1 MiB message')
    await raw(big(1024 * 1024 + 1), a)
    await raw(big(3 * 1024 * 1024), a)
    await honestStillWorks(2)
  } finally {
    await a.close()
  }
  assert.equal(got.filter((e) => e.data.length > 1024 * 1024).length, 0)
})

test('a flooding peer is rate limited; honest peers are still served', async () => {
  const a = await newAttacker()
  try {
    const before = got.length
    for (let i = 0; i < 1000; i++) await raw(encodeEnvelopeMessage(envelope(10_000 + i)), a)
    await until(() => victim.stats().rateLimited > 0, 'rate limiting')
    await honestStillWorks(3)
    const flood = got.slice(before).filter((e) => idOf(e) >= 10_000).length
    assert.ok(flood < 1000 && flood >= 100, `flood copies delivered: ${flood}`)
  } finally {
    await a.close()
  }
})

async function storeRequest(fields: Record<string, unknown>): Promise<any> {
  const req = create(StoreQueryRequestSchema, { requestId: 'r1', includeData: true, ...fields })
  const bytes = await exchange(
    honest.libp2p,
    peerIdFromString(victim.peerId),
    STORE_PROTOCOL,
    toBinary(StoreQueryRequestSchema, req),
    { maxResponseBytes: 64 << 20 },
  )
  return fromBinary(StoreQueryResponseSchema, bytes)
}

test('store requests: absurd pages clamped, malformed ones refused with 400, node keeps serving', async () => {
  const content = { pubsubTopic: DEFAULT_PUBSUB_TOPIC, contentTopics: [contentTopic(topicA)] }
  const huge = await storeRequest({
    ...content,
    paginationLimit: 1n << 62n,
    paginationForward: true,
  })
  assert.equal(huge.statusCode, 200)
  assert.ok(victim.stats().stored > 100)
  assert.equal(huge.messages.length, 100)
  assert.ok(huge.paginationCursor !== undefined)
  const mixed = await storeRequest({ ...content, messageHashes: [new Uint8Array(32)] })
  assert.equal(mixed.statusCode, 400)
  assert.match(mixed.statusDesc, /cannot be combined/)
  assert.equal((await storeRequest({})).statusCode, 400)
  assert.equal(
    (await storeRequest({ ...content, paginationCursor: Uint8Array.of(1) })).statusCode,
    400,
  )
  assert.equal(
    (await storeRequest({ ...content, paginationCursor: new Uint8Array(32) })).statusCode,
    400,
  )
  const many = Array.from({ length: 101 }, () => contentTopic(topicA))
  assert.equal(
    (await storeRequest({ pubsubTopic: DEFAULT_PUBSUB_TOPIC, contentTopics: many })).statusCode,
    400,
  )
  // Garbage and oversized frames: the stream fails, the node does not.
  await assert.rejects(
    exchange(
      honest.libp2p,
      peerIdFromString(victim.peerId),
      STORE_PROTOCOL,
      Uint8Array.of(0xff, 0xff),
      {
        maxResponseBytes: 1 << 20,
      },
    ).then((b) => {
      const r = fromBinary(StoreQueryResponseSchema, b)
      if (r.statusCode === 400) throw Object.assign(new Error('400'), { code: 'NETWORK_FAILURE' })
    }),
    { code: 'NETWORK_FAILURE' },
  )
  await assert.rejects(
    exchange(
      honest.libp2p,
      peerIdFromString(victim.peerId),
      STORE_PROTOCOL,
      new Uint8Array(100 * 1024),
      { maxResponseBytes: 1 << 20 },
    ),
    { code: 'NETWORK_FAILURE' },
  )
  const ok = await storeRequest({ ...content, paginationForward: true })
  assert.equal(ok.statusCode, 200)
  await honestStillWorks(4)
})

test('a peer flooding the store with queries gets 429; honest peers are still served', async () => {
  const a = await newAttacker()
  try {
    const req = toBinary(
      StoreQueryRequestSchema,
      create(StoreQueryRequestSchema, {
        requestId: 'flood',
        includeData: true,
        pubsubTopic: DEFAULT_PUBSUB_TOPIC,
        contentTopics: [contentTopic(topicA)],
        paginationLimit: 1n,
      }),
    )
    const statuses: number[] = []
    // 300 queries, 30 at a time: far over the default 50/s (burst 100) per peer.
    for (let batch = 0; batch < 10; batch++) {
      const replies = await Promise.all(
        Array.from({ length: 30 }, () =>
          exchange(a.libp2p, peerIdFromString(victim.peerId), STORE_PROTOCOL, req, {
            maxResponseBytes: 1 << 20,
          }),
        ),
      )
      for (const r of replies)
        statuses.push(fromBinary(StoreQueryResponseSchema, r).statusCode ?? 0)
    }
    const limited = statuses.filter((s) => s === 429).length
    assert.ok(limited > 0 && limited < 300, `429 answers: ${String(limited)}`)
    assert.ok(statuses.every((s) => s === 200 || s === 429))
    // The refusal reaches the client API as a typed error naming the status.
    // (25 at a time: libp2p itself resets streams beyond 32 open ones per protocol.)
    const refused: unknown[] = []
    for (let batch = 0; batch < 12 && refused.length === 0; batch++) {
      const results = await Promise.allSettled(
        Array.from({ length: 25 }, () => a.history({ topics: [topicA], from: 0, to: now() })),
      )
      for (const r of results) if (r.status === 'rejected') refused.push(r.reason)
    }
    assert.ok(refused.length > 0, 'some history calls refused')
    for (const e of refused) {
      assert.ok(e instanceof PfsError && e.code === 'NETWORK_FAILURE')
      assert.equal(e.details['status'], 429)
      assert.match(e.message, /rate limited/)
    }
    const ok = await storeRequest({
      pubsubTopic: DEFAULT_PUBSUB_TOPIC,
      contentTopics: [contentTopic(topicA)],
    })
    assert.equal(ok.statusCode, 200)
  } finally {
    await a.close()
  }
})
