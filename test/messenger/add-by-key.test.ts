/**
 * `Messenger.addContact(chatKey)` looks up the peer's contact-code advertisement first (issue 12:
 * "Adding a contact by chat key alone gives PFS on the first message when their advertisement is
 * on the network or a store node"), falls back to the DH header otherwise, and never waits long.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isPfsError } from '../../src/errors.ts'
import { Messenger } from '../../src/messenger/index.ts'
import type { Network } from '../../src/transport/index.ts'
import { world } from './helpers.ts'

function code(e: unknown): string | undefined {
  return isPfsError(e) ? e.code : undefined
}

test('by chat key alone: PFS on the first message when a store node kept their advertisement', async () => {
  const w = world({ seed: 21, storeNode: true })
  // Bob starts (and so advertises his bundle on his contact-code topic), then goes offline.
  const bob = await Messenger.create(w.opts('bob'))
  await w.settle()
  w.net.setOnline('bob', false)
  const alice = await Messenger.create(w.opts('alice'))
  await w.settle()
  const r = await alice.addContact(bob.compressedKey, 'found you by key')
  assert.equal(r.pfs, true, 'X3DH from the first message')
  assert.equal(alice.contacts()[0]?.pfs, true)
  w.net.setOnline('bob', true)
  await bob.sync()
  await w.settle()
  const req = bob.contactRequests().find((x) => x.publicKey === alice.publicKey)
  assert.ok(req !== undefined, 'Bob got the request from the store node')
  assert.equal(req.pfs, true, 'and decrypted it as X3DH')
  assert.equal(req.text, 'found you by key')
  await alice.close()
  await bob.close()
})

test('by chat key: the lookup can be skipped, and without an advertisement it is the DH fallback', async () => {
  const w = world({ seed: 22, storeNode: true })
  const bob = await Messenger.create(w.opts('bob'))
  // Carol never advertises (autoStart: false): nothing on her contact-code topic.
  const carol = await Messenger.create({ ...w.opts('carol'), autoStart: false })
  const alice = await Messenger.create(w.opts('alice'))
  await w.settle()
  assert.equal((await alice.addContact(bob.publicKey, 'hi', { lookup: false })).pfs, false)
  assert.equal((await alice.addContact(carol.publicKey, 'hi')).pfs, false, 'nothing to find')
  await alice.close()
  await bob.close()
  await carol.close()
})

test('by chat key: without any store node the request goes out at once with the DH fallback', async () => {
  const w = world({ seed: 23 })
  const bob = await Messenger.create(w.opts('bob'))
  const alice = await Messenger.create(w.opts('alice'))
  await w.settle()
  const t0 = Date.now()
  const r = await alice.addContact(bob.publicKey, 'hi')
  assert.equal(r.pfs, false)
  assert.ok(Date.now() - t0 < 2000, 'no wait for an absent store node')
  await alice.close()
  await bob.close()
})

test('by chat key: a store node that never answers delays the request by the bounded wait only', async () => {
  const w = world({ seed: 24 })
  const bob = await Messenger.create(w.opts('bob'))
  const opts = w.opts('alice')
  const inner = opts.network
  let asked = 0
  const silent: Network = {
    publish: (e) => inner.publish(e),
    subscribe: (topics, handler) => inner.subscribe(topics, handler),
    history: () => {
      asked++
      return new Promise(() => undefined)
    },
  }
  const alice = await Messenger.create({ ...opts, network: silent })
  await w.settle()
  const t0 = Date.now()
  const r = await alice.addContact(bob.publicKey, 'hi', { lookupTimeoutMs: 200 })
  const waited = Date.now() - t0
  assert.equal(asked, 1, 'the store node was asked')
  assert.equal(r.pfs, false)
  assert.ok(waited >= 150 && waited < 2000, `waited ${String(waited)} ms`)
  await w.settle()
  assert.equal(bob.contactRequests()[0]?.publicKey, alice.publicKey, 'the request still went out')
  await alice.close()
  await bob.close()
})

test('importBundle learns a bundle without sending; the next request by key is PFS', async () => {
  const w = world({ seed: 25 })
  const bob = await Messenger.create(w.opts('bob'))
  const alice = await Messenger.create(w.opts('alice'))
  await w.settle()
  const sent = w.net.stats().published
  assert.equal(alice.importBundle(bob.contactCode()), bob.publicKey)
  const bundle = Messenger.parseContactCode(bob.contactCode()).bundle
  assert.ok(bundle !== undefined)
  assert.equal(alice.importBundle(bundle as never), bob.publicKey, 'a Bundle object too')
  await w.settle()
  assert.equal(w.net.stats().published, sent, 'nothing was sent')
  assert.deepEqual(alice.contacts(), [], 'and no contact was added')
  assert.equal((await alice.addContact(bob.publicKey, 'hi', { lookup: false })).pfs, true)
  assert.throws(
    () => alice.importBundle(bob.publicKey),
    (e) => code(e) === 'INVALID_CONTACT_CODE',
  )
  assert.throws(
    () => alice.importBundle(alice.contactCode()),
    (e) => code(e) === 'INVALID_ARGUMENT',
  )
  await alice.close()
  await bob.close()
})

test('store and network getters give the messenger’s own', async () => {
  const w = world({ seed: 26 })
  const opts = w.opts('alice')
  const alice = await Messenger.create(opts)
  assert.equal(alice.store, opts.store)
  assert.equal(alice.network, opts.network)
  await alice.close()
})
