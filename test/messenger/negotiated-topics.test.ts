/**
 * Negotiated topics (PROTOCOL.md §11.3-§11.4): once every device of the recipient has written to
 * us, a messenger with `negotiatedTopics: true` sends 1:1 on the topic of the static shared
 * secret, `keccak256(hex(secret))[0:4]`, symmetric; every messenger (default options included)
 * listens there and fetches it from store nodes, so status-go peers that switched are heard.
 * The default sends on the recipient's partitioned topic.
 *
 * @module
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { defaultProvider, fromHex, toHex } from '../../src/crypto/index.ts'
import { Messenger } from '../../src/messenger/index.ts'
import { MemoryStore } from '../../src/store/index.ts'
import type { Store } from '../../src/store/index.ts'
import { negotiatedTopic, partitionedTopic } from '../../src/transport/index.ts'
import { befriend, recorder, world } from './helpers.ts'

const crypto = defaultProvider()

/** Both 1:1 topics of `to` (`0x04…` hex) as `from` (its store's account) writes to it. */
function topicsOf(from: Store, to: string): { negotiated: string; partitioned: string } {
  const key = fromHex(to.slice(2))
  const account = from.getAccount()
  assert.ok(account !== undefined)
  const secret = crypto.secp256k1Ecdh(crypto.secp256k1PrivateKey(account.identityPrivateKey), key)
  return {
    negotiated: toHex(negotiatedTopic(secret, crypto)),
    partitioned: toHex(partitionedTopic(key, crypto)),
  }
}

test('negotiatedTopics: sent on the negotiated topic once agreed; a default peer reads it live and by sync', async () => {
  const w = world({ storeNode: true })
  const [as, bs] = [new MemoryStore(), new MemoryStore()]
  const alice = await Messenger.create({ ...w.opts('alice', as), negotiatedTopics: true })
  const bob = await Messenger.create(w.opts('bob', bs))
  const b = recorder(bob)
  const a = recorder(alice)
  const topics: string[] = []
  w.net.node('spy').subscribe('all', (e) => {
    topics.push(toHex(e.topic))
  })
  await befriend(w, alice, bob)
  const { negotiated, partitioned } = topicsOf(as, bob.publicKey)
  // Bob's acceptance came from his only device: Alice has agreed.
  topics.length = 0
  await alice.send(bob.publicKey, 'on the negotiated topic')
  await w.settle()
  assert.deepEqual(topics, [negotiated])
  assert.equal(b.events.message.at(-1)?.text, 'on the negotiated topic')
  // Bob (default) answers on Alice's partitioned topic.
  topics.length = 0
  await bob.send(alice.publicKey, 'on the partitioned topic')
  await w.settle()
  assert.deepEqual(topics, [topicsOf(bs, alice.publicKey).partitioned])
  assert.equal(a.events.message.at(-1)?.text, 'on the partitioned topic')
  assert.notEqual(negotiated, partitioned)
  // Bob offline: the store node keeps what Alice sends on the negotiated topic; sync fetches it.
  w.net.setOnline('bob', false)
  for (const t of ['one', 'two', 'three']) await alice.send(bob.publicKey, t)
  await w.settle()
  w.net.setOnline('bob', true)
  const synced = await bob.sync()
  await w.settle()
  assert.equal(synced.failed, 0)
  assert.ok(synced.delivered >= 3)
  assert.deepEqual(
    b.events.message
      .slice(-3)
      .map((m) => m.text)
      .sort(),
    ['one', 'three', 'two'],
  )
  assert.equal(b.events.decryptionFailed.length, 0)
  await Promise.all([alice.close(), bob.close()])
})

test('default: every 1:1 message on the partitioned topic, also after agreement', async () => {
  const w = world()
  const [as, bs] = [new MemoryStore(), new MemoryStore()]
  const alice = await Messenger.create(w.opts('alice', as))
  const bob = await Messenger.create(w.opts('bob', bs))
  const b = recorder(bob)
  await befriend(w, alice, bob)
  const topics: string[] = []
  w.net.node('spy').subscribe('all', (e) => {
    topics.push(toHex(e.topic))
  })
  await alice.send(bob.publicKey, 'x')
  await bob.send(alice.publicKey, 'y')
  await alice.send(bob.publicKey, 'z')
  await w.settle()
  assert.deepEqual(topics, [
    topicsOf(as, bob.publicKey).partitioned,
    topicsOf(bs, alice.publicKey).partitioned,
    topicsOf(as, bob.publicKey).partitioned,
  ])
  assert.equal(b.events.message.at(-1)?.text, 'z')
  await Promise.all([alice.close(), bob.close()])
})

test("our other device's message to the peer, seen on the shared negotiated topic, is not a partitioned-device case", async () => {
  const w = world()
  const alice = await Messenger.create({ ...w.opts('alice'), negotiatedTopics: true })
  const bob = await Messenger.create(w.opts('bob'))
  await befriend(w, alice, bob)
  const alice2 = await Messenger.recover({
    ...w.opts('alice2'),
    phrase: alice.phrase!,
    negotiatedTopics: true,
  })
  const a2 = recorder(alice2)
  await w.settle()
  await alice.enableDevice(alice2.installationId)
  await w.settle()
  await alice2.enableDevice(alice.installationId)
  await w.settle()
  // alice2 knows Bob (the app restored its contacts), so it listens on the topic alice shares
  // with him: every device of both people holds its key.
  await alice2.addContact(bob.publicKey)
  await w.settle()
  const topics: string[] = []
  w.net.node('spy').subscribe('all', (e) => {
    topics.push(toHex(e.topic))
  })
  await alice.send(bob.publicKey, 'to Bob, and a copy to my other device')
  await w.settle()
  assert.ok(topics.length >= 2)
  assert.deepEqual(a2.events.partitionedDevice, [])
  assert.ok(
    a2.events.message.some((m) => m.text === 'to Bob, and a copy to my other device' && m.outgoing),
    'the copy for our own devices arrived',
  )
  await Promise.all([alice.close(), alice2.close(), bob.close()])
})
