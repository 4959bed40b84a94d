/**
 * Store node over libp2p (TRANSPORT.md §4.2, §4.3): a SQLite-backed store node archives relayed
 * envelopes; a client pages through them with `history` (and `StoreClient.sync`), by topic and
 * time range; raw store v3 requests page backward and forward with the same entries in forward
 * order; retention prunes; the store survives a restart.
 */
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { create, fromBinary, toBinary } from '@bufbuild/protobuf'
import { peerIdFromString } from '@libp2p/peer-id'
import { toHex } from '../../src/crypto/index.ts'
import {
  SqliteEnvelopeStore,
  StoreClient,
  contentTopic,
  envelopeHash,
} from '../../src/transport/index.ts'
import type { Envelope } from '../../src/transport/index.ts'
import type { Libp2pNetwork } from '../../src/transport/libp2p/libp2p-network.ts'
import { DEFAULT_PUBSUB_TOPIC, STORE_PROTOCOL } from '../../src/transport/libp2p/constants.ts'
import { exchange } from '../../src/transport/libp2p/request.ts'
import { generatePeerKey } from '../../src/transport/libp2p/peer-key.ts'
import {
  StoreQueryRequestSchema,
  StoreQueryResponseSchema,
} from '../../src/wire/gen/waku_store_pb.ts'
import { closeAll, envelope, idOf, node, now, topicA, topicB, until } from './helpers.ts'

const dir = mkdtempSync(join(tmpdir(), 'pfs-net-store-'))
const nodes: Libp2pNetwork[] = []
after(async () => {
  await closeAll(nodes)
  rmSync(dir, { recursive: true, force: true })
})

