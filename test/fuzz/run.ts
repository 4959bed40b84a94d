/**
 * The long fuzz run (issue 10: "≥ 10^6 inputs in the documented long run"):
 *
 * ```sh
 * FUZZ_RUNS=1000000 node --import tsx test/fuzz/run.ts            # all targets, shared by weight
 * FUZZ_RUNS=100000 FUZZ_SEED=7 FUZZ_ONLY=Protocol node --import tsx test/fuzz/run.ts
 * ```
 *
 * Runs in batches of `FUZZ_BATCH` inputs per target (each batch its own seed, `FUZZ_SEED + n`), so
 * progress is printed as it goes and a failure names the seed that reproduces it. Prints, per
 * target, the inputs run, the outcome counts (`ok` or the `PfsError` code) and the slowest input;
 * exits 1 on the first failure.
 *
 * @module
 */
import { Stats } from './harness.ts'
import { ALL_TARGETS, shareRuns } from './targets.ts'

const total = Number(process.env['FUZZ_RUNS'] ?? 1_000_000)
const seed0 = Number(process.env['FUZZ_SEED'] ?? Date.now() % 1_000_000_000)
const batch = Number(process.env['FUZZ_BATCH'] ?? 5_000)
const only = process.env['FUZZ_ONLY']

const targets = ALL_TARGETS.filter((t) => only === undefined || t.name.includes(only))
const out = process.stdout
out.write(
  `fuzz: ${String(total)} inputs over ${String(targets.length)} targets, seed ${String(seed0)}\n`,
)
const started = performance.now()
let failed = false
for (const [target, runs] of shareRuns(targets, total)) {
  const stats = new Stats()
  const t0 = performance.now()
  let done = 0
  let n = 0
  try {
    while (done < runs) {
      const size = Math.min(batch, runs - done)
      target.run(size, seed0 + n, stats)
      done += size
      n++
    }
  } catch (e) {
    failed = true
    out.write(`FAIL ${target.name} (batch seed ${String(seed0 + n)}, ${String(done)} done)\n`)
    out.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
    if (e instanceof Error && e.cause instanceof Error) out.write(`cause: ${e.cause.message}\n`)
    break
  }
  const s = (performance.now() - t0) / 1000
  out.write(
    `${target.name}\n  ${String(done)} generated inputs, ${String(stats.inputs)} calls, ` +
      `${s.toFixed(1)} s, slowest ${stats.slowestMs.toFixed(1)} ms\n  ${stats.summary()}\n`,
  )
}
const secs = (performance.now() - started) / 1000
out.write(`${failed ? 'FAILED' : 'passed'} in ${secs.toFixed(1)} s\n`)
process.exitCode = failed ? 1 : 0
