/**
 * The chaos simulator's seed set (issue 10): a few short seeded runs of `runSimulation`, each
 * with loss, duplication, reordering, hour-long delays, offline devices, pairing, one account
 * restored from its phrase and clock skew; plus the oracle's own checks, so that a broken oracle
 * cannot pass everything. The long run is `npm run sim -- --seed 1 --messages 10000`.
 *
 * Known failures are kept as `todo` tests with the seed that reproduces them.
 *
 * @module
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Oracle } from './oracle.ts'
import { formatReport } from './report.ts'
import { runSimulation } from './simulation.ts'
import type { SimOptions, SimReport } from './simulation.ts'

const MINUTE = 60_000

function faults(r: SimReport): number {
  return Object.values(r.undecryptable).reduce((a, b) => a + b, 0)
}

test('oracle: counts delivered, lost, undecryptable, duplicated and allowed cases', () => {
  const o = new Oracle()
  for (const [id, person, name] of [
    ['a1', 'alice', 'alice-1'],
    ['b1', 'bob', 'bob-1'],
    ['b2', 'bob', 'bob-2'],
    ['b3', 'bob', 'bob-3'],
  ] as const) {
    o.device({ installationId: id, person, name })
  }
  const recipients = new Map([
    ['b1', { known: true }],
    ['b2', { known: true }],
    ['b3', { known: false }],
  ])
  for (const seq of [0, 1, 2]) {
    o.sent({
      seq,
      text: `m${String(seq)}`,
      from: 'a1',
      fromPerson: 'alice',
      toPerson: 'bob',
      sentAt: 1000 + seq,
      recipients,
    })
    o.envelope(`e${String(seq)}`, `m${String(seq)}`)
  }
  o.shown('b1', 'm0')
  o.shown('b2', 'm0')
  o.shown('b1', 'm1')
  o.shown('b1', 'm1')
  o.failure('b2', 'e1', 'MAC_MISMATCH')
  o.history('b1', 'm2', 1)
  o.failure('b1', 'unknown-envelope', 'SESSION_NOT_FOUND')
  const r = o.result()
  assert.equal(r.sent, 3)
  assert.equal(r.expected, 6)
  assert.equal(r.delivered, 4, 'm0 twice, m1 on b1, m2 on b1 (from history)')
  assert.deepEqual(r.undecryptable, { 'MAC failure': 1 })
  assert.equal(r.lost, 1, 'm2 on b2: nothing ever reported')
  assert.equal(r.duplicatesShown, 1)
  assert.deepEqual(r.allowed, { 'sender had not learnt the device': 3 })
  assert.equal(r.unattributedFailures, 1)
  assert.deepEqual(
    r.faults.map((f) => [f.seq, f.device, f.reason]),
    [
      [1, 'bob-2', 'MAC failure'],
      [2, 'bob-2', 'lost'],
    ],
  )
})

test('oracle: a restored device is owed only what was sent after its peers heard from it', () => {
  const o = new Oracle()
  o.device({ installationId: 'a1', person: 'alice', name: 'alice-1' })
  const c1 = o.device({ installationId: 'c1', person: 'carol', name: 'carol-1' })
  c1.restoredAt = 2000
  const recipients = new Map([['c1', { known: true }]])
  for (const [seq, at] of [
    [0, 1500],
    [1, 2500],
    [2, 3500],
  ] as const) {
    const text = `m${String(seq)}`
    o.sent({
      seq,
      text,
      from: 'a1',
      fromPerson: 'alice',
      toPerson: 'carol',
      sentAt: at,
      recipients,
    })
    o.envelope(`e${String(seq)}`, text)
    o.failure('c1', `e${String(seq)}`, 'SESSION_NOT_FOUND')
  }
  o.heard('c1', 'a1', 3000)
  const r = o.result()
  assert.deepEqual(r.allowed, { 'wiped with the device': 1, 'old session of a restored device': 1 })
  assert.deepEqual(r.undecryptable, { 'no session': 1 })
})

test('oracle: an envelope accepted as new, then neither shown nor failed, is a silent duplicate drop', () => {
  const o = new Oracle()
  o.device({ installationId: 'a1', person: 'alice', name: 'alice-1' })
  o.device({ installationId: 'b1', person: 'bob', name: 'bob-1' })
  const recipients = new Map([['b1', { known: true }]])
  o.sent({
    seq: 0,
    text: 'm0',
    from: 'a1',
    fromPerson: 'alice',
    toPerson: 'bob',
    sentAt: 1,
    recipients,
  })
  o.sent({
    seq: 1,
    text: 'm1',
    from: 'a1',
    fromPerson: 'alice',
    toPerson: 'bob',
    sentAt: 2,
    recipients,
  })
  o.envelope('e0', 'm0')
  o.envelope('e1', 'm1')
  o.handled('b1', 'e0')
  const r = o.result()
  assert.deepEqual(r.undecryptable, { duplicate: 1 })
  assert.equal(r.lost, 1)
  assert.deepEqual(r.faults[0]?.codes, ['SILENT_DROP'])
})

test("oracle: a removed sender device is allowed only on its owner's devices", () => {
  const o = new Oracle()
  const b5 = o.device({ installationId: 'b5', person: 'bob', name: 'bob-5' })
  o.device({ installationId: 'b2', person: 'bob', name: 'bob-2' })
  o.device({ installationId: 'a1', person: 'alice', name: 'alice-1' })
  const recipients = new Map([
    ['b2', { known: true }],
    ['a1', { known: true }],
  ])
  o.sent({
    seq: 0,
    text: 'm0',
    from: 'b5',
    fromPerson: 'bob',
    toPerson: 'alice',
    sentAt: 1,
    recipients,
  })
  o.envelope('e0', 'm0')
  o.failure('b2', 'e0', 'SESSION_NOT_FOUND')
  o.failure('b2', 'e0', 'MAC_MISMATCH')
  o.failure('a1', 'e0', 'MAC_MISMATCH')
  assert.deepEqual(o.result().undecryptable, { 'MAC failure': 2 })
  b5.removedAt = 2
  const r = o.result()
  assert.deepEqual(r.allowed, { 'sender device removed': 1 })
  // Alice's device knows nothing of Bob's removal: its failure is still a fault.
  assert.deepEqual(r.undecryptable, { 'MAC failure': 1 })
})

test('oracle: a message shown again after its device was wiped is not a duplicate; twice after is', () => {
  const o = new Oracle()
  o.device({ installationId: 'a1', person: 'alice', name: 'alice-1' })
  o.device({ installationId: 'c1', person: 'carol', name: 'carol-1' })
  const recipients = new Map([['c1', { known: true }]])
  o.sent({
    seq: 0,
    text: 'm0',
    from: 'a1',
    fromPerson: 'alice',
    toPerson: 'carol',
    sentAt: 1,
    recipients,
  })
  o.shown('c1', 'm0')
  o.wiped('c1')
  o.shown('c1', 'm0')
  assert.equal(o.result().duplicatesShown, 0)
  o.shown('c1', 'm0')
  const r = o.result()
  assert.equal(r.duplicatesShown, 1)
  assert.deepEqual(r.duplicates, ['c1>m0 (events ×2)'])
})

test('the simulator is deterministic per seed', { timeout: 600_000 }, async () => {
  const opts: SimOptions = { seed: 11, messages: 25 }
  const a = await runSimulation(opts)
  const b = await runSimulation(opts)
  assert.deepEqual(a, b)
  assert.equal(a.sent, 25)
})

/** Clock skew within the live-delivery allowance; larger skews are the test below. */
const SEEDS: readonly { seed: number; messages: number }[] = [
  { seed: 4, messages: 100 },
  { seed: 5, messages: 150 },
  { seed: 3, messages: 150 },
]

