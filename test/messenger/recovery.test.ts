import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { Messenger } from '../../src/messenger/index.ts'
import { SqliteStore } from '../../src/store/index.ts'
import { befriend, recorder, world } from './helpers.ts'

const dir = mkdtempSync(join(tmpdir(), 'pfs-messenger-'))
after(() => {
  rmSync(dir, { recursive: true, force: true })
})

test('SqliteStore: recovered device gets decryptionFailed, re-establishes, continues with PFS', async () => {
  const w = world({ seed: 3, storeNode: true })
  const aliceStore = SqliteStore.open(join(dir, 'alice.sqlite'))
  const bobStore = SqliteStore.open(join(dir, 'bob.sqlite'))
  const alice = await Messenger.create(w.opts('alice', aliceStore))
  const bob = await Messenger.create(w.opts('bob', bobStore))
  const b = recorder(bob)
  await befriend(w, alice, bob)
  await alice.send(bob.publicKey, 'before')
  await w.settle()
  assert.equal(b.events.message.at(-1)?.text, 'before')

  // Restart from the file: same account, same sessions.
  await alice.close()
  aliceStore.close()
  const reopenedStore = SqliteStore.open(join(dir, 'alice.sqlite'))
  const reopened = await Messenger.open({
    ...w.opts('alice', reopenedStore),
    publicKey: alice.publicKey,
  })
  assert.equal(reopened.installationId, alice.installationId)
  const r = recorder(reopened)
  await bob.send(alice.publicKey, 'after restart')
  await w.settle()
  assert.equal(r.events.message.at(-1)?.text, 'after restart')
  await reopened.close()
  reopenedStore.close()

  // The device loses its data and is restored from the phrase: sessions are gone.
  const freshStore = SqliteStore.open(join(dir, 'alice-restored.sqlite'))
  const restored = await Messenger.recover({
    ...w.opts('alice', freshStore),
    phrase: alice.phrase!,
    installationId: alice.installationId,
    autoStart: false,
  })
  const a = recorder(restored)
  // Its signed prekeys are numbered from the restore time, above every version it used before.
  const version = Object.values(
    (
      Messenger.parseContactCode(restored.contactCode()).bundle as {
        signedPreKeys: Record<string, { version: number }>
      }
    ).signedPreKeys,
  )[0]!.version
  assert.ok(version > 1_000_000_000, String(version))
  // Bob writes while the restored device is not online yet; it fetches the message from history.
  await bob.send(alice.publicKey, 'lost in the old session')
  await w.settle()
  restored.start()
  const synced = await restored.sync()
  // Everything Bob sent in the old session fails (history reaches back to the account's start).
  assert.ok(synced.failed >= 1)
  await w.settle()
  assert.equal(a.events.message.length, 0)
  assert.equal(a.events.decryptionFailed.length, synced.failed)
  const failure = a.events.decryptionFailed.at(-1)!
  assert.equal(failure.from, bob.publicKey)
  assert.equal(failure.code, 'SESSION_NOT_FOUND')
  assert.equal(restored.stats().decryptionFailures, synced.failed)
  await failure.reestablish()
  await w.settle()
  const sent = await restored.send(bob.publicKey, 'I am back')
  assert.equal(sent.pfs, true)
  await w.settle()
  assert.equal(b.events.message.at(-1)?.text, 'I am back')
  assert.equal(b.events.message.at(-1)?.pfs, true)
  await bob.send(alice.publicKey, 'welcome back')
  await w.settle()
  assert.equal(a.events.message.at(-1)?.text, 'welcome back')
  assert.equal(a.events.message.at(-1)?.pfs, true)
  await Promise.all([restored.close(), bob.close()])
  freshStore.close()
  bobStore.close()
})
