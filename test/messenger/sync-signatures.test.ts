/**
 * Issue 9 catch-up: during `Messenger.sync()` the envelope-opening worker decrypts ahead in a
 * shadow copy of our sessions and recovers the application signatures there
 * (src/messenger/sync-open-worker.ts); the main thread's `unwrapApplicationMessage` takes them
 * from a `RecoveredSignatures` memo. Checked here: the memo gets hits in a real sync once the
 * worker runs, and every message is delivered exactly as sent (id, text, sender, order, pfs).
 *
 * The worker starts in the background and a short sync may finish before it is ready; the test
 * makes the first pushed batch wait for it (as test/messenger/sync-open-pool.test.ts does), and
 * slows the main thread down a little after each batch it pushes.
 *
 * @module
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { RecoveredSignatures } from '../../src/messenger/app-message.ts'
import { Messenger } from '../../src/messenger/index.ts'
import { SyncOpener } from '../../src/messenger/sync-open-pool.ts'
import { befriend, recorder, world } from './helpers.ts'

const MESSAGES = 300

const originalPush = Object.getOwnPropertyDescriptor(SyncOpener.prototype, 'push')!
const originalTake = Object.getOwnPropertyDescriptor(RecoveredSignatures.prototype, 'take')!
let hits = 0
let takes = 0
let workerStarted = false

before(() => {
  const push = originalPush.value as (
    this: SyncOpener,
    ...args: Parameters<SyncOpener['push']>
  ) => Promise<void>
  Object.defineProperty(SyncOpener.prototype, 'push', {
    ...originalPush,
    value: async function (this: SyncOpener, ...args: Parameters<SyncOpener['push']>) {
      await push.apply(this, args)
      // Up to 20 s for a loaded machine.
      for (let t = 0; t < 400 && !this.workerReady; t++) await sleep(50)
      if (this.workerReady) workerStarted = true
      // A main thread on `MemoryStore` handles a batch faster than the worker can decrypt ahead
      // (on SQLite it is the other way round): give the worker time to get ahead.
      await sleep(100)
    },
  })
  const take = originalTake.value as (
    this: RecoveredSignatures,
    ...args: Parameters<RecoveredSignatures['take']>
  ) => Uint8Array | undefined
  Object.defineProperty(RecoveredSignatures.prototype, 'take', {
    ...originalTake,
    value: function (this: RecoveredSignatures, ...args: Parameters<RecoveredSignatures['take']>) {
      const got = take.apply(this, args)
      takes++
      if (got !== undefined) hits++
      return got
    },
  })
})

after(() => {
  Object.defineProperty(SyncOpener.prototype, 'push', originalPush)
  Object.defineProperty(RecoveredSignatures.prototype, 'take', originalTake)
})

test(`a sync of ${String(MESSAGES)} messages takes most signers from the worker, and delivers every message as sent`, async (t) => {
  const w = world({ storeNode: true, seed: 5 })
  const alice = await Messenger.create(w.opts('alice'))
  const bob = await Messenger.create(w.opts('bob'))
  try {
    await befriend(w, alice, bob)
    // Confirmed sessions both ways, as after any conversation.
    await alice.send(bob.publicKey, 'ready')
    await w.settle()
    await bob.send(alice.publicKey, 'go')
    await w.settle()
    const b = recorder(bob)
    w.net.setOnline('bob', false)
    const sent: { id: string; text: string }[] = []
    for (let i = 0; i < MESSAGES; i++) {
      const text = `m${String(i)}`
      const r = await alice.send(bob.publicKey, text)
      assert.equal(r.pfs, true)
      sent.push({ id: r.id, text })
      if (i % 10 === 9) await w.net.advance(1000)
    }
    await w.settle()
    w.net.setOnline('bob', true)
    assert.equal(b.events.message.length, 0, 'nothing arrived live')
    hits = 0
    takes = 0
    const res = await bob.sync()
    assert.ok(workerStarted, 'the worker did not start')
    assert.equal(res.failed, 0)
    // Her messages, and whatever else the store node kept for Bob (e.g. a bundle advertisement).
    assert.ok(res.delivered >= MESSAGES)
    const got = b.events.message.map((m) => ({ id: m.id, text: m.text }))
    assert.deepEqual(
      [...got].sort((x, y) => x.text.localeCompare(y.text)),
      [...sent].sort((x, y) => x.text.localeCompare(y.text)),
    )
    for (const m of b.events.message) {
      assert.equal(m.from, alice.publicKey)
      assert.equal(m.pfs, true)
      assert.equal(m.outgoing, false)
    }
    assert.equal(takes, MESSAGES, 'every application message consulted the memo')
    t.diagnostic(`${String(hits)} of ${String(MESSAGES)} signers came from the worker`)
    // The first batch (or more, while the worker starts) is handled before it can help.
    assert.ok(
      hits >= MESSAGES / 3,
      `only ${String(hits)} of ${String(MESSAGES)} signers came from the worker`,
    )
    // Stored exactly once each: a second sync finds nothing new.
    await bob.sync()
    assert.equal(b.events.message.length, MESSAGES)
  } finally {
    await alice.close()
    await bob.close()
  }
})
