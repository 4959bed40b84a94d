/**
 * `status-pfs`: the command-line program (DESIGN.md layer `cli`; issue 7, issue 8). Every command
 * has `--help`; `--json` gives machine-readable output; colours only on a TTY without `NO_COLOR`;
 * data lives in a SQLite file under `--data DIR` (default `~/.status-pfs`). Any failure is one
 * line on stderr and a non-zero exit status, never a stack trace.
 *
 * Run from source with `npx tsx src/cli/main.ts …`; the package's `bin/status-pfs.js` imports the
 * built `dist/cli/main.js` and calls `main()`.
 *
 * @module
 */
import { realpathSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { Command, CommanderError } from 'commander'
import { registerAccount } from './commands/account.ts'
import { registerChat } from './commands/chat.ts'
import { registerContact } from './commands/contact.ts'
import { registerDemo } from './commands/demo.ts'
import { registerDevices } from './commands/devices.ts'
import { registerDirectory } from './commands/directory.ts'
import { registerNode } from './commands/node.ts'
import { registerPublic } from './commands/public.ts'
import { registerPush } from './commands/push.ts'
import type { CliContext, Output } from './context.ts'
import { resolveDataDir, stdoutOutput } from './context.ts'
import { describeError, exitCodeOf, ExitCode } from './errors.ts'
import { colourWanted, makeStyle } from './style.ts'
import { registerWeb } from './web.ts'

const VERSION = '0.1.0'

interface GlobalOptions {
  data?: string
  json?: boolean
  color?: boolean
}

/** The program, with `out` as standard output (stderr always gets the error line). */
export function buildProgram(out: Output = stdoutOutput()): Command {
  const ctx = (cmd: Command): CliContext => {
    const g = cmd.optsWithGlobals<GlobalOptions>()
    const json = g.json === true
    return {
      dataDir: resolveDataDir(g.data),
      json,
      style: makeStyle(!json && g.color !== false && colourWanted(out.isTty)),
      out,
    }
  }
  const program = new Command()
    .name('status-pfs')
    .description(
      'Status perfect-forward-secrecy 1:1 messaging: accounts, contacts, devices, a relay/store node and a demo',
    )
    .version(VERSION)
    .option('--data <dir>', 'data directory (default: $STATUS_PFS_DATA or ~/.status-pfs)')
    .option('--json', 'machine-readable JSON output')
    .option('--no-color', 'no colours even on a terminal (NO_COLOR is respected too)')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => {
        out.write(s)
      },
      writeErr: (s) => process.stderr.write(s),
      // Commander's own usage errors: one line, our prefix.
      outputError: (s, write) => {
        write(
          `status-pfs: ${
            s
              .replace(/^error: /, '')
              .trim()
              .split('\n')[0] ?? ''
          }\n`,
        )
      },
    })
  registerDemo(program, ctx)
  registerAccount(program, ctx)
  registerContact(program, ctx)
  registerDevices(program, ctx)
  registerNode(program, ctx)
  registerChat(program, ctx)
  registerPublic(program, ctx)
  registerDirectory(program, ctx)
  registerPush(program, ctx)
  registerWeb(program, ctx)
  // Subcommands report usage errors the same way and never exit the process themselves.
  const configure = (cmd: Command): void => {
    for (const sub of cmd.commands) {
      sub.exitOverride()
      sub.configureOutput(program.configureOutput())
      configure(sub)
    }
  }
  configure(program)
  return program
}

/**
 * Runs one command line (without the `node script` prefix); resolves to the exit status. Errors
 * are written to stderr as one line.
 */
export async function run(argv: readonly string[], out: Output = stdoutOutput()): Promise<number> {
  const program = buildProgram(out)
  try {
    await program.parseAsync([...argv], { from: 'user' })
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.Ok
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version "errors" are successes; the message was already written.
      return e.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage
    }
    const { code, message } = describeError(e)
    process.stderr.write(`status-pfs: ${message} [${code}]\n`)
    return exitCodeOf(e)
  }
}

/** Process entry: guards against stray async failures, runs `argv`, exits with its status. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<never> {
  const fatal = (e: unknown): void => {
    const { code, message } = describeError(e)
    process.stderr.write(`status-pfs: ${message} [${code}]\n`)
    process.exit(ExitCode.Failure)
  }
  process.on('uncaughtException', fatal)
  process.on('unhandledRejection', fatal)
  const status = await run(argv)
  // libp2p may keep sockets or timers alive for a while after close: end now.
  process.exit(status)
}

function isEntryPoint(): boolean {
  const script = process.argv[1]
  if (script === undefined) return false
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href
  } catch {
    return false
  }
}

if (isEntryPoint()) void main()
