/**
 * `syncSessions` (src/messenger/sync-sessions.ts): the session snapshot a sync gives the
 * envelope-opening worker covers every contact's installations and our own, and stays within
 * its count and byte bounds.
 *
 * @module
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { MemoryStore } from '../../src/store/index.ts'
import { syncSessions } from '../../src/messenger/sync-sessions.ts'
import { ALICE, BOB, installation, pk, session } from '../store/contract.ts'

const SELF = pk(0x5e)
const STRANGER = pk(0x77)

function store(): MemoryStore {
  const s = new MemoryStore()
  s.transaction(() => {
    s.putContact({ identity: ALICE, addedAt: 1, blocked: false })
    s.putContact({ identity: BOB, addedAt: 2, blocked: false })
    s.putInstallation(installation(ALICE, 'alice-1'))
    s.putInstallation(installation(ALICE, 'alice-2'))
    s.putInstallation(installation(BOB, 'bob-1'))
    s.putInstallation(installation(SELF, 'self-2'))
    s.putInstallation(installation(STRANGER, 'x-1'))
    s.putSession(session(pk(1), ALICE, 'alice-1', pk(0x11), { state: new Uint8Array(100) }))
    s.putSession(session(pk(2), ALICE, 'alice-2', pk(0x12), { state: new Uint8Array(100) }))
    s.putSession(session(pk(3), BOB, 'bob-1', pk(0x13), { state: new Uint8Array(100) }))
    s.putSession(session(pk(4), BOB, 'bob-1', pk(0x14), { state: new Uint8Array(100) }))
    s.putSession(session(pk(5), SELF, 'self-2', pk(0x15), { state: new Uint8Array(100) }))
    s.putSession(session(pk(6), STRANGER, 'x-1', pk(0x16), { state: new Uint8Array(100) }))
  })
  return s
}

const names = (list: ReturnType<typeof syncSessions>): string[] =>
  list.map((s) => `${s.installationId}:${String(s.bundleId[1])}`).sort()

test('every session of our contacts and of our own devices, nobody else', () => {
  const s = store()
  const all = syncSessions(s, SELF)
  assert.deepEqual(names(all), ['alice-1:17', 'alice-2:18', 'bob-1:19', 'bob-1:20', 'self-2:21'])
  const bob = all.find((x) => x.installationId === 'bob-1')!
  assert.deepEqual(bob.identity, BOB)
  assert.equal(bob.state.length, 100)
})

test('bounded by count and by state bytes', () => {
  const s = store()
  assert.equal(syncSessions(s, SELF, 2).length, 2)
  assert.equal(syncSessions(s, SELF, 2000, 250).length, 2)
  assert.equal(syncSessions(s, SELF, 2000, 99).length, 0)
})