for (const { seed, messages } of SEEDS) {
  test(
    `seed ${String(seed)}: ${String(messages)} messages through chaos, none undecryptable by fault, duplicated or lost`,
    { timeout: 600_000 },
    async () => {
      const r = await runSimulation({ seed, messages, maxSkewMs: 25_000 })
      const summary = formatReport(r)
      assert.equal(r.sent, messages, summary)
      // The faults did happen.
      assert.ok(r.network.lost > 0 && r.network.duplicated > 0 && r.network.outOfOrder > 0, summary)
      assert.ok(r.scenario.recoveries === 1 && r.scenario.pairings >= 4, summary)
      assert.ok(r.delivered > 0 && r.delivered === r.expected, summary)
      assert.equal(faults(r), 0, summary)
      assert.equal(r.duplicatesShown, 0, summary)
      assert.equal(r.lost, 0, summary)
      assert.ok(r.ok, summary)
    },
  )
}

test(
  'clock skew of minutes: no stored message lost (seed 1, 100 messages, m88 bob-6 → alice-4)',
  // Was lost while sync() resumed from its own clock minus 60 s; the slack is now 15 minutes.
  { timeout: 600_000 },
  async () => {
    const r = await runSimulation({ seed: 1, messages: 100, maxSkewMs: 2 * MINUTE })
    assert.equal(r.lost, 0, formatReport(r))
  },
)

test(
  're-establishing keeps late messages of the retired session decryptable (seed 1, skew 0, m96 alice-1 → carol)',
  // Failed with MAC_MISMATCH while the next X3DH to the same signed prekey overwrote the retired
  // session (same wire id); the replaced session now moves to the archive (protocol/archive.ts).
  { timeout: 600_000 },
  async () => {
    // The app's own reestablish() on top of autoRepair: both paths retire sessions.
    const r = await runSimulation({ seed: 1, messages: 100, maxSkewMs: 0, appReestablish: true })
    assert.equal(faults(r), 0, formatReport(r))
    assert.ok(r.scenario.reestablishments > 0, formatReport(r))
  },
)
