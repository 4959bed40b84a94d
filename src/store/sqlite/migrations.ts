/**
 * The SQLite schema of `SqliteStore` as numbered migrations (STYLE.md §7: what we store is
 * versioned). Migration N takes a database from schema N−1 to N; the version lives in
 * `PRAGMA user_version` and the file is marked as ours by `PRAGMA application_id`. A database
 * from a newer schema is refused with `STORE_VERSION` before anything is written to it.
 *
 * The schema is our own, normalised design (PROTOCOL.md §9 lists what the reference keeps):
 * - every device, ours or a peer's, is one `installations` row keyed by (identity, installation);
 *   peers' signed prekeys (`bundles`) and `sessions` hang off it with cascading foreign keys, and
 *   skipped message keys hang off their session, so deleting a device removes all it implied;
 * - our own secrets (`account`, `signed_prekeys`, `one_time_prekeys`) are separate from what
 *   peers publish, so a private key column is never NULL-able by design;
 * - columns marked "secret" hold AES-GCM values when the store has a passphrase (at-rest.ts);
 * - times: `*_seen` and `timestamp` are nanoseconds (bigint), other times milliseconds.
 * Never edit a released migration; add the next one.
 *
 * @module
 */
import type Database from 'better-sqlite3'
import { PfsError } from '../../errors.ts'

/** `PRAGMA application_id` of status-pfs stores: ASCII "PFS1". */
export const APPLICATION_ID = 0x50465331

export interface Migration {
  readonly version: number
  readonly description: string
  readonly sql: string
}