test('history pages, time ranges, js-waku-style raw paging both ways, restart', async () => {
  const peerKey = await generatePeerKey()
  const file = join(dir, 'store.sqlite')
  let store = await node({ store: new SqliteEnvelopeStore(file), peerKey })
  const sender = await node({ bootstrap: [store.multiaddrs[0]!] })
  const reader = await node({
    storePeers: [store.multiaddrs[0]!],
    bootstrap: [store.multiaddrs[1]!],
  })
  nodes.push(store, sender, reader)
  await sender.waitForPeers(1, { mesh: false })
  await until(() => store.topicPeers().includes(sender.peerId), 'store to see the sender')
  const base = now() - 10
  const sent: Envelope[] = []
  for (let i = 0; i < 25; i++) {
    const e = envelope(i, i % 5 === 4 ? topicB : topicA, 3600, base + Math.floor(i / 3))
    sent.push(e)
    await sender.publish(e)
  }
  await until(() => store.stats().stored === 25, 'archiving')
  // Store order: send second, then envelope hash.
  const order = (list: Envelope[]): Envelope[] =>
    [...list].sort(
      (x, y) =>
        x.expiry - x.ttl - (y.expiry - y.ttl) ||
        (toHex(envelopeHash(x)) < toHex(envelopeHash(y)) ? -1 : 1),
    )
  const wantA = order(sent.filter((e) => e.topic[0] === topicA[0])).map(idOf)

  // Network.history through the store protocol, 7 at a time (the store clamps nothing here).
  const seen: number[] = []
  let cursor: Uint8Array | undefined
  let pages = 0
  do {
    const page = await reader.history({
      topics: [topicA],
      from: 0,
      to: now() + 5,
      limit: 7,
      ...(cursor !== undefined && { cursor }),
    })
    seen.push(...page.envelopes.map(idOf))
    cursor = page.cursor
    pages++
  } while (cursor !== undefined)
  assert.deepEqual(seen, wantA)
  assert.equal(pages, Math.ceil(wantA.length / 7))

  // Envelopes come back byte-identical.
  const one = await reader.history({ topics: [topicB], from: base, to: base, limit: 10 })
  assert.equal(one.envelopes.length, 0)
  const bs = await reader.history({ topics: [topicB], from: 0, to: now() + 5 })
  assert.deepEqual(
    bs.envelopes.map((e) => toHex(envelopeHash(e))),
    order(sent.filter((e) => e.topic[0] === topicB[0])).map((e) => toHex(envelopeHash(e))),
  )

  // Time range: send seconds base+2 .. base+4 inclusive.
  const ranged = await reader.history({ topics: [topicA, topicB], from: base + 2, to: base + 4 })
  assert.deepEqual(
    ranged.envelopes.map(idOf),
    order(sent.filter((_, i) => Math.floor(i / 3) >= 2 && Math.floor(i / 3) <= 4)).map(idOf),
  )

  // StoreClient.sync over the network, resuming from pages.
  const synced: number[] = []
  const client = new StoreClient(reader, {
    topics: [topicA],
    pageSize: 4,
    handler: (e) => {
      synced.push(idOf(e))
    },
  })
  const r = await client.sync(0, { until: now() + 5 })
  assert.equal(r.complete, true)
  assert.deepEqual(synced, wantA)

  // Raw store v3, as js-waku sends it: backward (the default) and forward give the same entries,
  // pages in forward order, cursor = message hash of the edge entry.
  async function pageRaw(forward: boolean, c?: Uint8Array): Promise<any> {
    const req = create(StoreQueryRequestSchema, {
      requestId: 'x',
      includeData: true,
      pubsubTopic: DEFAULT_PUBSUB_TOPIC,
      contentTopics: [contentTopic(topicA)],
      paginationForward: forward,
      paginationLimit: 6n,
      ...(c !== undefined && { paginationCursor: c }),
    })
    const bytes = await exchange(
      reader.libp2p,
      peerIdFromString(store.peerId),
      STORE_PROTOCOL,
      toBinary(StoreQueryRequestSchema, req),
      { maxResponseBytes: 1 << 24 },
    )
    return fromBinary(StoreQueryResponseSchema, bytes)
  }
  for (const forward of [true, false]) {
    const collected: string[][] = []
    let c: Uint8Array | undefined
    for (;;) {
      const res = await pageRaw(forward, c)
      assert.equal(res.statusCode, 200)
      const hashes = res.messages.map((m: any) => toHex(m.messageHash))
      collected.push(hashes)
      if (res.paginationCursor === undefined) break
      const edge = forward ? res.messages[res.messages.length - 1] : res.messages[0]
      assert.equal(toHex(res.paginationCursor), toHex(edge.messageHash))
      c = res.paginationCursor
    }
    const flat = forward ? collected.flat() : collected.reverse().flat()
    assert.equal(flat.length, wantA.length)
    assert.equal(new Set(flat).size, wantA.length)
    if (!forward) assert.equal(collected[collected.length - 1]!.length, 6, 'newest page is full')
  }

  // Restart on the same file and key: history is still there.
  const tcpAddr = store.multiaddrs[0]!.split('/p2p/')[0]!
  await store.close()
  store = await node({ store: new SqliteEnvelopeStore(file), peerKey, listen: [tcpAddr] })
  nodes.push(store)
  await until(() => reader.peers().includes(store.peerId), 'the reader to reconnect')
  const again = await reader.history({ topics: [topicA], from: 0, to: now() + 5, limit: 100 })
  assert.deepEqual(again.envelopes.map(idOf), wantA)
})

test('retention: expired envelopes are pruned and no longer served', async () => {
  const store = await node({ store: new SqliteEnvelopeStore(':memory:'), pruneIntervalMs: 100 })
  const sender = await node({
    bootstrap: [store.multiaddrs[0]!],
    storePeers: [store.multiaddrs[0]!],
  })
  nodes.push(store, sender)
  await until(() => store.topicPeers().includes(sender.peerId), 'store to see the sender')
  await sender.waitForPeers(1, { mesh: false })
  await sender.publish(envelope(1, topicA, 2))
  await sender.publish(envelope(2, topicA, 3600))
  await until(() => store.stats().stored === 2, 'archiving')
  const page = await sender.history({ topics: [topicA], from: 0, to: now() + 5 })
  assert.equal(page.envelopes.length, 2)
  let left = 2
  const deadline = Date.now() + 8000
  while (Date.now() < deadline) {
    const p = await sender.history({ topics: [topicA], from: 0, to: now() + 5 })
    left = p.envelopes.length
    if (left === 1) break
    await new Promise((r) => setTimeout(r, 200))
  }
  assert.equal(left, 1)
})
