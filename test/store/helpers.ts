/**
 * Temporary directories for SQLite store tests, removed afterwards.
 *
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A fresh temporary directory and a function that removes it. */
export function tempDir(prefix = 'pfs-store-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

/**
 * A full dump of every table of a `MemoryStore` or `SqliteStore` as one string: compare two dumps
 * to prove an operation that failed left the store byte-identical.
 */
export function dumpStore(store: object): string {
  const d = (store as { dump?: unknown }).dump
  if (typeof d !== 'function') throw new TypeError('store has no dump()')
  return (d as () => string).call(store)
}