/** In order; `MIGRATIONS[i].version === i + 1`. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'protocol state: account, prekeys, installations, bundles, sessions, keys',
    sql: `
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value BLOB NOT NULL
) WITHOUT ROWID;

CREATE TABLE account (
  singleton            INTEGER PRIMARY KEY CHECK (singleton = 1),
  identity_public_key  BLOB    NOT NULL,
  identity_private_key BLOB    NOT NULL, -- secret
  installation_id      TEXT    NOT NULL,
  name                 TEXT,
  device_type          TEXT,
  created_at           INTEGER NOT NULL
);

CREATE TABLE signed_prekeys (
  public_key  BLOB    PRIMARY KEY,
  private_key BLOB    NOT NULL, -- secret
  version     INTEGER NOT NULL,
  created_at  INTEGER NOT NULL,
  expired     INTEGER NOT NULL CHECK (expired IN (0, 1))
) WITHOUT ROWID;

CREATE TABLE one_time_prekeys (
  public_key  BLOB    PRIMARY KEY,
  private_key BLOB    NOT NULL, -- secret
  created_at  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE installations (
  identity        BLOB    NOT NULL,
  installation_id TEXT    NOT NULL,
  enabled         INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  version         INTEGER NOT NULL,
  first_seen      INTEGER NOT NULL,
  last_seen       INTEGER NOT NULL,
  stale           INTEGER NOT NULL CHECK (stale IN (0, 1)),
  name            TEXT,
  device_type     TEXT,
  PRIMARY KEY (identity, installation_id)
) WITHOUT ROWID;
CREATE INDEX installations_by_last_seen ON installations (identity, last_seen DESC);

CREATE TABLE bundles (
  identity         BLOB    NOT NULL,
  installation_id  TEXT    NOT NULL,
  version          INTEGER NOT NULL,
  signed_prekey    BLOB    NOT NULL UNIQUE,
  protocol_version INTEGER NOT NULL,
  timestamp        INTEGER NOT NULL,
  expired          INTEGER NOT NULL CHECK (expired IN (0, 1)),
  PRIMARY KEY (identity, installation_id, version),
  FOREIGN KEY (identity, installation_id) REFERENCES installations ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE sessions (
  id              BLOB    PRIMARY KEY,
  identity        BLOB    NOT NULL,
  installation_id TEXT    NOT NULL,
  bundle_id       BLOB    NOT NULL,
  ephemeral_key   BLOB,
  sk              BLOB    NOT NULL, -- secret
  state           BLOB    NOT NULL, -- secret
  created_at      INTEGER NOT NULL,
  expires_at      INTEGER NOT NULL,
  UNIQUE (bundle_id, identity, installation_id),
  FOREIGN KEY (identity, installation_id) REFERENCES installations ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX sessions_by_device ON sessions (identity, installation_id, created_at DESC);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- seq orders keys by insertion for pruning (an INTEGER PRIMARY KEY is the rowid).
CREATE TABLE skipped_keys (
  seq            INTEGER PRIMARY KEY,
  session_id     BLOB    NOT NULL REFERENCES sessions ON DELETE CASCADE,
  ratchet_public BLOB    NOT NULL,
  n              INTEGER NOT NULL,
  message_key    BLOB    NOT NULL, -- secret
  stored_at      INTEGER NOT NULL,
  UNIQUE (ratchet_public, n)
);
CREATE INDEX skipped_keys_by_session ON skipped_keys (session_id, seq);
CREATE INDEX skipped_keys_by_age ON skipped_keys (stored_at);

CREATE TABLE shared_secrets (
  identity BLOB PRIMARY KEY,
  secret   BLOB NOT NULL -- secret
) WITHOUT ROWID;

CREATE TABLE shared_secret_installations (
  identity        BLOB NOT NULL REFERENCES shared_secrets ON DELETE CASCADE,
  installation_id TEXT NOT NULL,
  PRIMARY KEY (identity, installation_id)
) WITHOUT ROWID;
`,
  },
  {
    version: 2,
    description: 'messenger state: contacts, requests, messages, deliveries, dedup, sync',
    sql: `
CREATE TABLE contacts (
  identity BLOB    PRIMARY KEY,
  name     TEXT,
  added_at INTEGER NOT NULL,
  blocked  INTEGER NOT NULL CHECK (blocked IN (0, 1))
) WITHOUT ROWID;

CREATE TABLE contact_requests (
  id         TEXT    PRIMARY KEY,
  identity   BLOB    NOT NULL,
  direction  TEXT    NOT NULL CHECK (direction IN ('incoming', 'outgoing')),
  state      TEXT    NOT NULL CHECK (state IN ('pending', 'accepted', 'declined')),
  text       BLOB, -- secret
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX contact_requests_by_identity ON contact_requests (identity);

CREATE TABLE messages (
  id          TEXT    PRIMARY KEY,
  chat_id     TEXT    NOT NULL,
  direction   TEXT    NOT NULL CHECK (direction IN ('incoming', 'outgoing')),
  sender      BLOB    NOT NULL,
  text        BLOB    NOT NULL, -- secret (UTF-8)
  payload     BLOB, -- secret
  sent_at     INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  pfs         INTEGER NOT NULL CHECK (pfs IN (0, 1))
);
CREATE INDEX messages_by_chat ON messages (chat_id, sent_at, id);

CREATE TABLE message_deliveries (
  message_id      TEXT    NOT NULL REFERENCES messages ON DELETE CASCADE,
  identity        BLOB    NOT NULL,
  installation_id TEXT    NOT NULL,
  state           TEXT    NOT NULL CHECK (state IN ('pending', 'sent', 'delivered', 'failed')),
  updated_at      INTEGER NOT NULL,
  PRIMARY KEY (message_id, identity, installation_id)
) WITHOUT ROWID;

CREATE TABLE seen_envelopes (
  hash       BLOB    PRIMARY KEY,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX seen_envelopes_by_expiry ON seen_envelopes (expires_at);

-- topics: the canonical topic-set key (sorted unique hex, comma-separated).
CREATE TABLE sync_cursors (
  store_node TEXT    NOT NULL,
  topics     TEXT    NOT NULL,
  cursor     BLOB,
  synced_to  INTEGER NOT NULL,
  PRIMARY KEY (store_node, topics)
) WITHOUT ROWID;
`,
  },
  {
    version: 3,
    description: 'protocol: partitioned-device bundle answers (whitepaper §4.5)',
    sql: `
-- When we last sent our bundle to an identity whose message had no entry for us (ms); the 2 h
-- rate limit survives restarts and rolls back with the transaction that handled the message.
CREATE TABLE bundle_replies (
  identity   BLOB    PRIMARY KEY,
  replied_at INTEGER NOT NULL
) WITHOUT ROWID;
`,
  },
]

/** The schema version this code writes. */
export const SCHEMA_VERSION: number = MIGRATIONS.length

/** `PRAGMA user_version` as a number. */
export function schemaVersion(db: Database.Database): number {
  return Number(db.pragma('user_version', { simple: true }))
}

/**
 * Brings `db` from its version up to `target` (default: the current schema), each migration in
 * its own transaction together with the version bump, so a crash leaves a whole version.
 * @throws {PfsError} code=STORE_VERSION when the database is newer than this code
 */
export function migrate(db: Database.Database, target: number = SCHEMA_VERSION): void {
  const current = schemaVersion(db)
  if (current > SCHEMA_VERSION) {
    throw new PfsError('STORE_VERSION', 'store was written by a newer version of status-pfs', {
      version: current,
      supported: SCHEMA_VERSION,
    })
  }
  for (let v = current; v < Math.min(target, SCHEMA_VERSION); v++) {
    const m = MIGRATIONS[v]!
    db.exec('BEGIN IMMEDIATE')
    try {
      db.exec(m.sql)
      if (v === 0) db.pragma(`application_id = ${APPLICATION_ID}`)
      db.pragma(`user_version = ${m.version}`)
      db.exec('COMMIT')
    } catch (e) {
      if (db.inTransaction) db.exec('ROLLBACK')
      throw e
    }
  }
}
