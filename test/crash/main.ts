/**
 * The documented messenger crash run (issue 10: at least 50 SIGKILLs):
 *
 *     npx tsx test/crash/main.ts [--kills 50] [--seed N] [--per-run 20]
 *
 * Exits 1 when a problem is found, printing the seed.
 *
 * @module
 */
import { parseArgs } from 'node:util'
import { runCrashTest } from './crash.ts'

const { values } = parseArgs({
  options: {
    kills: { type: 'string' },
    seed: { type: 'string' },
    'per-run': { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
})
const seed = Number(values.seed ?? Date.now() % 2 ** 31)
const started = performance.now()
const r = await runCrashTest({
  seed,
  kills: Number(values.kills ?? 50),
  messagesPerRun: Number(values['per-run'] ?? 20),
  ...(values.verbose && { log: (l: string) => process.stderr.write(`${l}\n`) }),
})
const seconds = ((performance.now() - started) / 1000).toFixed(1)
process.stdout.write(
  `seed ${String(seed)}: ${String(r.runs)} runs, ${String(r.kills)} SIGKILLs, ${String(r.sent)} messages, ${String(r.lost.length)} lost, ${String(r.shownTwice)} shown twice, ${seconds} s\n`,
)
for (const p of r.problems) process.stdout.write(`  ${p.kind}: ${p.text}\n`)
process.exitCode = r.problems.length === 0 ? 0 : 1
