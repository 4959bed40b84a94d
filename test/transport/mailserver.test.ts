/**
 * Store nodes (mailservers): one contract run against `SqliteEnvelopeStore` and
 * `MemoryEnvelopeStore` — 100,000 envelopes stored, every page walk returns each matching envelope
 * exactly once in `(sent, hash)` order, TTL pruning, malformed queries refused — plus SQLite
 * restart persistence and the `StoreClient.sync` client (de-duplication, oldest first, resume).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { compareBytes, toHex } from '../../src/crypto/index.ts'
import {
  MAILSERVER_SCHEMA_VERSION,
  ManualClock,
  MemoryEnvelopeStore,
  MemoryNetwork,
  MemorySeenSet,
  SqliteEnvelopeStore,
  StoreClient,
  createEnvelope,
  encodeCursor,
  envelopeHash,
  limits,
  sentTime,
  topicFromName,
} from '../../src/transport/index.ts'
import type { Envelope, EnvelopeStore, HistoryQuery } from '../../src/transport/index.ts'

const T0 = 1_700_000_000
const topics = [0, 1, 2, 3].map((i) => topicFromName(`mailserver-test-${i}`))

function makeEnvelopes(n: number, ttl = 3600): Envelope[] {
  const out: Envelope[] = []
  for (let i = 0; i < n; i++) {
    const data = new Uint8Array(16)
    new DataView(data.buffer).setUint32(0, i)
    // Many envelopes share a second, so the hash tie-break is exercised.
    out.push(createEnvelope({ topic: topics[i % 4]!, data, ttl, now: T0 + Math.floor(i / 50) }))
  }
  return out
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return toHex(a) === toHex(b)
}

function key(e: Envelope): string {
  return `${String(sentTime(e)).padStart(10, '0')}:${toHex(envelopeHash(e))}`
}

function walk(store: EnvelopeStore, q: HistoryQuery, now: number): Envelope[] {
  const out: Envelope[] = []
  let cursor: Uint8Array | undefined
  for (;;) {
    const page = store.query({ ...q, ...(cursor !== undefined && { cursor }) }, now)
    assert.ok(page.envelopes.length <= (q.limit ?? limits.DEFAULT_PAGE_SIZE))
    out.push(...page.envelopes)
    if (page.cursor === undefined) return out
    assert.ok(page.envelopes.length > 0)
    cursor = page.cursor
  }
}

function contract(name: string, make: (dir: string) => EnvelopeStore): void {
  test(`${name}: 100,000 envelopes, paginated exactly once in order`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'pfs-mailserver-'))
    const store = make(dir)
    try {
      const envs = makeEnvelopes(100_000)
      assert.equal(store.putMany(envs, T0), 100_000)
      assert.equal(store.putMany(envs.slice(0, 1000), T0), 0, 'idempotent')
      assert.equal(store.put(envs[0]!, T0), false)
      assert.equal(store.count(), 100_000)

      // Two topics, a time window, page size 997.
      const q: HistoryQuery = {
        topics: [topics[1]!, topics[2]!],
        from: T0 + 100,
        to: T0 + 1500,
        limit: 997,
      }
      const got = walk(store, q, T0)
      const want = envs
        .filter((e) => {
          const s = sentTime(e)
          return (
            (same(e.topic, topics[1]!) || same(e.topic, topics[2]!)) && s >= q.from && s <= q.to
          )
        })
        .map(key)
        .sort()
      assert.deepEqual(got.map(key), want)
      assert.equal(new Set(got.map(key)).size, got.length)

      // All topics, maximum page size.
      const all = walk(store, { topics, from: 0, to: 2 ** 32 - 1, limit: 1000 }, T0)
      assert.equal(all.length, 100_000)
      const keys = all.map(key)
      for (let i = 1; i < keys.length; i++) assert.ok(keys[i - 1]! < keys[i]!)
    } finally {
      store.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test(`${name}: TTL pruning`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'pfs-mailserver-'))
    const store = make(dir)
    try {
      const short = createEnvelope({ topic: topics[0]!, data: Uint8Array.of(1), ttl: 10, now: T0 })
      const long = createEnvelope({ topic: topics[0]!, data: Uint8Array.of(2), ttl: 100, now: T0 })
      store.putMany([short, long], T0)
      const q = { topics: [topics[0]!], from: T0, to: T0 }
      assert.equal(store.query(q, T0 + 10).envelopes.length, 2)
      // Expired but not yet pruned: no longer served.
      assert.equal(store.query(q, T0 + 11).envelopes.length, 1)
      assert.equal(store.prune(T0 + 11), 1)
      assert.equal(store.count(), 1)
      assert.equal(store.prune(T0 + 101), 1)
      assert.equal(store.count(), 0)
      // Already expired on arrival: not stored.
      assert.equal(store.put(short, T0 + 50), false)
    } finally {
      store.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test(`${name}: malformed queries are refused with INVALID_ARGUMENT`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'pfs-mailserver-'))
    const store = make(dir)
    try {
      const t = topics[0]!
      const bad: unknown[] = [
        null,
        {},
        { topics: [], from: 0, to: 1 },
        { topics: [t], from: 2, to: 1 },
        { topics: [t], from: -1, to: 1 },
        { topics: [t], from: 0.5, to: 1 },
        { topics: [t], from: 0, to: 2 ** 32 },
        { topics: [t], from: 0, to: 1, limit: 0 },
        { topics: [t], from: 0, to: 1, limit: limits.MAX_PAGE_SIZE + 1 },
        { topics: [t], from: 0, to: 1, cursor: new Uint8Array(35) },
        { topics: [new Uint8Array(5)], from: 0, to: 1 },
        { topics: ['abcd'], from: 0, to: 1 },
        { topics: Array.from({ length: limits.MAX_QUERY_TOPICS + 1 }, () => t), from: 0, to: 1 },
      ]
      for (const q of bad) {
        assert.throws(() => store.query(q as HistoryQuery, T0), { code: 'INVALID_ARGUMENT' })
      }
    } finally {
      store.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
}

contract('sqlite', (dir) => new SqliteEnvelopeStore(join(dir, 'store.sqlite3')))
contract('memory', () => new MemoryEnvelopeStore())

test('sqlite: a restarted store node keeps its envelopes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pfs-mailserver-'))
  const path = join(dir, 'store.sqlite3')
  try {
    const envs = makeEnvelopes(500)
    const s1 = new SqliteEnvelopeStore(path)
    s1.putMany(envs, T0)
    s1.close()
    const s2 = new SqliteEnvelopeStore(path)
    assert.equal(s2.count(), 500)
    const page = s2.query({ topics, from: 0, to: 2 ** 32 - 1, limit: 1000 }, T0)
    assert.deepEqual(page.envelopes.map(key), envs.map(key).sort())
    s2.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('sqlite: unreadable and newer-version files are typed errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pfs-mailserver-'))
  try {
    const junk = join(dir, 'junk.sqlite3')
    writeFileSync(junk, Buffer.alloc(4096, 0x41))
    assert.throws(() => new SqliteEnvelopeStore(junk), { code: 'STORE_CORRUPT' })
    const newer = join(dir, 'newer.sqlite3')
    new SqliteEnvelopeStore(newer).close()
    // A later schema version written by some newer build.
    const db = new Database(newer)
    db.pragma(`user_version = ${MAILSERVER_SCHEMA_VERSION + 1}`)
    db.close()
    assert.throws(() => new SqliteEnvelopeStore(newer), { code: 'STORE_VERSION' })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('sync: pages oldest first, skips what was seen, resumes from its cursor', async () => {
  const clock = new ManualClock((T0 + 10) * 1000)
  const net = new MemoryNetwork({ seed: 11, startTime: clock.now() })
  net.attachStore('store', new MemoryEnvelopeStore())
  const sender = net.node('sender')
  const envs = makeEnvelopes(1000)
  for (const e of envs) await sender.publish(e)
  await net.flush()

  const seen = new MemorySeenSet({ clock: net.clock })
  // The live path already handled the first 10.
  for (const e of envs.slice(0, 10)) seen.add(envelopeHash(e), e.expiry)

  const got: Envelope[] = []
  let failOnce = 200
  const client = new StoreClient(net.node('phone'), {
    topics: [topics[0]!, topics[3]!],
    seen,
    pageSize: 37,
    clock: net.clock,
    handler: (e) => {
      if (got.length === failOnce) {
        failOnce = -1
        throw new Error('handler failed')
      }
      got.push(e)
    },
  })
  const want = envs.filter((e) => same(e.topic, topics[0]!) || same(e.topic, topics[3]!))
  // A page budget stops early with a cursor…
  const first = await client.sync(T0, { maxPages: 3, until: T0 + 100 })
  assert.equal(first.complete, false)
  assert.equal(first.pages, 3)
  assert.ok(first.cursor !== undefined)
  // …and a handler error leaves the checkpoint at the last handled envelope.
  await assert.rejects(client.sync(T0, { cursor: first.cursor, until: T0 + 100 }), /handler failed/)
  const resumeAt = client.checkpoint
  assert.ok(resumeAt !== undefined)
  const rest = await client.sync(T0, { cursor: resumeAt, until: T0 + 100 })
  assert.equal(rest.complete, true)
  assert.equal(rest.cursor, undefined)

  const wantKeys = want.map(key).sort()
  const handled = wantKeys.filter((k) => !envs.slice(0, 10).map(key).includes(k))
  assert.deepEqual(got.map(key), handled)
  assert.equal(
    first.duplicates + rest.duplicates,
    envs.slice(0, 10).filter((e) => want.includes(e)).length,
  )

  // A second full sync delivers nothing new.
  const again = await client.sync(T0, { until: T0 + 100 })
  assert.equal(again.delivered, 0)
  assert.equal(again.duplicates, want.length)
})

test('sync: envelopes a store sends outside the query are discarded', async () => {
  const envs = makeEnvelopes(20)
  const client = new StoreClient(
    {
      history: () =>
        Promise.resolve({
          envelopes: [...envs].sort((a, b) => compareBytes(envelopeHash(a), envelopeHash(b))),
        }),
    },
    { topics: [topics[0]!], handler: () => undefined, clock: new ManualClock((T0 + 5) * 1000) },
  )
  const r = await client.sync(T0)
  assert.equal(r.delivered + r.rejected, 20)
  assert.ok(r.rejected >= 15)
  assert.ok(encodeCursor(1, new Uint8Array(32)).length === 36)
})
