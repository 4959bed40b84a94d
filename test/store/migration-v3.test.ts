/**
 * Migration 3 (partitioned-device bundle answers, whitepaper §4.5): a schema-v2 database with
 * protocol state upgrades to the current schema, keeps its rows, and gains `bundle_replies`.
 *
 * @module
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { SqliteStore } from '../../src/store/index.ts'
import { APPLICATION_ID, migrate, schemaVersion } from '../../src/store/sqlite/migrations.ts'
import { BOB, b, installation, pk, session } from './contract.ts'
import { tempDir } from './helpers.ts'

test('migration 3: a v2 store upgrades, keeps its sessions and gains bundle reply times', () => {
  const tmp = tempDir()
  try {
    const path = join(tmp.dir, 'v2.sqlite')
    {
      const store = SqliteStore.open(path)
      store.putInstallation(installation(BOB, 'bob-1'))
      store.putSession(session(b(1), BOB, 'bob-1', pk(1), { expiresAt: 777 }))
      store.close()
    }
    {
      // Take the file back to schema 2 exactly: drop what migration 3 added.
      const db = new Database(path)
      db.exec('DROP TABLE bundle_replies')
      db.pragma('user_version = 2')
      assert.equal(db.pragma('application_id', { simple: true }), APPLICATION_ID)
      assert.equal(schemaVersion(db), 2)
      db.close()
    }
    const store = SqliteStore.open(path)
    try {
      assert.equal(store.getSession(b(1))?.expiresAt, 777)
      assert.equal(store.getBundleReplyTime(BOB), undefined)
      store.setBundleReplyTime(BOB, 42)
      assert.equal(store.getBundleReplyTime(BOB), 42)
    } finally {
      store.close()
    }
    const db = new Database(path, { readonly: true })
    try {
      assert.ok(schemaVersion(db) >= 3)
    } finally {
      db.close()
    }
  } finally {
    tmp.remove()
  }
})

test('migration 3 applies on its own from version 2', () => {
  const db = new Database(':memory:')
  try {
    migrate(db, 2)
    assert.equal(schemaVersion(db), 2)
    assert.throws(() => db.prepare('SELECT * FROM bundle_replies').all())
    migrate(db, 3)
    assert.equal(schemaVersion(db), 3)
    assert.deepEqual(db.prepare('SELECT * FROM bundle_replies').all(), [])
  } finally {
    db.close()
  }
})
