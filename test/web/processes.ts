/**
 * Child processes of the web end-to-end test: the `status-pfs` CLI run from source (`node
 * --import tsx src/cli/main.ts …`), with its output read line by line so the test can wait for
 * what a person would see, and its input written like typing.
 *
 * @module
 */
import { spawn } from 'node:child_process'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import { join } from 'node:path'
import { ROOT } from '../../scripts/build-browser.ts'

export const CLI_MAIN = join(ROOT, 'src', 'cli', 'main.ts')

/** A running CLI process and everything it printed. */
export interface CliProcess {
  readonly child: ChildProcessWithoutNullStreams
  readonly lines: string[]
  readonly stderr: string[]
  /** Resolves with the first line (already printed or to come) matching `re`. */
  waitFor(re: RegExp, timeoutMs?: number, from?: number): Promise<string>
  /** Writes one line to its standard input. */
  type(line: string): void
  /** SIGTERM, then SIGKILL after 5 s; resolves once it exited. */
  stop(): Promise<void>
}

/** Starts `status-pfs ARGS` from source, with colours off. */
export function startCli(args: readonly string[]): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI_MAIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  const lines: string[] = []
  const stderr: string[] = []
  const waiters = new Set<() => void>()
  let exited = false
  const onData = (into: string[]) => {
    let partial = ''
    return (chunk: Buffer): void => {
      partial += chunk.toString('utf8')
      const parts = partial.split('\n')
      partial = parts.pop() ?? ''
      into.push(...parts)
      for (const w of [...waiters]) w()
    }
  }
  child.stdout.on('data', onData(lines))
  child.stderr.on('data', onData(stderr))
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true
      for (const w of [...waiters]) w()
      resolve()
    })
  })
  return {
    child,
    lines,
    stderr,
    waitFor(re, timeoutMs = 30_000, from = 0) {
      return new Promise<string>((resolve, reject) => {
        const check = (): void => {
          const hit = lines.slice(from).find((l) => re.test(l))
          if (hit !== undefined) {
            done()
            resolve(hit)
          } else if (exited) {
            done()
            reject(new Error(`status-pfs ${args[0] ?? ''} exited before ${re}: ${tail()}`))
          }
        }
        const timer = setTimeout(() => {
          done()
          reject(
            new Error(`timed out waiting for ${re} from status-pfs ${args[0] ?? ''}: ${tail()}`),
          )
        }, timeoutMs)
        const done = (): void => {
          clearTimeout(timer)
          waiters.delete(check)
        }
        waiters.add(check)
        check()
      })
    },
    type(line) {
      child.stdin.write(`${line}\n`)
    },
    async stop() {
      if (!exited) {
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
        await exit
        clearTimeout(timer)
      }
    },
  }

  function tail(): string {
    return `\n  stdout: ${lines.slice(-8).join('\n          ')}\n  stderr: ${stderr.slice(-8).join('\n          ')}`
  }
}
