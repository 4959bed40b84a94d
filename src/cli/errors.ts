/**
 * How the `status-pfs` command fails (issue 7, "Done when": bad input gives one clear line and a
 * non-zero exit, never a stack trace). `CliError` is what commands throw for usage problems;
 * `describeError` turns anything thrown into one line, using the stable `PfsError` codes
 * (DESIGN.md "Errors") rather than engine messages, and `exitCodeOf` picks the exit status.
 *
 * @module
 */
import { isPfsError } from '../errors.ts'

/** Exit statuses: 0 success, 1 an operation failed, 2 bad usage or input, 3 a demo check failed. */
export const ExitCode = { Ok: 0, Failure: 1, Usage: 2, CheckFailed: 3 } as const

/** A failure the CLI itself detects; `code` is shown in `--json` output. */
export class CliError extends Error {
  override readonly name: string = 'CliError'
  readonly code: string
  readonly exitCode: number
  constructor(code: string, message: string, exitCode: number = ExitCode.Usage) {
    super(message)
    this.code = code
    this.exitCode = exitCode
  }
}

/**
 * Plain words for the failures of the storage engine, whose own messages name internals. The
 * messenger's codes (INVALID_PHRASE, UNKNOWN_CONTACT, …) already carry user-facing messages.
 */
const HINTS: Readonly<Record<string, string>> = {
  STORE_CORRUPT: 'the database file is not a readable status-pfs database',
  STORE_VERSION: 'the database was written by a newer status-pfs',
  STORE_PASSPHRASE: 'the database passphrase is wrong or missing',
  STORE_FAILURE: 'the database could not be used (is it locked by another process?)',
}

/** One line (no newline, no stack) describing `e`; never includes secrets (PfsError rules). */
export function describeError(e: unknown): { code: string; message: string } {
  if (e instanceof CliError) return { code: e.code, message: e.message }
  if (isPfsError(e)) {
    const code: string = e.code
    const hint = HINTS[code]
    const msg = firstLine(e.message)
    return { code, message: hint ?? (code === 'NETWORK_FAILURE' ? `network: ${msg}` : msg) }
  }
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code
    return {
      code: typeof code === 'string' ? code : 'INTERNAL',
      message: firstLine(e.message) || e.name,
    }
  }
  return { code: 'INTERNAL', message: firstLine(String(e)) }
}

export function exitCodeOf(e: unknown): number {
  if (e instanceof CliError) return e.exitCode
  if (isPfsError(e)) {
    const code: string = e.code
    return code.startsWith('STORE_') || code === 'NETWORK_FAILURE'
      ? ExitCode.Failure
      : ExitCode.Usage
  }
  return ExitCode.Failure
}

function firstLine(s: string): string {
  return (s.split('\n')[0] ?? '').trim()
}
