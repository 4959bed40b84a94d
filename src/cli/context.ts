/**
 * What every command gets: where the data lives, whether to print JSON, the terminal style and
 * the output streams (injected so that the demo and tests can capture them).
 *
 * @module
 */
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Style } from './style.ts'

export interface Output {
  /** Writes one line (a newline is added). */
  line(text?: string): void
  /** Writes without a newline (progress bars). */
  write(text: string): void
  readonly isTty: boolean
}

export interface CliContext {
  readonly dataDir: string
  readonly json: boolean
  readonly style: Style
  readonly out: Output
}

/** `--data`, `STATUS_PFS_DATA`, else `~/.status-pfs`. */
export function resolveDataDir(option: string | undefined): string {
  const dir = option ?? process.env['STATUS_PFS_DATA'] ?? join(homedir(), '.status-pfs')
  return resolve(dir.replace(/^~(?=$|\/)/, homedir()))
}

export function stdoutOutput(): Output {
  return {
    line: (text = '') => {
      process.stdout.write(`${text}\n`)
    },
    write: (text) => {
      process.stdout.write(text)
    },
    isTty: process.stdout.isTTY,
  }
}

/** JSON for scripts: bigints as decimal strings, Uint8Arrays never (they are not in our output). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)
}
