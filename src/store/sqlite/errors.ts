/**
 * Maps better-sqlite3 exceptions to `PfsError` (STYLE.md §5 "Wrap store failures"): the operation
 * name and SQLite's result code go in `details`, the engine error goes in `cause`, and no SQL text
 * or bound value ever reaches a message.
 *
 * @module
 */
import { PfsError } from '../../errors.ts'

/** SQLite extended result code of a better-sqlite3 `SqliteError`, if `e` is one. */
export function sqliteCode(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined
  const code = (e as { code?: unknown }).code
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined
}

/**
 * The `PfsError` for an exception thrown while doing `operation`. `PfsError`s pass through.
 * Constraint failures mean the caller broke a documented rule (`INVALID_STATE`); an unreadable
 * file is `STORE_CORRUPT`; anything else is `STORE_FAILURE`.
 */
export function storeError(operation: string, e: unknown): PfsError {
  if (e instanceof PfsError) return e as PfsError
  const code = sqliteCode(e)
  const details = { operation, ...(code !== undefined && { sqlite: code }) }
  if (code === 'SQLITE_NOTADB' || code?.startsWith('SQLITE_CORRUPT') === true) {
    return new PfsError('STORE_CORRUPT', 'store file is damaged or not a database', details, {
      cause: e,
    })
  }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return new PfsError('INVALID_STATE', 'record refers to a missing parent record', details, {
      cause: e,
    })
  }
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return new PfsError('INVALID_STATE', 'record conflicts with a stored one', details, {
      cause: e,
    })
  }
  return new PfsError('STORE_FAILURE', 'store operation failed', details, { cause: e })
}
