import assert from 'node:assert/strict'
import { test } from 'node:test'
import { defaultProvider } from '../../../src/crypto/index.ts'
import { Messenger } from '../../../src/messenger/index.ts'
import { NetworkDirectory, addContactVia } from '../../../src/messenger/directory/index.ts'
import { accountKeys } from '../../../src/messenger/public/index.ts'
import { MemoryStore } from '../../../src/store/index.ts'
import {
  contactCodeKey,
  contactCodeTopic,
  createEnvelope,
  seal,
  sealSymmetric,
} from '../../../src/transport/index.ts'
import { ProtocolMessageSchema, create, encodeProtocolMessage } from '../../../src/wire/index.ts'
import type { Bundle } from '../../../src/wire/index.ts'
import { world } from '../helpers.ts'

const crypto = defaultProvider()

test('adding a contact by chat key alone has PFS when a store node kept their advertisement', async () => {
  const w = world({ seed: 11, storeNode: true })
  // Bob comes online, advertises his bundle (the messenger does it at start), and goes away.
  const bob = await Messenger.create(w.opts('bob'))
  await w.settle()
  w.net.setOnline('bob', false)
  const alice = await Messenger.create(w.opts('alice'))
  await w.settle()
  const dir = new NetworkDirectory({ network: w.net.node('alice'), clock: () => w.net.clock.now() })
  const resolved = await dir.resolve(bob.publicKey)
  assert.ok(resolved !== undefined)
  assert.equal(resolved.source, 'store-node')
  assert.equal(resolved.publicKey, bob.publicKey)
  const r = await addContactVia(alice, [dir], bob.compressedKey, 'found you')
  assert.equal(r.pfs, true, 'X3DH from the first message')
  // Bob reads it later from the store node.
  w.net.setOnline('bob', true)
  await bob.sync()
  await w.settle()
  const req = bob.contactRequests().find((x) => x.publicKey === alice.publicKey)
  assert.ok(req !== undefined && req.pfs, 'Bob decrypted the X3DH request')
  dir.close()
  await alice.close()
  await bob.close()
})

test('a published advertisement outlives the 6-hour schedule gap on the store node', async () => {
  const w = world({ seed: 15, storeNode: true })
  const sb = new MemoryStore()
  const bob = await Messenger.create({ ...w.opts('bob', sb), autoStart: false })
  const keys = accountKeys({ store: sb })
  const bobDir = new NetworkDirectory({
    network: w.net.node('bob'),
    identity: keys.identity,
    clock: () => w.net.clock.now(),
  })
  await bobDir.publish(Messenger.parseContactCode(bob.contactCode()).bundle as Bundle)
  await w.settle()
  await w.net.advance(5 * 3600 * 1000)
  const dir = new NetworkDirectory({ network: w.net.node('alice'), clock: () => w.net.clock.now() })
  assert.equal((await dir.resolve(bob.publicKey))?.source, 'store-node', 'still there after 5 h')
  await w.net.advance(2 * 3600 * 1000)
  assert.equal(await dir.resolve(bob.publicKey), undefined, 'expired once the next one is due')
  dir.close()
  bobDir.close()
  await bob.close()
})

test('a live advertisement heard on the contact-code topic resolves without any store node', async () => {
  const w = world({ seed: 12 })
  const sb = new MemoryStore()
  const bob = await Messenger.create(w.opts('bob', sb))
  const alice = await Messenger.create(w.opts('alice'))
  await w.settle()
  const dir = new NetworkDirectory({ network: w.net.node('alice'), clock: () => w.net.clock.now() })
  await assert.rejects(
    dir.resolve(bob.publicKey),
    { code: 'NETWORK_FAILURE' },
    'nothing heard, no store',
  )
  dir.watch(bob.publicKey)
  // Bob's own directory publishes (the messenger's advertise() does the same on its schedule).
  const keys = accountKeys({ store: sb })
  const bobDir = new NetworkDirectory({
    network: w.net.node('bob'),
    identity: keys.identity,
    installationId: keys.installationId,
    clock: () => w.net.clock.now(),
  })
  await bobDir.publish(Messenger.parseContactCode(bob.contactCode()).bundle as Bundle)
  await w.settle()
  const resolved = await dir.resolve(bob.publicKey)
  assert.equal(resolved?.source, 'network')
  const r = await alice.addContact(resolved.contactCode, 'hi')
  assert.equal(r.pfs, true)
  dir.close()
  bobDir.close()
  await alice.close()
  await bob.close()
})

test('advertisements on someone’s contact-code topic that they did not sign are ignored', async () => {
  const w = world({ seed: 13, storeNode: true })
  // Bob does not advertise yet (autoStart: false).
  const bob = await Messenger.create({ ...w.opts('bob'), autoStart: false })
  const ms = new MemoryStore()
  const mallory = await Messenger.create(w.opts('mallory', ms))
  await w.settle()
  const malloryKeys = accountKeys({ store: ms })
  const bobFull = crypto.decompressPublicKey(
    Uint8Array.from(Buffer.from(bob.publicKey.slice(2), 'hex')),
  )
  const bundleOf = (code: string): Bundle => Messenger.parseContactCode(code).bundle as Bundle
  const publish = async (bundles: Bundle[]): Promise<void> => {
    const message = create(ProtocolMessageSchema, { installationId: 'x', bundles })
    const data = sealSymmetric(
      encodeProtocolMessage(message),
      contactCodeKey(bobFull),
      malloryKeys.identity,
    )
    const now = Math.floor(w.net.clock.now() / 1000)
    const env = createEnvelope({ topic: contactCodeTopic(bobFull), data, now, ttl: 3600 })
    await w.net.node('mallory').publish(seal(env, 0.002))
    await w.settle()
  }
  // Mallory's bundle, and Bob's genuine bundle replayed: both under Mallory's envelope signature.
  await publish([bundleOf(mallory.contactCode())])
  await publish([bundleOf(bob.contactCode())])
  const dir = new NetworkDirectory({ network: w.net.node('alice'), clock: () => w.net.clock.now() })
  assert.equal(await dir.resolve(bob.publicKey), undefined)
  // Control: once Bob advertises, the same lookup finds him.
  await bob.advertise()
  await w.settle()
  assert.equal((await dir.resolve(bob.publicKey))?.publicKey, bob.publicKey)
  dir.close()
  await mallory.close()
  await bob.close()
})
