/**
 * Browser page code: what `IndexedDbStore` keeps across a page reload, and how it refuses a
 * journal it cannot trust, a second tab, and a database deleted under it. Each function returns
 * nothing or throws; the Node side (browser.test.ts) calls them through Playwright.
 *
 * @module
 */
import assert from 'node:assert/strict'
import { isPfsError } from '../../../src/errors.ts'
import { MemoryStore } from '../../../src/store/memory.ts'
import { IndexedDbStore } from '../../../src/store/indexeddb/index.ts'
import { defaultFactory, requestResult, transactionDone } from '../../../src/store/indexeddb/idb.ts'
import type { Store } from '../../../src/store/types.ts'
import { BOB, b, dump, message, pk, populate } from '../../store/contract.ts'

/** The writes of the reload test: every table, a rolled-back transaction, a savepoint. */
function history(s: Store): void {
  populate(s)
  s.transaction(() => {
    s.updateSessionState(b(1), b(4, 5, 6))
    s.confirmSession(b(1))
    try {
      s.transaction(() => {
        s.addMessage(message('undone-inner'))
        throw new Error('inner fails')
      })
    } catch {
      // the savepoint is undone, the outer transaction goes on
    }
    s.addMessage(message('m-2', { sentAt: 2000 }))
  })
  try {
    s.transaction(() => {
      s.deleteContact(BOB)
      throw new Error('outer fails')
    })
  } catch {
    // nothing of it may survive
  }
  s.takeOneTimePreKey(pk(2))
  for (let i = 0; i < 50; i++) s.markEnvelopeSeen(b(0xaa, i), 500 + i)
}

function expected(): unknown {
  const m = new MemoryStore()
  history(m)
  return { dump: dump(m), seen: seenOf(m) }
}

function seenOf(s: Store): boolean[] {
  return Array.from({ length: 51 }, (_, i) => s.hasSeenEnvelope(b(0xaa, i)))
}

/** First page load: writes the history, waits for durability, closes. */
export async function writeForReload(name: string): Promise<void> {
  await IndexedDbStore.deleteDatabase(name)
  const s = await IndexedDbStore.open(name)
  history(s)
  assert.ok(s.pendingCommits > 0, 'commits of this task are not yet written')
  await s.flush()
  assert.equal(s.pendingCommits, 0)
  s.close()
}

/** After the reload: the reopened store holds exactly the committed history. */
export async function checkAfterReload(name: string): Promise<void> {
  const s = await IndexedDbStore.open(name)
  try {
    assert.deepEqual({ dump: dump(s), seen: seenOf(s) }, expected())
    assert.equal(s.getMessage('undone-inner'), undefined)
    assert.notEqual(s.getContact(BOB), undefined)
  } finally {
    s.close()
    await s.flush()
    await IndexedDbStore.deleteDatabase(name)
  }
}

async function expectRejects(p: Promise<unknown>, code: string): Promise<void> {
  try {
    await p
  } catch (e) {
    assert.ok(isPfsError(e), `expected a PfsError, got ${String(e)}`)
    assert.equal(e.code, code)
    return
  }
  assert.fail(`expected ${code}, the call succeeded`)
}

/** Adds `value` to the journal (or the meta store) of database `name` behind the store's back. */
async function tamper(name: string, storeName: string, value: unknown, key?: string) {
  const db = await requestResult(defaultFactory().open(name, 1), 'open')
  const tx = db.transaction([storeName], 'readwrite')
  const os = tx.objectStore(storeName)
  if (key === undefined) os.add(value)
  else os.put(value, key)
  await transactionDone(tx, 'tamper')
  db.close()
}

async function freshStore(name: string): Promise<void> {
  await IndexedDbStore.deleteDatabase(name)
  const s = await IndexedDbStore.open(name)
  populate(s)
  s.close()
  await s.flush()
}

