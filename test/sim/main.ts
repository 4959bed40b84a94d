/**
 * Command line of the chaos simulator (issue 10):
 *
 *     npx tsx test/sim/main.ts --seed 1 --messages 10000 [--loss 0.2] [--skew-ms 120000] [--ttl 60]
 *       [--app-reestablish] [--negotiated-topics] [--verbose] [--json]
 *     npm run sim -- --seed 1 --messages 10000
 *
 * Prints the summary; exits 1 on any message undecryptable by fault, any duplicate shown to a user
 * or any lost stored message, 2 on bad arguments.
 *
 * @module
 */
import { parseArgs } from 'node:util'
import { formatReport } from './report.ts'
import { runSimulation } from './simulation.ts'

function number(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isFinite(n) || n < 0) {
    process.stderr.write(`--${name}: expected a non-negative number\n`)
    process.exit(2)
  }
  return n
}

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    messages: { type: 'string' },
    loss: { type: 'string' },
    'skew-ms': { type: 'string' },
    ttl: { type: 'string' },
    trace: { type: 'string' },
    'app-reestablish': { type: 'boolean', default: false },
    'negotiated-topics': { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
})

const seed = number(values.seed, 1, 'seed')
const messages = number(values.messages, 300, 'messages')
const started = performance.now()
const report = await runSimulation({
  seed,
  messages,
  loss: number(values.loss, 0.2, 'loss'),
  maxSkewMs: number(values['skew-ms'], 120_000, 'skew-ms'),
  ttl: number(values.ttl, 60, 'ttl'),
  ...(values.trace !== undefined && { trace: values.trace }),
  appReestablish: values['app-reestablish'],
  negotiatedTopics: values['negotiated-topics'],
  ...((values.verbose || values.trace !== undefined) && {
    log: (line: string) => process.stderr.write(`${line}\n`),
  }),
})
const seconds = ((performance.now() - started) / 1000).toFixed(1)
if (values.json) {
  process.stdout.write(
    `${JSON.stringify(report, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v), 2)}\n`,
  )
} else {
  process.stdout.write(`${formatReport(report)}\n  wall time                    ${seconds} s\n`)
}
process.exitCode = report.ok ? 0 : 1
