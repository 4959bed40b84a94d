import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Messenger } from '../../../src/messenger/index.ts'
import {
  PublicChats,
  publicChatKey,
  publicChatName,
  publicChatTopic,
} from '../../../src/messenger/public/index.ts'
import type { PublicChatMessage } from '../../../src/messenger/public/index.ts'
import { defaultProvider, toHex } from '../../../src/crypto/index.ts'
import {
  createEnvelope,
  open,
  seal,
  sealSymmetric,
  symmetricKeyFromPassword,
  topicFromName,
  topicHex,
} from '../../../src/transport/index.ts'
import type { Envelope } from '../../../src/transport/index.ts'
import {
  ProtocolMessageSchema,
  create,
  decodeProtocolMessage,
  encodeProtocolMessage,
} from '../../../src/wire/index.ts'
import { MemoryStore } from '../../../src/store/index.ts'
import { world } from '../helpers.ts'

const crypto = defaultProvider()

test('the public chat topic and key are derived from the name as status-go LoadPublic does', () => {
  assert.equal(topicHex(publicChatTopic('status')), topicHex(topicFromName('status')))
  // keccak256("status")[0:4]
  assert.equal(
    topicHex(publicChatTopic('#Status')),
    toHex(crypto.keccak256(new TextEncoder().encode('status')).slice(0, 4)),
  )
  assert.equal(publicChatName(' #Status-Dev '), 'status-dev')
  assert.throws(() => publicChatName('a b'), { code: 'INVALID_ARGUMENT' })
  assert.throws(() => publicChatName(''), { code: 'INVALID_ARGUMENT' })
  const k = symmetricKeyFromPassword('status')
  assert.equal(k.length, 32)
})

test('three accounts in a public chat see every message, each signed by its author; a later 1:1 has PFS from the first message', async () => {
  const w = world({ seed: 3 })
  const names = ['alice', 'bob', 'carol'] as const
  const stores = names.map(() => new MemoryStore())
  const ms = await Promise.all(names.map((n, i) => Messenger.create(w.opts(n, stores[i]))))
  await w.settle()
  const chats = names.map((n, i) => new PublicChats({ ...w.opts(n, stores[i]) }))
  const seen = chats.map(() => [] as PublicChatMessage[])
  chats.forEach((c, i) => {
    c.on('message', (m) => seen[i]!.push(m))
    assert.equal(c.join('#Status'), 'status')
  })
  for (let i = 0; i < 3; i++) {
    await chats[i]!.send('status', `hello from ${names[i]!}`)
    await w.settle()
  }
  for (let i = 0; i < 3; i++) {
    const all = chats[i]!.messages('status')
    assert.deepEqual(
      all.map((m) => m.text),
      names.map((n) => `hello from ${n}`),
      `${names[i]!} sees all three in order`,
    )
    for (const m of all) {
      const author = names.indexOf(m.text.slice('hello from '.length) as (typeof names)[number])
      assert.equal(m.from, ms[author]!.publicKey, 'signed by the right identity')
      assert.equal(m.outgoing, author === i)
    }
    assert.equal(seen[i]!.length, 2, 'an event for each message of the others')
  }
  // Alice adds Bob by chat key alone: his bundle came with his public message.
  const [alice, bob] = [ms[0]!, ms[1]!]
  assert.ok(chats[0]!.contactCodeOf(bob.publicKey)?.startsWith('pfs1:'))
  assert.equal(chats[0]!.contactCodeOf(bob.compressedKey), chats[0]!.contactCodeOf(bob.publicKey))
  assert.equal(chats[0]!.contactCodeOf('not a key'), undefined)
  const r = await alice.addContact(bob.publicKey, 'saw you in #status')
  assert.equal(r.pfs, true, 'X3DH from the first message')
  await w.settle()
  const req = bob.contactRequests().find((x) => x.publicKey === alice.publicKey)
  assert.ok(req !== undefined)
  assert.equal(req.pfs, true)
  for (const c of chats) c.close()
  for (const m of ms) await m.close()
})

