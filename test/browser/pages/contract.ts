/**
 * Browser page code: the `Store` contract suite (test/store/contract.ts) against `IndexedDbStore`,
 * then a replay check — every store a contract test left open is flushed, reopened from
 * IndexedDB, and must show the same records (contract.ts `dump`) as before it closed.
 *
 * The contract's factory is synchronous and opening an `IndexedDbStore` is not, so one store per
 * test is opened before the tests run.
 *
 * @module
 */
import assert from 'node:assert/strict'
import { IndexedDbStore } from '../../../src/store/indexeddb/index.ts'
import { dump, registerStoreContract } from '../../store/contract.ts'
import { registeredCount, runRegistered } from '../shim/node-test.ts'
import type { TestOutcome } from '../shim/node-test.ts'

interface Used {
  readonly name: string
  readonly store: IndexedDbStore
  /** The store's `dump` when the test disposed of it, or undefined if it was already closed. */
  before?: unknown
}

// The suite checks that records come out as plain Uint8Arrays, not Node Buffers. Browsers have no
// Buffer; a class no store ever makes keeps that check meaningful.
const g = globalThis as { Buffer?: unknown }
g.Buffer ??= class Buffer extends Uint8Array {}

const pool: { name: string; store: IndexedDbStore }[] = []
const used: Used[] = []

registerStoreContract('IndexedDbStore', {
  create() {
    const next = pool.shift()
    if (next === undefined) throw new Error('store pool exhausted')
    const entry: Used = { ...next }
    used.push(entry)
    return {
      store: next.store,
      dispose() {
        try {
          entry.before = dump(next.store)
        } catch {
          entry.before = undefined
        }
        next.store.close()
      },
    }
  },
})

/** Runs the suite and the replay check; returns one outcome per test and per replay. */
export async function runContract(): Promise<TestOutcome[]> {
  const run = Math.random().toString(36).slice(2, 8)
  const n = registeredCount()
  for (let i = 0; i < n; i++) {
    const name = `contract-${run}-${i}`
    pool.push({ name, store: await IndexedDbStore.open(name) })
  }
  const outcomes = await runRegistered()
  for (const [i, u] of used.entries()) {
    const title = `replay after: ${outcomes[i]?.name ?? u.name}`
    const t0 = performance.now()
    try {
      await u.store.flush()
      if (u.before !== undefined) {
        const again = await IndexedDbStore.open(u.name)
        try {
          assert.deepEqual(dump(again), u.before)
        } finally {
          again.close()
          await again.flush()
        }
      }
      outcomes.push({ name: title, ok: true, ms: performance.now() - t0 })
    } catch (e) {
      const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e)
      outcomes.push({ name: title, ok: false, error, ms: performance.now() - t0 })
    }
  }
  for (const u of used) await IndexedDbStore.deleteDatabase(u.name)
  return outcomes
}
