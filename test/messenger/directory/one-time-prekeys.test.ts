/**
 * One-time prekeys from the static directory used end to end (issue 12, our extension:
 * protocol/one-time-prekeys.ts): `resolve()` hands out a signed OPK, `addContactVia` gives it to
 * the protocol, the contact request's X3DH runs with it, and the owner decrypts with its private
 * half, which leaves the pool.
 *
 * @module
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { defaultProvider, fromHex } from '../../../src/crypto/index.ts'
import { Messenger } from '../../../src/messenger/index.ts'
import {
  DirectoryServer,
  StaticDirectory,
  addContactVia,
  createOneTimePreKeys,
} from '../../../src/messenger/directory/index.ts'
import { accountKeys } from '../../../src/messenger/public/index.ts'
import { MemoryStore } from '../../../src/store/index.ts'
import type { Bundle } from '../../../src/wire/index.ts'
import { world } from '../helpers.ts'

const crypto = defaultProvider()
const compressed = (chatKey: string): Uint8Array =>
  crypto.compressPublicKey(fromHex(chatKey.slice(2)))

test('directory resolve → addContactVia → the owner decrypts with the one-time prekey, which leaves its pool', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pfs-dir-otpk-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const server = new DirectoryServer({ file: join(dir, 'directory.json') })
  const url = await server.listen()
  t.after(() => server.close())

  const w = world({ seed: 21 })
  const aliceStore = new MemoryStore()
  const alice = await Messenger.create(w.opts('alice', aliceStore))
  const keys = accountKeys({ store: aliceStore })
  const bundle = Messenger.parseContactCode(alice.contactCode()).bundle as Bundle
  const otpks = createOneTimePreKeys({ store: aliceStore }, 3)
  await new StaticDirectory({ url, identity: keys.identity }).publish(bundle, {
    name: 'alice',
    oneTimePreKeys: otpks,
  })
  assert.equal(aliceStore.countOneTimePreKeys(), 3)

  const bobStore = new MemoryStore()
  const bob = await Messenger.create(w.opts('bob', bobStore))
  await w.settle()
  const r = await addContactVia(bob, [new StaticDirectory({ url })], 'alice', 'hi alice')
  assert.equal(r.pfs, true)
  const used = r.resolved?.oneTimePreKey
  assert.ok(used !== undefined, 'the directory handed out a one-time prekey')
  assert.equal(server.poolSize('alice'), 2)
  // Bob's pending X3DH header carries the OPK (EK_A ‖ OPK until Alice answers).
  const aliceId = compressed(alice.publicKey)
  const [pending] = bobStore.listSessionsFor(aliceId, keys.installationId)
  assert.ok(pending?.ephemeralKey !== undefined)
  assert.deepEqual(pending.ephemeralKey.subarray(33), fromHex(used.key))

  await w.settle()
  const req = alice.contactRequests().find((x) => x.publicKey === bob.publicKey)
  assert.ok(req !== undefined, 'Alice decrypted the request')
  assert.equal(req.pfs, true)
  assert.equal(aliceStore.countOneTimePreKeys(), 2, "Alice's pool shrank by one")
  assert.equal(aliceStore.takeOneTimePreKey(fromHex(used.key)), undefined, 'the used key is gone')
  const bobId = compressed(bob.publicKey)
  const [theirs] = aliceStore.listSessionsFor(bobId, bob.installationId)
  assert.ok(theirs !== undefined)
  assert.deepEqual(theirs.sk, pending.sk, 'both sides agree on the 4-DH secret')

  // The conversation goes on: Alice answers, and Bob's session is confirmed (OPK forgotten).
  await alice.send(bob.publicKey, 'hi bob')
  await w.settle()
  const [confirmed] = bobStore.listSessionsFor(aliceId, keys.installationId)
  assert.equal(confirmed?.ephemeralKey, undefined)
  await alice.close()
  await bob.close()
})
