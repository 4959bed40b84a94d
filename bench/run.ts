/**
 * Benchmark entry point: `npm run bench -- NAME [args...]` runs `bench/NAME.ts` (its default export,
 * given the remaining arguments). `npm run bench` alone lists the benchmarks. Benchmarks are
 * programs, never timed tests; each prints medians and the ratio to an anchor measured in the same
 * run.
 */
import { existsSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const here = fileURLToPath(new URL('.', import.meta.url))
const [name, ...rest] = process.argv.slice(2)
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && !['run.ts', 'harness.ts', 'floor.ts'].includes(f))
  .map((f) => f.slice(0, -3))
if (name === undefined || !available.includes(name)) {
  console.log(`usage: npm run bench -- <${available.join('|')}> [args]`)
  process.exitCode = name === undefined ? 0 : 2
} else {
  const url = new URL(`./${name}.ts`, import.meta.url)
  if (!existsSync(fileURLToPath(url))) throw new Error('unreachable')
  const mod = (await import(url.href)) as { default: (args: string[]) => Promise<void> }
  await mod.default(rest)
}
