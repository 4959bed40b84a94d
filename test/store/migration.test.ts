/**
 * Schema versions: a committed schema-v1 database (test/fixtures/store/v1.sqlite, made by
 * generate-v1.ts) opens and upgrades under the current code with its data intact and the same
 * schema a fresh store gets; a newer schema is `STORE_VERSION`; garbage, a damaged header and
 * another application's SQLite file are `STORE_CORRUPT`; none of these refusals changes a byte.
 *
 * @module
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { copyFileSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { SqliteStore } from '../../src/store/index.ts'
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/store/sqlite/migrations.ts'
import { BOB, b, expectCode, message, pk } from './contract.ts'
import { tempDir } from './helpers.ts'

const FIXTURE = fileURLToPath(new URL('../fixtures/store/v1.sqlite', import.meta.url))

function sha(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex')
}

/** Tables and indexes as SQLite keeps them, for comparing two databases' schemas. */
function schemaOf(path: string): unknown {
  const db = new Database(path, { readonly: true })
  try {
    return db
      .prepare(
        "SELECT type, name, tbl_name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .all()
  } finally {
    db.close()
  }
}

/** Asserts that opening `path` fails with `code` and leaves the directory byte-for-byte alone. */
function refusesUntouched(
  dir: string,
  path: string,
  code: 'STORE_CORRUPT' | 'STORE_VERSION',
): void {
  const before = readdirSync(dir).sort()
  const hash = sha(path)
  expectCode(() => SqliteStore.open(path), code)
  expectCode(() => SqliteStore.open(path, { passphrase: 'p', kdfIterations: 1000 }), code)
  assert.equal(sha(path), hash, 'file unchanged')
  assert.deepEqual(readdirSync(dir).sort(), before, 'no journal or WAL files left')
}

describe('SqliteStore: schema versions', () => {
  test('migrations are numbered 1..N', () => {
    assert.deepEqual(
      MIGRATIONS.map((m) => m.version),
      Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1),
    )
  })

  test('the v1 fixture is at version 1', () => {
    const db = new Database(FIXTURE, { readonly: true })
    assert.equal(db.pragma('user_version', { simple: true }), 1)
    db.close()
  })

  test('a v1 database opens, upgrades and keeps its data', () => {
    const t = tempDir()
    try {
      const path = join(t.dir, 'v1.sqlite')
      copyFileSync(FIXTURE, path)
      const s = SqliteStore.open(path)
      const account = s.getAccount()
      assert.equal(account?.installationId, 'alice-1')
      assert.equal(account?.name, 'laptop')
      assert.equal(account?.identityPrivateKey.length, 32)
      assert.equal(s.getInstallation(BOB, 'bob-1')?.lastSeen, 1700000000123456789n)
      assert.equal(s.getActiveBundle(BOB, 'bob-1')?.timestamp, 1700000000123456789n)
      const session = s.findSession(pk(0x03), BOB, 'bob-1')
      assert.deepEqual(session?.state, b(1, 2, 3))
      assert.deepEqual(session?.ephemeralKey, pk(0xee))
      assert.deepEqual(s.takeSkippedKey(pk(0x04), 7)?.sessionId, b(1))
      assert.deepEqual(s.getSharedSecret(BOB)?.installations, ['bob-1'])
      assert.equal(s.listSignedPreKeys().length, 1)
      // v2 tables exist and work
      assert.equal(s.addMessage(message('m1')), true)
      assert.equal(s.markEnvelopeSeen(b(1), 5), true)
      s.close()
      const db = new Database(path, { readonly: true })
      assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION)
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok')
      assert.deepEqual(db.pragma('foreign_key_check'), [])
      db.close()
      // same schema as a store created by the current code
      const fresh = join(t.dir, 'fresh.sqlite')
      SqliteStore.open(fresh).close()
      assert.deepEqual(schemaOf(path), schemaOf(fresh))
      // and it opens again without migrating
      SqliteStore.open(path).close()
    } finally {
      t.remove()
    }
  })

  test('a database from a newer schema is STORE_VERSION and untouched', () => {
    const t = tempDir()
    try {
      const path = join(t.dir, 'newer.sqlite')
      SqliteStore.open(path).close()
      const db = new Database(path)
      db.pragma(`user_version = ${SCHEMA_VERSION + 1}`)
      db.pragma('journal_mode = DELETE')
      db.close()
      refusesUntouched(t.dir, path, 'STORE_VERSION')
    } finally {
      t.remove()
    }
  })

  test('a newer encrypted database is STORE_VERSION, not a passphrase error', () => {
    const t = tempDir()
    try {
      const path = join(t.dir, 'newer-enc.sqlite')
      SqliteStore.open(path, { passphrase: 'right', kdfIterations: 1000 }).close()
      const db = new Database(path)
      db.pragma(`user_version = ${SCHEMA_VERSION + 5}`)
      db.close()
      expectCode(() => SqliteStore.open(path, { passphrase: 'wrong' }), 'STORE_VERSION')
      expectCode(() => SqliteStore.open(path), 'STORE_VERSION')
    } finally {
      t.remove()
    }
  })

  test('garbage is STORE_CORRUPT and its bytes are unchanged', () => {
    const t = tempDir()
    try {
      const garbage = join(t.dir, 'garbage.sqlite')
      const bytes = Buffer.alloc(8192)
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + 13) & 0xff
      writeFileSync(garbage, bytes)
      refusesUntouched(t.dir, garbage, 'STORE_CORRUPT')

      const short = join(t.dir, 'short.sqlite')
      writeFileSync(short, 'not a database')
      refusesUntouched(t.dir, short, 'STORE_CORRUPT')

      // a valid header followed by junk
      const header = join(t.dir, 'header.sqlite')
      const h = Buffer.from(bytes)
      h.write('SQLite format 3\0', 0, 'latin1')
      writeFileSync(header, h)
      refusesUntouched(t.dir, header, 'STORE_CORRUPT')
      assert.equal(existsSync(`${header}-wal`), false)
    } finally {
      t.remove()
    }
  })

  test("another application's SQLite database is STORE_CORRUPT and untouched", () => {
    const t = tempDir()
    try {
      const path = join(t.dir, 'other.sqlite')
      const db = new Database(path)
      db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)')
      db.close()
      refusesUntouched(t.dir, path, 'STORE_CORRUPT')
      const withId = join(t.dir, 'other-id.sqlite')
      const db2 = new Database(withId)
      db2.pragma('application_id = 1234')
      db2.close()
      refusesUntouched(t.dir, withId, 'STORE_CORRUPT')
    } finally {
      t.remove()
    }
  })

  test('an empty file becomes a new store', () => {
    const t = tempDir()
    try {
      const path = join(t.dir, 'empty.sqlite')
      writeFileSync(path, '')
      const s = SqliteStore.open(path)
      s.addMessage(message('m'))
      s.close()
      const again = SqliteStore.open(path)
      assert.equal(again.countMessages(), 1)
      again.close()
    } finally {
      t.remove()
    }
  })
})
