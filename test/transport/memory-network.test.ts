/**
 * `MemoryNetwork` under fixed seeds: the observed loss, duplication and reordering match the
 * configured model within statistical tolerance; partitions and offline nodes receive nothing
 * until healed; the same seed gives the same run, a different seed a different one.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  MemoryEnvelopeStore,
  MemoryNetwork,
  createEnvelope,
  envelopeHash,
  topicFromName,
} from '../../src/transport/index.ts'
import type { Envelope, FaultModel } from '../../src/transport/index.ts'
import { toHex } from '../../src/crypto/index.ts'

const topic = topicFromName('memory-network-test')
const other = topicFromName('other-topic')

function envelopeN(i: number, t = topic): Envelope {
  return createEnvelope({
    topic: t,
    data: Uint8Array.from([i >> 16, i >> 8, i]),
    ttl: 60,
    now: 1_700_000_000,
  })
}

/** Publishes `n` envelopes from a to b, one per ms; returns what b received, in order. */
async function run(
  seed: number,
  faults: FaultModel,
  n: number,
): Promise<{ got: number[]; net: MemoryNetwork }> {
  const net = new MemoryNetwork({ seed, faults })
  const a = net.node('a')
  const b = net.node('b')
  const got: number[] = []
  b.subscribe([topic], (e) => got.push((e.data[0]! << 16) | (e.data[1]! << 8) | e.data[2]!))
  for (let i = 0; i < n; i++) {
    await a.publish(envelopeN(i))
    await net.advance(1)
  }
  await net.flush()
  return { got, net }
}

/** |observed − expected| within 5 standard deviations of a binomial(n, p). */
function within(observed: number, n: number, p: number): void {
  const sd = Math.sqrt(n * p * (1 - p))
  assert.ok(
    Math.abs(observed - n * p) <= 5 * sd + 1,
    `observed ${observed}, expected ${n * p} ± ${5 * sd}`,
  )
}

test('loss, duplication and reordering match the model', async () => {
  const n = 20_000
  const faults: FaultModel = {
    loss: 0.1,
    duplicate: 0.05,
    reorder: 0.08,
    reorderDelayMs: 50,
    delay: { kind: 'fixed', ms: 5 },
  }
  const { got, net } = await run(42, faults, n)
  const s = net.stats()
  // Copies: to b and to the implicit "default" node.
  assert.equal(s.copies, 2 * n)
  within(s.lost, s.copies, 0.1)
  within(s.duplicated, s.copies - s.lost, 0.05)
  within(s.reorderDelayed, s.copies - s.lost + s.duplicated, 0.08)

  // What b observed agrees with the model: loss, duplicates, out-of-order arrivals.
  const distinct = new Set(got)
  within(n - distinct.size, n, 0.1)
  within(got.length - distinct.size, n * 0.9, 0.05)
  let outOfOrder = 0
  let max = -1
  for (const x of got) {
    if (x < max) outOfOrder++
    max = Math.max(max, x)
  }
  // A held-back copy (50 ms, one envelope per ms) arrives after later ones: out of order unless
  // it is a duplicate whose twin already arrived in order — either way ≈ reorder rate.
  within(outOfOrder, got.length, 0.08)
})

test('delay distributions: uniform and exponential stay in range with the right mean', async () => {
  for (const delay of [
    { kind: 'uniform', minMs: 10, maxMs: 30 } as const,
    { kind: 'exponential', meanMs: 20, maxMs: 500 } as const,
  ]) {
    const net = new MemoryNetwork({ seed: 7, faults: { delay } })
    const a = net.node('a')
    const b = net.node('b')
    const latencies: number[] = []
    let sentAt = 0
    b.subscribe('all', () => latencies.push(net.clock.now() - sentAt))
    for (let i = 0; i < 2000; i++) {
      sentAt = net.clock.now()
      await a.publish(envelopeN(i))
      await net.flush()
    }
    const mean = latencies.reduce((x, y) => x + y, 0) / latencies.length
    assert.equal(latencies.length, 2000)
    assert.ok(Math.abs(mean - 20) < 1.5, `mean ${mean}`)
    assert.ok(latencies.every((l) => l >= (delay.kind === 'uniform' ? 10 : 0) && l <= delay.maxMs))
  }
})

test('same seed gives the same run; another seed a different one', async () => {
  const faults: FaultModel = {
    loss: 0.2,
    duplicate: 0.1,
    reorder: 0.2,
    delay: { kind: 'exponential', meanMs: 10 },
  }
  const r1 = await run(1234, faults, 2000)
  const r2 = await run(1234, faults, 2000)
  const r3 = await run(4321, faults, 2000)
  assert.deepEqual(r1.got, r2.got)
  assert.deepEqual(r1.net.stats(), r2.net.stats())
  assert.notDeepEqual(r1.got, r3.got)
})

