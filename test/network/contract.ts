/**
 * The `Network` contract every backend meets (DESIGN.md "Network"), written once and run against
 * `MemoryNetwork` (real-clock mode) and `Libp2pNetwork` (contract.test.ts): topic filters,
 * `'all'`, unsubscribe, no self-delivery, envelopes arriving byte-identical, and history from a
 * store node (archiving, paging with cursors, refusal of malformed queries).
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

export function networkContract(name: string, make: () => Promise<ContractNodes>): void {
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
}