test('a device that joins late reads the chat history from a store node', async () => {
  const w = world({ seed: 6, storeNode: true })
  const sa = new MemoryStore()
  const sc = new MemoryStore()
  const alice = await Messenger.create({ ...w.opts('alice', sa), autoStart: false })
  const carol = await Messenger.create({ ...w.opts('carol', sc), autoStart: false })
  const ca = new PublicChats(w.opts('alice', sa))
  ca.join('history')
  await ca.send('history', 'one')
  await ca.send('history', 'two')
  await w.settle()
  const cc = new PublicChats(w.opts('carol', sc))
  cc.join('history')
  assert.deepEqual(cc.messages('history'), [])
  assert.equal(await cc.sync(), 2)
  assert.deepEqual(
    cc.messages('history').map((m) => [m.text, m.from]),
    [
      ['one', alice.publicKey],
      ['two', alice.publicKey],
    ],
  )
  assert.equal(await cc.sync(), 0, 'nothing twice')
  // Alice's bundle came with the history: Carol's first message to her has PFS.
  assert.equal((await carol.addContact(alice.publicKey, 'hi')).pfs, true)
  ca.close()
  cc.close()
  await alice.close()
  await carol.close()
})

test('without the public chat, a bare chat key gives the DH fallback (control)', async () => {
  const w = world({ seed: 4 })
  const alice = await Messenger.create(w.opts('alice'))
  const bob = await Messenger.create(w.opts('bob'))
  await w.settle()
  const r = await alice.addContact(bob.publicKey, 'hi')
  assert.equal(r.pfs, false)
  await alice.close()
  await bob.close()
})

test('a public message re-signed by someone else is dropped: bundle and application signature must be the envelope signer', async () => {
  const w = world({ seed: 5 })
  const sa = new MemoryStore()
  const sb = new MemoryStore()
  const alice = await Messenger.create(w.opts('alice', sa))
  const bob = await Messenger.create(w.opts('bob', sb))
  const ca = new PublicChats(w.opts('alice', sa))
  const cb = new PublicChats(w.opts('bob', sb))
  const errors: string[] = []
  cb.on('error', (e) => errors.push(e.code))
  ca.join('test')
  cb.join('test')
  const captured: Envelope[] = []
  w.net.node('tap').subscribe([publicChatTopic('test')], (e) => captured.push(e))
  await ca.send('test', 'genuine')
  await w.settle()
  assert.deepEqual(
    cb.messages('test').map((m) => m.text),
    ['genuine'],
  )
  assert.equal(cb.messages('test')[0]!.from, alice.publicKey)
  // Mallory takes Alice's ProtocolMessage (her bundle, her signed application message) and
  // publishes it under her own envelope signature.
  const key = publicChatKey('test')
  const inner = open(captured[0]!.data, { symKey: key }).payload
  const pm = decodeProtocolMessage(inner)
  const mallory = crypto.secp256k1GeneratePrivateKey()
  const publish = async (m: typeof pm): Promise<void> => {
    const data = sealSymmetric(encodeProtocolMessage(m), key, mallory)
    const now = Math.floor(w.net.clock.now() / 1000)
    await w.net
      .node('mallory')
      .publish(seal(createEnvelope({ topic: publicChatTopic('test'), data, now }), 0.002))
    await w.settle()
  }
  await publish(pm)
  // Without the bundle, the application signature is still Alice's, not the signer's.
  await publish(create(ProtocolMessageSchema, { ...pm, bundles: [] }))
  assert.deepEqual(
    cb.messages('test').map((m) => m.text),
    ['genuine'],
    'nothing new',
  )
  assert.deepEqual(errors.sort(), ['BUNDLE_SIGNATURE', 'INVALID_SIGNATURE'].sort())
  ca.close()
  cb.close()
  await alice.close()
  await bob.close()
})
