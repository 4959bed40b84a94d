import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Messenger } from '../../src/messenger/index.ts'
import type { Messenger as MessengerType } from '../../src/messenger/index.ts'
import { MemoryEnvelopeStore, MemoryNetwork } from '../../src/transport/index.ts'
import type { Network } from '../../src/transport/index.ts'
import { MemoryStore } from '../../src/store/index.ts'
import { recorder } from './helpers.ts'

/**
 * A node whose envelopes also reach the store node over a reliable link: the relay path suffers
 * the fault model, the archive does not (otherwise a copy lost on the way to the store node could
 * never be recovered by anyone).
 */
function reliableArchive(net: MemoryNetwork, name: string, archive: MemoryEnvelopeStore): Network {
  const node = net.node(name)
  return {
    publish: async (e) => {
      archive.put(e, Math.floor(net.clock.now() / 1000))
      await node.publish(e)
    },
    subscribe: (topics, handler) => node.subscribe(topics, handler),
    history: (q) => node.history(q),
  }
}

async function settle(net: MemoryNetwork): Promise<void> {
  for (let i = 0; i < 6; i++) {
    await new Promise((r) => setImmediate(r))
    await net.flush()
  }
}

for (const seed of [7, 42]) {
  test(`lossy, reordering, duplicating network (seed ${String(seed)}): every message exactly once after sync()`, async () => {
    const net = new MemoryNetwork({ seed })
    const archive = new MemoryEnvelopeStore()
    net.attachStore('store', archive)
    const opts = (name: string) => ({
      network: reliableArchive(net, name, archive),
      store: new MemoryStore(),
      clock: () => net.clock.now(),
    })
    const alice: MessengerType = await Messenger.create(opts('alice'))
    const bob: MessengerType = await Messenger.create(opts('bob'))
    const a = recorder(alice)
    const b = recorder(bob)
    await alice.addContact(bob.contactCode(), 'hi')
    await settle(net)
    await bob.acceptContact(alice.publicKey)
    await settle(net)
    net.setFaults({
      loss: 0.3,
      duplicate: 0.3,
      reorder: 0.3,
      reorderDelayMs: 500,
      delay: { kind: 'uniform', minMs: 1, maxMs: 50 },
    })
    const fromAlice: string[] = []
    const fromBob: string[] = []
    for (let i = 0; i < 25; i++) {
      fromAlice.push(`a${String(i)}`)
      await alice.send(bob.publicKey, `a${String(i)}`)
      await net.advance(20)
      if (i % 5 === 4) {
        fromBob.push(`b${String(i)}`)
        await bob.send(alice.publicKey, `b${String(i)}`)
        await net.advance(20)
      }
    }
    await settle(net)
    const stats = net.stats()
    assert.ok(stats.lost > 0 && stats.duplicated > 0 && stats.reorderDelayed > 0, 'faults happened')
    const beforeSync = b.events.message.length
    assert.ok(beforeSync < fromAlice.length, 'some messages were lost live')
    const progress: number[] = []
    const res = await bob.sync({ onProgress: (p) => progress.push(p.processed) })
    await alice.sync()
    await settle(net)
    assert.ok(res.fetched > 0 && progress.length > 0)
    const gotByBob = b.events.message.filter((m) => !m.outgoing).map((m) => m.text)
    assert.deepEqual([...gotByBob].sort(), [...fromAlice].sort(), 'each of alice messages once')
    const gotByAlice = a.events.message.filter((m) => !m.outgoing).map((m) => m.text)
    assert.deepEqual([...gotByAlice].sort(), [...fromBob].sort())
    // History is in Lamport order, which here is the send order.
    const bobView = bob.messages(alice.publicKey).map((m) => m.text)
    assert.deepEqual(
      bobView.filter((t) => t.startsWith('a')),
      fromAlice,
    )
    assert.ok(b.events.message.every((m) => m.pfs))
    // A second sync finds nothing new.
    const again = await bob.sync()
    assert.equal(again.delivered, 0)
    assert.deepEqual(b.events.error, [])
    await Promise.all([alice.close(), bob.close()])
  })
}
