/**
 * `SqliteStore` serves reads of installations, bundles, signed prekeys and sessions from memory
 * inside transactions (issue 9), writing each session's state update through into its cached rows. These tests show that the memo never returns what the database no longer
 * holds: after our own writes, after a rolled-back savepoint or transaction, after an engine-side
 * cascade (deleting an installation deletes its bundles), and after another connection to the same
 * file committed.
 *
 * @module
 */
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { SqliteStore } from '../../src/store/index.ts'
import { b, BOB, CAROL, installation, session } from './contract.ts'
import { tempDir } from './helpers.ts'

const tmp = tempDir('pfs-store-cache-')
after(() => {
  tmp.remove()
})
let n = 0
function path(): string {
  return join(tmp.dir, `cache-${String(++n)}.sqlite`)
}

const SPK = new Uint8Array(33).fill(7)

function bundle(identity: Uint8Array, installationId: string, version: number) {
  return {
    identity,
    installationId,
    version,
    signedPreKey: SPK.map((b, i) => (i === 0 ? 2 : b ^ version)),
    protocolVersion: 1,
    timestamp: 5_000n,
    expired: false,
  }
}

test('reads after our own writes in the same transaction see the writes', () => {
  const s = SqliteStore.open(path())
  s.transaction(() => {
    assert.equal(s.getInstallation(BOB, 'bob-1'), undefined) // remembered as absent
    s.putInstallation(installation(BOB, 'bob-1'))
    assert.equal(s.getInstallation(BOB, 'bob-1')?.installationId, 'bob-1')
    assert.equal(s.listInstallations(BOB).length, 1)
    s.putInstallation(installation(BOB, 'bob-2'))
    assert.equal(s.listInstallations(BOB).length, 2)
    assert.equal(s.setInstallationEnabled(BOB, 'bob-1', false), true)
    assert.equal(s.getInstallation(BOB, 'bob-1')?.enabled, false)
  })
  s.close()
})

test('a rolled-back savepoint or transaction is not remembered', () => {
  const s = SqliteStore.open(path())
  s.transaction(() => {
    s.putInstallation(installation(BOB, 'bob-1'))
  })
  s.transaction(() => {
    assert.throws(() => {
      s.transaction(() => {
        s.putInstallation(installation(BOB, 'bob-1', { lastSeen: 9_000n }))
        assert.equal(s.getInstallation(BOB, 'bob-1')?.lastSeen, 9_000n)
        throw new Error('abort')
      })
    }, /abort/)
    assert.equal(s.getInstallation(BOB, 'bob-1')?.lastSeen, 2_000n)
  })
  assert.throws(() => {
    s.transaction(() => {
      s.putInstallation(installation(BOB, 'bob-2'))
      assert.equal(s.listInstallations(BOB).length, 2)
      throw new Error('abort')
    })
  }, /abort/)
  s.transaction(() => {
    assert.equal(s.listInstallations(BOB).length, 1)
  })
  s.close()
})

test('a cascade in the engine (installation → bundles) is seen', () => {
  const s = SqliteStore.open(path())
  s.transaction(() => {
    s.putInstallation(installation(CAROL, 'carol-1'))
    s.putBundle(bundle(CAROL, 'carol-1', 1))
  })
  s.transaction(() => {
    assert.equal(s.getActiveBundle(CAROL, 'carol-1')?.version, 1)
    assert.equal(s.deleteInstallation(CAROL, 'carol-1'), true)
    assert.equal(s.getActiveBundle(CAROL, 'carol-1'), undefined)
    assert.equal(s.listBundles(CAROL).length, 0)
  })
  s.close()
})

test('a commit by another connection to the same file is seen', () => {
  const file = path()
  const a = SqliteStore.open(file)
  const b = SqliteStore.open(file)
  a.transaction(() => {
    a.putInstallation(installation(BOB, 'bob-1'))
  })
  a.transaction(() => {
    assert.equal(a.getInstallation(BOB, 'bob-1')?.version, 1)
  })
  b.transaction(() => {
    b.putInstallation(installation(BOB, 'bob-1', { version: 4 }))
    b.putBundle(bundle(BOB, 'bob-1', 4))
  })
  a.transaction(() => {
    assert.equal(a.getInstallation(BOB, 'bob-1')?.version, 4)
    assert.equal(a.getActiveBundle(BOB, 'bob-1')?.version, 4)
  })
  a.close()
  b.close()
})

test('records handed out are copies: changing one does not change the next read', () => {
  const s = SqliteStore.open(path())
  s.transaction(() => {
    s.putInstallation(installation(BOB, 'bob-1'))
    s.putBundle(bundle(BOB, 'bob-1', 1))
  })
  s.transaction(() => {
    const first = s.getActiveBundle(BOB, 'bob-1')!
    first.signedPreKey.fill(0)
    const again = s.getActiveBundle(BOB, 'bob-1')!
    assert.notDeepEqual(again.signedPreKey, first.signedPreKey)
    const list = s.listInstallations(BOB)
    list.pop()
    assert.equal(s.listInstallations(BOB).length, 1)
  })
  s.close()
})

// Session rows (read for every message, their state rewritten by every message): cached too, and
// the per-message state update is written through into the cached rows.

const SID = new Uint8Array(16).fill(0x51)
const SID2 = new Uint8Array(16).fill(0x52)
const BID = new Uint8Array(33).fill(0x0b)