/** A journal that names an unknown call, or one that no longer replays, is STORE_CORRUPT. */
export async function checkCorruptJournals(): Promise<void> {
  const name = 'corrupt-journal'
  await freshStore(name)
  await tamper(name, 'journal', { v: 1, commits: [[['dropEverything', []]]] })
  await expectRejects(IndexedDbStore.open(name), 'STORE_CORRUPT')

  await freshStore(name)
  await tamper(name, 'journal', { v: 1, commits: [[['getAccount', []]]] })
  await expectRejects(IndexedDbStore.open(name), 'STORE_CORRUPT')

  await freshStore(name)
  // A session for an installation nobody stored: the replay throws INVALID_STATE.
  const orphan = {
    id: b(9),
    identity: b(9),
    installationId: 'nobody',
    bundleId: b(9),
    sk: b(9),
    state: b(9),
    createdAt: 1,
    expiresAt: 2,
  }
  await tamper(name, 'journal', { v: 1, commits: [[['putSession', [orphan]]]] })
  await expectRejects(IndexedDbStore.open(name), 'STORE_CORRUPT')

  await freshStore(name)
  await tamper(name, 'journal', 'not a record')
  await expectRejects(IndexedDbStore.open(name), 'STORE_CORRUPT')

  await freshStore(name)
  await tamper(name, 'meta', { format: 'status-pfs/store-journal', version: 99 }, 'format')
  await expectRejects(IndexedDbStore.open(name), 'STORE_VERSION')

  await freshStore(name)
  await tamper(name, 'meta', { format: 'something else', version: 1 }, 'format')
  await expectRejects(IndexedDbStore.open(name), 'STORE_CORRUPT')

  await IndexedDbStore.deleteDatabase(name)
  await expectRejects(IndexedDbStore.open(''), 'INVALID_ARGUMENT')
}

/** One holder at a time; a store reopened right after close() sees every commit. */
export async function checkLockAndReopen(): Promise<void> {
  const name = 'lock-and-reopen'
  await IndexedDbStore.deleteDatabase(name)
  const a = await IndexedDbStore.open(name)
  await expectRejects(IndexedDbStore.open(name), 'INVALID_STATE')
  populate(a)
  a.close() // no flush: the reopen must still wait for these writes
  const again = await IndexedDbStore.open(name)
  const m = new MemoryStore()
  populate(m)
  assert.deepEqual(dump(again), dump(m))
  assert.throws(
    () => a.getAccount(),
    (e: unknown) => isPfsError(e, 'INVALID_STATE'),
  )
  again.close()
  await again.flush()
  await IndexedDbStore.deleteDatabase(name)
}

/** Arguments are copied at the call: wiping a key afterwards does not change what is journaled. */
export async function checkArgumentsCopied(): Promise<void> {
  const name = 'arguments-copied'
  await IndexedDbStore.deleteDatabase(name)
  const s = await IndexedDbStore.open(name)
  const secret = new Uint8Array(32).fill(0x42)
  s.putSignedPreKey({
    publicKey: b(2, 1),
    privateKey: secret,
    version: 1,
    createdAt: 1,
    expired: false,
  })
  secret.fill(0)
  s.close()
  const again = await IndexedDbStore.open(name)
  assert.deepEqual(again.getSignedPreKey(b(2, 1))?.privateKey, new Uint8Array(32).fill(0x42))
  again.close()
  await again.flush()
  await IndexedDbStore.deleteDatabase(name)
}

/** Deleting the database under an open store: flush rejects and every later call throws. */
export async function checkDeletedUnderneath(): Promise<void> {
  const name = 'deleted-underneath'
  await IndexedDbStore.deleteDatabase(name)
  const s = await IndexedDbStore.open(name)
  populate(s)
  await s.flush()
  await IndexedDbStore.deleteDatabase(name) // fires versionchange on the store's connection
  await expectRejects(s.flush(), 'STORE_FAILURE')
  assert.throws(
    () => s.putContact({ identity: b(7), addedAt: 1, blocked: false }),
    (e: unknown) => isPfsError(e, 'STORE_FAILURE'),
  )
  assert.throws(
    () => s.getAccount(),
    (e: unknown) => isPfsError(e, 'STORE_FAILURE'),
  )
  s.close()
  await IndexedDbStore.deleteDatabase(name)
}
