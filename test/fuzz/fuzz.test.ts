/**
 * The fuzz suites in the normal test run (issue 10 "Fuzzing"): 10^4 inputs in all, shared among
 * the targets by weight, from a fixed seed (override with `FUZZ_SEED`, `FUZZ_RUNS`). The long run
 * is `run.ts`.
 *
 * @module
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Stats } from './harness.ts'
import { ALL_TARGETS, shareRuns } from './targets.ts'

const TOTAL = Number(process.env['FUZZ_RUNS'] ?? 10_000)
const SEED = Number(process.env['FUZZ_SEED'] ?? 20_261_126)

describe(`fuzz: ${String(TOTAL)} inputs, seed ${String(SEED)}`, () => {
  const shares = shareRuns(ALL_TARGETS, TOTAL)
  for (const [target, runs] of shares) {
    test(`${target.name}: ${String(runs)} inputs`, () => {
      const stats = new Stats()
      target.run(runs, SEED, stats)
      // Every input reached the oracle at least once (decoded inputs count twice in protocol).
      assert.ok(stats.inputs >= runs, `only ${String(stats.inputs)} of ${String(runs)} inputs ran`)
      for (const outcome of target.expect ?? []) {
        assert.ok(stats.counts.has(outcome), `never reached ${outcome}: ${stats.summary()}`)
      }
    })
  }
})
