/**
 * Runs `status-pfs` as a user would: a child process on the sources (`node --import tsx
 * src/cli/main.ts`, no build needed) with its own temporary `--data` directories.
 */
import { spawn, spawnSync } from 'node:child_process'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

export const ROOT = resolve(import.meta.dirname, '../..')
const MAIN = join(ROOT, 'src/cli/main.ts')

export interface Run {
  status: number | null
  stdout: string
  stderr: string
}

/** Runs one command line; `input` goes to stdin. Colours off, HOME isolated. */
export function cli(args: readonly string[], input?: string, timeoutMs = 60_000): Run {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: ROOT,
    input: input ?? '',
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '', HOME: tempDir('home') },
  })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `status-pfs-cli-${label}-`))
}

/** File name → sha256 of every file in `dir` (empty when the directory does not exist). */
export function snapshot(dir: string): Record<string, string> {
  if (!existsSync(dir)) return {}
  const out: Record<string, string> = {}
  for (const f of readdirSync(dir).sort()) {
    out[f] = createHash('sha256')
      .update(readFileSync(join(dir, f)))
      .digest('hex')
  }
  return out
}

/** The shape of every failure: non-zero, exactly one line on stderr, no stack trace. */
export function assertOneLineFailure(r: Run, code?: string): void {
  if (r.status === 0 || r.status === null) {
    throw new Error(`expected a non-zero exit, got ${String(r.status)}: ${r.stdout}${r.stderr}`)
  }
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '')
  if (lines.length !== 1) throw new Error(`expected one stderr line, got:\n${r.stderr}`)
  if (/\n\s+at |\bat .*\(.*:\d+:\d+\)/.test(r.stderr + r.stdout)) {
    throw new Error(`stack trace in output:\n${r.stderr}`)
  }
  if (code !== undefined && !lines[0]!.includes(code)) {
    throw new Error(`expected code ${code} in: ${lines[0]!}`)
  }
}

/** A long-running command (`node`, `chat`, `directory serve`, …), its output collected. */
export class Proc {
  readonly child: ChildProcessWithoutNullStreams
  out = ''
  constructor(args: readonly string[]) {
    this.child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
    })
    this.child.stdout.setEncoding('utf8').on('data', (d: string) => (this.out += d))
    this.child.stderr.setEncoding('utf8').on('data', (d: string) => (this.out += d))
  }
  /** Resolves with the first match of `re` in the output so far, polling until `timeoutMs`. */
  async waitFor(re: RegExp, timeoutMs = 60_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const m = re.exec(this.out)
      if (m !== null) return m
      if (Date.now() > deadline || this.child.exitCode !== null) {
        throw new Error(`no ${String(re)} in output:\n${this.out}`)
      }
      await new Promise((r) => setTimeout(r, 50))
    }
  }
  type(line: string): void {
    this.child.stdin.write(`${line}\n`)
  }
  exited(): Promise<number | null> {
    if (this.child.exitCode !== null) return Promise.resolve(this.child.exitCode)
    return new Promise((r) => this.child.on('exit', (code) => r(code)))
  }
}
