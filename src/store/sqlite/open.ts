/**
 * Opening a store file safely: a file that is not a status-pfs database of a schema we know is
 * refused before anything is written to it (no journal-mode switch, no migration, no WAL file),
 * so a wrong path or a newer app's database is never damaged by an older one.
 *
 * Order of checks, each with its own error: the 16-byte SQLite header (`STORE_CORRUPT`), the
 * schema parse (`STORE_CORRUPT`), the application id (`STORE_CORRUPT`: someone else's database),
 * the schema version (`STORE_VERSION`). Only then WAL, `synchronous`, foreign keys, migrations.
 *
 * @module
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs'
import Database from 'better-sqlite3'
import { PfsError } from '../../errors.ts'
import { storeError } from './errors.ts'
import { APPLICATION_ID, SCHEMA_VERSION, migrate, schemaVersion } from './migrations.ts'

const HEADER = 'SQLite format 3\0'
/** The smallest valid database file is one page of at least 512 bytes; the header is 100. */
const MIN_SIZE = 100

export type Synchronous = 'NORMAL' | 'FULL'

/** Refuses an existing non-empty file whose first bytes are not an SQLite header. */
function checkHeader(path: string): void {
  let size: number
  try {
    size = statSync(path).size
  } catch {
    return // not there yet: SQLite creates it
  }
  if (size === 0) return // SQLite treats an empty file as an empty database
  const corrupt = () => new PfsError('STORE_CORRUPT', 'store file is not an SQLite database')
  if (size < MIN_SIZE) throw corrupt()
  const head = Buffer.alloc(HEADER.length)
  const fd = openSync(path, 'r')
  try {
    readSync(fd, head, 0, head.length, 0)
  } finally {
    closeSync(fd)
  }
  if (head.toString('latin1') !== HEADER) throw corrupt()
}

/** Result of `openDatabase`: the connection and the schema version it had before migrating. */
export interface Opened {
  readonly db: Database.Database
  readonly previousVersion: number
}

/**
 * Opens, checks, configures and migrates the database at `path`.
 * @throws {PfsError} code=STORE_CORRUPT | STORE_VERSION | STORE_FAILURE
 */
export function openDatabase(path: string, synchronous: Synchronous): Opened {
  if (path !== ':memory:' && path !== '') checkHeader(path)
  let db: Database.Database | undefined
  try {
    db = new Database(path)
    // Reading the schema makes SQLite parse the header and sqlite_schema: damage shows here,
    // before any write.
    const objects = Number(db.prepare('SELECT count(*) FROM sqlite_schema').pluck().get())
    const appId = Number(db.pragma('application_id', { simple: true }))
    const version = schemaVersion(db)
    if (appId !== APPLICATION_ID && (appId !== 0 || version !== 0 || objects > 0)) {
      throw new PfsError('STORE_CORRUPT', 'file is an SQLite database of another application')
    }
    if (version > SCHEMA_VERSION) {
      throw new PfsError('STORE_VERSION', 'store was written by a newer version of status-pfs', {
        version,
        supported: SCHEMA_VERSION,
      })
    }
    db.pragma('journal_mode = WAL')
    // NORMAL in WAL mode: a power loss may drop the last commits but never corrupts, and a process
    // crash loses nothing; FULL also syncs every commit (DESIGN.md "Storage").
    db.pragma(`synchronous = ${synchronous}`)
    db.pragma('foreign_keys = ON')
    db.pragma('busy_timeout = 5000')
    migrate(db)
    db.defaultSafeIntegers(true)
    return { db, previousVersion: version }
  } catch (e) {
    try {
      db?.close()
    } catch {
      // closing a connection that failed to open: nothing more to release
    }
    throw storeError('open', e)
  }
}
