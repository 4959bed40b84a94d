/**
 * `status-pfs demo [--seed N]`: the whole story on the embedded `MemoryNetwork` with a seeded
 * fault model and a simulated clock (issue 7, the main job). Prints the transcript, a summary
 * table and the checks; exits 0 only when every check held (else 3). `--json` prints one JSON
 * document instead. Wall-clock time goes to stderr so that the transcript itself is a pure
 * function of the seed.
 *
 * @module
 */
import type { Command } from 'commander'
import type { CliContext } from '../context.ts'
import { toJson } from '../context.ts'
import { CliError, ExitCode } from '../errors.ts'
import { runStory } from '../demo/story.ts'
import { Transcript } from '../demo/transcript.ts'

type Ctx = (cmd: Command) => CliContext

export function registerDemo(program: Command, ctx: Ctx): void {
  program
    .command('demo')
    .description('run the whole protocol story on a simulated lossy network and check it')
    .option('--seed <n>', 'seed of the network faults and the accounts (an integer)', '1')
    .option('--no-qr', 'do not draw the QR code')
    .action(async (opts: { seed: string; qr: boolean }, cmd: Command) => {
      const c = ctx(cmd)
      if (!/^\d{1,9}$/.test(opts.seed)) {
        throw new CliError('INVALID_ARGUMENT', '--seed must be a non-negative integer')
      }
      const seed = Number(opts.seed)
      const started = performance.now()
      const t = new Transcript(c.style, c.json ? undefined : c.out)
      if (!c.json) {
        t.say(c.style.bold(`status-pfs demo — seed ${seed}`))
        t.say(
          c.style.dim(
            'Alice and Bob on a simulated network that loses, duplicates and reorders envelopes.',
          ),
        )
      }
      const summary = await runStory(t, { seed, qr: opts.qr })
      const ok = t.ok
      if (c.json) {
        c.out.line(toJson({ seed, ok, summary, checks: t.checks, transcript: t.lines }))
      } else {
        t.section('Checks')
        const failed = t.checks.filter((x) => !x.ok)
        t.say(
          ok
            ? c.style.green(`   all ${t.checks.length} checks held`)
            : c.style.red(`   ${failed.length} of ${t.checks.length} checks failed:`),
        )
        for (const f of failed)
          t.say(c.style.red(`   ✗ ${f.name}${f.detail === undefined ? '' : ` (${f.detail})`}`))
      }
      process.stderr.write(`demo took ${((performance.now() - started) / 1000).toFixed(1)} s\n`)
      process.exitCode = ok ? ExitCode.Ok : ExitCode.CheckFailed
    })
}
