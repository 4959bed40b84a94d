/**
 * `SqliteStore` serves reads of installations, bundles and signed prekeys from memory inside
 * transactions (issue 9). These tests show that the memo never returns what the database no longer
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
import { BOB, CAROL, installation } from './contract.ts'
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
