/**
 * Messenger crash safety in `npm test` (issue 10): 10 SIGKILLs of a receiving messenger on a
 * `SqliteStore` (see `crash.ts`); the documented run has 50+:
 * `npx tsx test/crash/main.ts --kills 50`. Set PFS_MESSENGER_CRASH_SEED to replay a seed.
 *
 * One run, two tests: what must never break (duplicates, decryption failures, forgotten or
 * reordered messages, sessions that stop working), and that no message is lost.
 *
 * @module
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { runCrashTest } from './crash.ts'
import type { CrashReport } from './crash.ts'

const KILLS = 10
const seed = Number(process.env['PFS_MESSENGER_CRASH_SEED'] ?? Date.now() % 2 ** 31)
let run: Promise<CrashReport> | undefined
const report = (): Promise<CrashReport> => (run ??= runCrashTest({ seed, kills: KILLS }))

test(
  'SIGKILL while receiving: no duplicate, no decryption failure, nothing shown is forgotten, sessions continue',
  { timeout: 240_000 },
  async (t) => {
    const r = await report()
    assert.deepEqual(
      r.problems.filter((p) => p.kind === 'broken').map((p) => p.text),
      [],
      `seed ${String(seed)}`,
    )
    assert.equal(r.kills, KILLS)
    assert.ok(r.sent >= KILLS, `seed ${String(seed)}: ${String(r.sent)} messages`)
    t.diagnostic(
      `seed ${String(seed)}: ${String(r.runs)} runs, ${String(r.kills)} SIGKILLs, ${String(r.sent)} messages, ${String(r.lost.length)} lost`,
    )
  },
)

test(
  'SIGKILL while receiving: after each restart and a sync every message is present',
  // Was a todo (seed 1, 4 kills: c30 missing for good) while the live path committed the seen
  // mark before the handle transaction; both now commit together (messenger `#onEnvelope`).
  { timeout: 240_000 },
  async () => {
    const r = await report()
    assert.deepEqual(r.lost, [], `seed ${String(seed)}`)
    assert.deepEqual(
      r.problems.filter((p) => p.kind === 'lost').map((p) => p.text),
      [],
      `seed ${String(seed)}`,
    )
  },
)
