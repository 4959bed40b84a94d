/**
 * The store node's SQLite schema and its numbered migrations (STYLE.md §7: versioning applies to
 * what we store). The version lives in `PRAGMA user_version`; a database from a newer schema is
 * refused with `STORE_VERSION` rather than guessed at.
 *
 * Layout: one row per envelope, keyed by its hash, holding the exact envelope RLP (a mailserver
 * must reproduce the bytes it archived, TRANSPORT.md §4.1) plus the columns queries and pruning
 * use. `(topic, sent, hash)` serves history pages; `keep_until` serves pruning.
 *
 * @module
 */
import type Database from 'better-sqlite3'
import { PfsError } from '../../errors.ts'

/** Migration N (1-based) takes the schema from version N−1 to N. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE envelopes (
     hash       BLOB    PRIMARY KEY,
     sent       INTEGER NOT NULL,
     topic      BLOB    NOT NULL,
     expiry     INTEGER NOT NULL,
     keep_until INTEGER NOT NULL,
     envelope   BLOB    NOT NULL
   ) WITHOUT ROWID;
   CREATE INDEX envelopes_topic_sent ON envelopes (topic, sent, hash);
   CREATE INDEX envelopes_keep_until ON envelopes (keep_until);`,
]

/** The schema version this code writes. */
export const SCHEMA_VERSION: number = MIGRATIONS.length

/**
 * Brings `db` to `SCHEMA_VERSION`, each step in its own transaction.
 * @throws {PfsError} code=STORE_VERSION when the file is newer than this code
 */
export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number
  if (current > SCHEMA_VERSION) {
    throw new PfsError('STORE_VERSION', 'store node database is from a newer version', {
      version: current,
      supported: SCHEMA_VERSION,
    })
  }
  for (let v = current; v < SCHEMA_VERSION; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!)
      db.pragma(`user_version = ${v + 1}`)
    })()
  }
}
