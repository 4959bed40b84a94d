/**
 * Sync cursors per topic (`sync-phases.ts`): a topic we start listening on later is fetched from
 * the account's creation, the topics already synced go on from their cursor.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Messenger } from '../../src/messenger/index.ts'
import { syncPhases } from '../../src/messenger/sync-phases.ts'
import type { Topic } from '../../src/transport/index.ts'
import { MemoryStore, SqliteStore } from '../../src/store/index.ts'
import { befriend, world } from './helpers.ts'
import type { World } from './helpers.ts'

const T = (n: number): Topic => Uint8Array.of(n, n, n, n) as Topic
const hex = (ts: readonly Topic[]): string[] => ts.map((t) => Buffer.from(t).toString('hex'))

test('syncPhases: no cursor, all from creation; all covered, one phase from the oldest', () => {
  assert.deepEqual(
    syncPhases([], [T(1), T(2)], 100).map((p) => ({ topics: hex(p.topics), since: p.since })),
    [{ topics: hex([T(1), T(2)]), since: 100 }],
  )
  const cursors = [
    { storeNode: 'n', topics: [T(1)], syncedTo: 500 },
    { storeNode: 'n', topics: [T(2)], syncedTo: 400 },
  ]
  assert.deepEqual(
    syncPhases(cursors, [T(1), T(2)], 100).map((p) => ({ topics: hex(p.topics), since: p.since })),
    [{ topics: hex([T(1), T(2)]), since: 400 }],
  )
})

test('syncPhases: a new topic goes first from creation, the others from their cursors', () => {
  const cursors = [
    // A cursor of a whole topic set (as written before per-topic cursors) counts for each topic;
    // the newest cursor naming a topic wins.
    { storeNode: 'n', topics: [T(1), T(2)], syncedTo: 300 },
    { storeNode: 'n', topics: [T(2)], syncedTo: 700 },
    { storeNode: 'n', topics: [T(1)], syncedTo: 600 },
  ]
  assert.deepEqual(
    syncPhases(cursors, [T(3), T(2), T(1)], 100).map((p) => ({
      topics: hex(p.topics),
      since: p.since,
    })),
    [
      { topics: hex([T(3)]), since: 100 },
      { topics: hex([T(2), T(1)]), since: 600 },
    ],
  )
})

/** A world whose store node keeps envelopes 30 days, as store nodes do (TRANSPORT.md). */
function longMemory(): World {
  return world({ seed: 3, storeNode: true, storeRetention: 30 * 24 * 60 * 60 })
}

for (const kind of ['MemoryStore', 'SqliteStore'] as const) {
  test(`${kind}: after a new contact, sync() fetches the old topics from their cursor, the new ones from creation`, async () => {
    const w = longMemory()
    const bobStore = kind === 'MemoryStore' ? new MemoryStore() : SqliteStore.open(':memory:')
    const alice = await Messenger.create(w.opts('alice'))
    const bob = await Messenger.create(w.opts('bob', bobStore))
    await befriend(w, alice, bob)
    for (let i = 0; i < 30; i++) await alice.send(bob.publicKey, `m${String(i)}`)
    await w.settle()
    await w.net.advance(60 * 60 * 1000)
    const first = await bob.sync()
    assert.ok(first.fetched >= 30, `first sync fetched ${String(first.fetched)}`)
    // An hour later (past the sync slack), Bob gets a new contact: new topics to listen on.
    await w.net.advance(60 * 60 * 1000)
    const carol = await Messenger.create(w.opts('carol'))
    await befriend(w, carol, bob)
    await carol.send(bob.publicKey, 'from carol')
    await w.settle()
    const second = await bob.sync()
    // Before per-topic cursors the new topic set had no cursor: every topic's history came back
    // (36 envelopes here). Now only Carol's new topics bring anything (3).
    assert.ok(second.fetched < 10, `second sync fetched ${String(second.fetched)}`)
    // Nothing is lost: a message sent while Bob was away still arrives by sync.
    await bob.close()
    w.net.setOnline('bob', false)
    await alice.send(bob.publicKey, 'while away')
    await carol.send(bob.publicKey, 'carol while away')
    await w.settle()
    w.net.setOnline('bob', true)
    const again = await Messenger.open({ ...w.opts('bob', bobStore), autoStart: false })
    const texts: string[] = []
    again.on('message', (m) => texts.push(m.text))
    await again.sync()
    assert.deepEqual(texts.sort(), ['carol while away', 'while away'])
    await again.close()
    await alice.close()
    await carol.close()
  })
}