function withSession(s: SqliteStore): void {
  s.transaction(() => {
    s.putInstallation(installation(BOB, 'bob-1'))
    s.putSession(session(SID, BOB, 'bob-1', BID))
    s.putSession(
      session(
        SID2,
        BOB,
        'bob-1',
        BID.map((x) => x ^ 1),
        { createdAt: 50 },
      ),
    )
  })
}

test('sessions: every read after a state update sees the new state, also across transactions', () => {
  const file = path()
  const s = SqliteStore.open(file)
  withSession(s)
  s.transaction(() => {
    // Prime every cached form: by id, by (bundle, identity, installation), the device's list.
    assert.deepEqual(s.findSession(BID, BOB, 'bob-1')?.state, b(1, 2, 3))
    assert.deepEqual(s.getSession(SID)?.state, b(1, 2, 3))
    assert.equal(s.listSessionsFor(BOB, 'bob-1').length, 2)
    const next = b(4, 5, 6, 7)
    assert.equal(s.updateSessionState(SID, next), true)
    next.fill(0) // the caller wipes its buffer: the cache holds its own copy
    assert.deepEqual(s.findSession(BID, BOB, 'bob-1')?.state, b(4, 5, 6, 7))
    assert.deepEqual(s.getSession(SID)?.state, b(4, 5, 6, 7))
    const list = s.listSessionsFor(BOB, 'bob-1')
    assert.deepEqual(list.find((r) => r.id[0] === 0x51)?.state, b(4, 5, 6, 7))
    assert.deepEqual(list.find((r) => r.id[0] === 0x52)?.state, b(1, 2, 3))
  })
  s.transaction(() => {
    assert.equal(s.updateSessionState(SID, b(8)), true)
  })
  s.transaction(() => {
    assert.deepEqual(s.findSession(BID, BOB, 'bob-1')?.state, b(8))
  })
  s.close()
  const again = SqliteStore.open(file)
  again.transaction(() => {
    assert.deepEqual(again.findSession(BID, BOB, 'bob-1')?.state, b(8))
  })
  again.close()
})

test('sessions: a rolled-back state update is not remembered', () => {
  const s = SqliteStore.open(path())
  withSession(s)
  s.transaction(() => {
    assert.deepEqual(s.findSession(BID, BOB, 'bob-1')?.state, b(1, 2, 3))
    assert.throws(() =>
      s.transaction(() => {
        s.updateSessionState(SID, b(9, 9))
        assert.deepEqual(s.findSession(BID, BOB, 'bob-1')?.state, b(9, 9))
        throw new Error('undo')
      }),
    )
    assert.deepEqual(s.findSession(BID, BOB, 'bob-1')?.state, b(1, 2, 3))
  })
  assert.throws(() =>
    s.transaction(() => {
      assert.deepEqual(s.getSession(SID)?.state, b(1, 2, 3))
      s.updateSessionState(SID, b(9, 9))
      throw new Error('undo')
    }),
  )
  s.transaction(() => {
    assert.deepEqual(s.getSession(SID)?.state, b(1, 2, 3))
  })
  s.close()
})

test('sessions: other writes (confirm, delete, expiry, an installation cascade) are seen', () => {
  const s = SqliteStore.open(path())
  withSession(s)
  s.transaction(() => {
    assert.notEqual(s.getSession(SID)?.ephemeralKey, undefined)
    assert.equal(s.confirmSession(SID), true)
    assert.equal(s.getSession(SID)?.ephemeralKey, undefined)
    assert.equal(s.findSession(BID, BOB, 'bob-1')?.ephemeralKey, undefined)
    assert.equal(s.deleteSession(SID2), true)
    assert.equal(s.listSessionsFor(BOB, 'bob-1').length, 1)
  })
  s.transaction(() => {
    assert.ok(s.findSession(BID, BOB, 'bob-1') !== undefined)
    assert.equal(s.deleteInstallation(BOB, 'bob-1'), true) // cascades to its sessions
    assert.equal(s.findSession(BID, BOB, 'bob-1'), undefined)
    assert.equal(s.listSessionsFor(BOB, 'bob-1').length, 0)
  })
  s.close()
})

test("sessions: another connection's state update is seen", () => {
  const file = path()
  const a = SqliteStore.open(file)
  withSession(a)
  const c = SqliteStore.open(file)
  a.transaction(() => {
    assert.deepEqual(a.findSession(BID, BOB, 'bob-1')?.state, b(1, 2, 3))
  })
  c.transaction(() => {
    c.updateSessionState(SID, b(6))
  })
  a.transaction(() => {
    assert.deepEqual(a.findSession(BID, BOB, 'bob-1')?.state, b(6))
  })
  a.close()
  c.close()
})

test('sessions: with encryption at rest the cached state is what the file holds', () => {
  const file = path()
  const s = SqliteStore.open(file, { passphrase: 'correct horse', kdfIterations: 1_000 })
  withSession(s)
  s.transaction(() => {
    assert.deepEqual(s.findSession(BID, BOB, 'bob-1')?.state, b(1, 2, 3))
    s.updateSessionState(SID, b(7, 7, 7))
    assert.deepEqual(s.findSession(BID, BOB, 'bob-1')?.state, b(7, 7, 7))
  })
  s.close()
  const again = SqliteStore.open(file, { passphrase: 'correct horse', kdfIterations: 1_000 })
  again.transaction(() => {
    assert.deepEqual(again.findSession(BID, BOB, 'bob-1')?.state, b(7, 7, 7))
  })
  again.close()
})
