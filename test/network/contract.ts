/**
 * The `Network` contract every backend meets (DESIGN.md "Network"), written once and run against
 * `MemoryNetwork` (real-clock mode) and `Libp2pNetwork` (contract.test.ts): topic filters,
 * `'all'`, unsubscribe, no self-delivery, envelopes arriving byte-identical, history from a
 * store node (archiving, paging with cursors, refusal of malformed queries), and duplicates (a
 * re-published envelope is archived once; delivery is at least once, and exactly once where the
 * backend de-duplicates relay traffic, as gossipsub does by message id).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { toHex } from '../../src/crypto/index.ts'
import { envelopeHash } from '../../src/transport/index.ts'
import type { Envelope, Network } from '../../src/transport/index.ts'
import { envelope, idOf, now, topicA, topicB, until } from './helpers.ts'

export interface ContractNodes {
  /** Publishes. */
  readonly a: Network
  /** Receives, and queries history (a store node is reachable from it). */
  readonly b: Network
  close(): Promise<void>
}

export interface ContractOptions {
  /** The backend drops copies of an envelope it already relayed (gossipsub's seen cache). */
  readonly relayDedup?: boolean
}

export function networkContract(
  name: string,
  make: () => Promise<ContractNodes>,
  options: ContractOptions = {},
): void {
  test(`[${name}] topic filters, 'all', unsubscribe, no self-delivery, identical bytes`, async () => {
    const nodes = await make()
    const { a, b } = nodes
    try {
      const onA: Envelope[] = []
      const onB: Envelope[] = []
      const all: Envelope[] = []
      a.subscribe('all', (e) => onA.push(e))
      const unsubscribe = b.subscribe([topicA], (e) => onB.push(e))
      b.subscribe('all', (e) => all.push(e))
      const first = envelope(1, topicA, 33)
      await a.publish(envelope(0, topicB))
      await a.publish(first)
      await until(() => onB.length === 1 && all.length === 2, 'deliveries')
      assert.equal(toHex(envelopeHash(onB[0]!)), toHex(envelopeHash(first)))
      assert.equal(onB[0]!.ttl, 33)
      unsubscribe()
      await a.publish(envelope(2, topicA))
      await until(() => all.length === 3, 'the third envelope')
      assert.equal(onB.length, 1)
      assert.equal(onA.length, 0)
    } finally {
      await nodes.close()
    }
  })

  test(`[${name}] history: archived envelopes page with cursors; bad queries refused`, async () => {
    const nodes = await make()
    const { a, b } = nodes
    try {
      const got: Envelope[] = []
      b.subscribe([topicA], (e) => got.push(e))
      const t = now() - 3
      for (let i = 0; i < 9; i++) await a.publish(envelope(100 + i, topicA, 600, t))
      await until(() => got.length === 9, 'live copies')
      // The store node archives as it receives; poll until it has all nine.
      for (let n = 0; ; n++) {
        const all = await b.history({ topics: [topicA], from: t, to: t, limit: 100 })
        if (all.envelopes.length === 9) break
        if (n > 200) assert.fail('store did not archive')
        await new Promise((r) => setTimeout(r, 10))
      }
      const ids: number[] = []
      let cursor: Uint8Array | undefined
      let pages = 0
      for (;;) {
        const page = await b.history({
          topics: [topicA],
          from: t,
          to: t,
          limit: 4,
          ...(cursor !== undefined && { cursor }),
        })
        ids.push(...page.envelopes.map(idOf))
        pages++
        if (page.cursor === undefined) break
        cursor = page.cursor
      }
      assert.deepEqual([...ids].sort(), got.map(idOf).sort())
      assert.equal(pages, 3)
      await assert.rejects(b.history({ topics: [], from: 0, to: 1 }), { code: 'INVALID_ARGUMENT' })
      await assert.rejects(b.history({ topics: [topicA], from: 5, to: 1 }), {
        code: 'INVALID_ARGUMENT',
      })
      await assert.rejects(b.history({ topics: [topicA], from: 0, to: 1, limit: 5000 }), {
        code: 'INVALID_ARGUMENT',
      })
    } finally {
      await nodes.close()
    }
  })

  test(`[${name}] duplicates: archived once, delivered ${options.relayDedup === true ? 'once' : 'at least once'}`, async () => {
    const nodes = await make()
    const { a, b } = nodes
    try {
      const got: Envelope[] = []
      b.subscribe([topicB], (e) => got.push(e))
      const t = now() - 2
      const dup = envelope(700, topicB, 600, t)
      const sentinel = envelope(701, topicB, 600, t)
      await a.publish(dup)
      await a.publish(envelope(700, topicB, 600, t)) // equal bytes, another object
      await a.publish(sentinel)
      await until(() => got.some((e) => idOf(e) === 701), 'the sentinel')
      const copies = got.filter((e) => idOf(e) === 700).length
      if (options.relayDedup === true) assert.equal(copies, 1)
      else assert.ok(copies >= 1, `copies: ${String(copies)}`)
      const hash = toHex(envelopeHash(dup))
      for (let n = 0; ; n++) {
        const page = await b.history({ topics: [topicB], from: t, to: t, limit: 100 })
        const hashes = page.envelopes.map((e) => toHex(envelopeHash(e)))
        if (hashes.length >= 2) {
          assert.equal(hashes.filter((h) => h === hash).length, 1, 'archived once')
          assert.equal(hashes.length, 2)
          break
        }
        if (n > 200) assert.fail('store did not archive')
        await new Promise((r) => setTimeout(r, 10))
      }
    } finally {
      await nodes.close()
    }
  })
}
