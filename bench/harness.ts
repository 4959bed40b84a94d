/**
 * Shared benchmark helpers: timing with warm-up, medians over several runs, table printing, and a
 * description of the machine for BENCHMARKS.md.
 */
import os from 'node:os'

/** Runs `fn` `iterations` times per round, `rounds` rounds; returns the median ops/s. */
export function opsPerSecond(fn: () => void, iterations: number, rounds = 5): number {
  for (let i = 0; i < Math.max(1, iterations / 10); i++) fn()
  const rates: number[] = []
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < iterations; i++) fn()
    const ns = Number(process.hrtime.bigint() - t0)
    rates.push((iterations * 1e9) / ns)
  }
  return median(rates)
}

/** Times one call of `fn` (ms), `rounds` times, and returns the median. */
export async function medianMs(fn: () => unknown, rounds = 5): Promise<number> {
  const times: number[] = []
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint()
    await fn()
    times.push(Number(process.hrtime.bigint() - t0) / 1e6)
  }
  return median(times)
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/** Prints rows as an aligned Markdown table (so output can be pasted into BENCHMARKS.md). */
export function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`
  console.log(line(header))
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`)
  for (const r of rows) console.log(line(r))
}

export function fmt(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(n >= 10 ? 1 : 2)
}

export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU'
  return `${cpu}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.arch()}`
}