test('a partitioned node receives nothing until healed', async () => {
  const net = new MemoryNetwork({ seed: 3 })
  const a = net.node('a')
  const b = net.node('b')
  const c = net.node('c')
  const atB: number[] = []
  const atC: number[] = []
  b.subscribe([topic], (e) => atB.push(e.data[2]!))
  c.subscribe([topic], (e) => atC.push(e.data[2]!))
  net.partition('a', ['b'])
  for (let i = 0; i < 10; i++) await a.publish(envelopeN(i))
  await net.flush()
  assert.deepEqual(atB, [])
  assert.equal(atC.length, 10)
  assert.equal(net.stats().blocked, 10)
  net.heal('a', 'b')
  await a.publish(envelopeN(10))
  await net.flush()
  assert.deepEqual(atB, [10])
  // Group partitions and heal-all.
  net.partition(['a', 'b'], ['c'])
  await a.publish(envelopeN(11))
  await b.publish(envelopeN(12))
  await net.flush()
  assert.equal(atC.length, 11)
  net.heal()
  await b.publish(envelopeN(13))
  await net.flush()
  assert.deepEqual(atC.slice(-1), [13])
})

test('offline nodes neither receive nor send; topic filters apply', async () => {
  const net = new MemoryNetwork({ seed: 5 })
  const a = net.node('a')
  const b = net.node('b')
  const got: Envelope[] = []
  const unsubscribe = b.subscribe([topic], (e) => got.push(e))
  net.setOnline('b', false)
  await a.publish(envelopeN(1))
  await net.flush()
  assert.equal(got.length, 0)
  await assert.rejects(b.publish(envelopeN(2)), { code: 'NETWORK_FAILURE' })
  net.setOnline('b', true)
  await a.publish(envelopeN(3, other))
  await a.publish(envelopeN(4))
  await net.flush()
  assert.equal(got.length, 1)
  unsubscribe()
  await a.publish(envelopeN(5))
  await net.flush()
  assert.equal(got.length, 1)
  assert.equal(net.stats().offline, 1)
})

test('store nodes archive what they receive and answer reachable nodes', async () => {
  const net = new MemoryNetwork({ seed: 9 })
  net.attachStore('store', new MemoryEnvelopeStore())
  const a = net.node('a')
  const b = net.node('b')
  net.setOnline('b', false)
  const sent: Envelope[] = []
  for (let i = 0; i < 5; i++) {
    const e = envelopeN(i)
    sent.push(e)
    await a.publish(e)
  }
  await net.flush()
  net.setOnline('b', true)
  const page = await b.history({ topics: [topic], from: 0, to: 2_000_000_000 })
  assert.deepEqual(
    page.envelopes.map((e) => toHex(envelopeHash(e))).sort(),
    sent.map((e) => toHex(envelopeHash(e))).sort(),
  )
  net.partition('b', 'store')
  await assert.rejects(b.history({ topics: [topic], from: 0, to: 1 }), { code: 'NETWORK_FAILURE' })
  await assert.rejects(b.history({ topics: [], from: 0, to: 1 }), { code: 'INVALID_ARGUMENT' })
})

test('storeNodeLoss spares store nodes from the loss model', async () => {
  const net = new MemoryNetwork({ seed: 3, faults: { loss: 1, storeNodeLoss: 0 } })
  net.attachStore('store', new MemoryEnvelopeStore())
  const a = net.node('a')
  const b = net.node('b')
  const got: Envelope[] = []
  b.subscribe('all', (e) => got.push(e))
  for (let i = 0; i < 20; i++) await a.publish(envelopeN(i))
  await net.flush()
  assert.equal(got.length, 0)
  const page = await b.history({ topics: [topic], from: 0, to: 2_000_000_000 })
  assert.equal(page.envelopes.length, 20)
  assert.throws(() => {
    net.setFaults({ storeNodeLoss: 1.5 })
  }, /storeNodeLoss/)
})

test('real-clock mode delivers with timers', async () => {
  const net = new MemoryNetwork({ clock: 'real', faults: { delay: { kind: 'fixed', ms: 2 } } })
  const a = net.node('a')
  const b = net.node('b')
  const got: Envelope[] = []
  b.subscribe('all', (e) => got.push(e))
  await a.publish(envelopeN(1))
  assert.equal(got.length, 0)
  await net.flush()
  assert.equal(got.length, 1)
})
