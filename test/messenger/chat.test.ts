import assert from 'node:assert/strict'
import { test } from 'node:test'
import { defaultProvider, fromHex } from '../../src/crypto/index.ts'
import { isPfsError } from '../../src/errors.ts'
import { Messenger } from '../../src/messenger/index.ts'
import { MemoryStore } from '../../src/store/index.ts'
import {
  createEnvelope,
  partitionedTopic,
  seal,
  sealAsymmetric,
} from '../../src/transport/index.ts'
import {
  DRHeaderSchema,
  EncryptedMessageProtocolSchema,
  ProtocolMessageSchema,
  create,
  encodeProtocolMessage,
} from '../../src/wire/index.ts'

const crypto = defaultProvider()
import { recorder, world } from './helpers.ts'

function code(e: unknown): string | undefined {
  return isPfsError(e) ? e.code : undefined
}

test('chat key only: the request is pfs:false on both sides; the answer upgrades to PFS', async () => {
  const w = world()
  const alice = await Messenger.create(w.opts('alice'))
  const bob = await Messenger.create(w.opts('bob'))
  const a = recorder(alice)
  const b = recorder(bob)
  await w.settle()
  const req = await alice.addContact(bob.compressedKey, 'hi Bob, Alice here')
  assert.equal(req.pfs, false, 'no bundle known: DH fallback')
  assert.deepEqual(
    alice.contacts().map((c) => [c.publicKey, c.state, c.pfs]),
    [[bob.publicKey, 'requested', false]],
  )
  await w.settle()
  assert.equal(b.events.contactRequest.length, 1)
  const incoming = b.events.contactRequest[0]!
  assert.equal(incoming.publicKey, alice.publicKey)
  assert.equal(incoming.text, 'hi Bob, Alice here')
  assert.equal(incoming.pfs, false, 'the security level is shown to the recipient')
  assert.equal(incoming.name, alice.name)
  assert.equal(alice.contactRequests()[0]?.pfs, false, 'and to the sender')
  assert.deepEqual(bob.messages(alice.publicKey), [], 'a request is not chat')
  await incoming.accept()
  await w.settle()
  assert.deepEqual(a.events.contactAccepted, [{ publicKey: bob.publicKey, pfs: true }])
  assert.equal(alice.contacts()[0]?.state, 'mutual')
  assert.equal(alice.contacts()[0]?.pfs, true)
  assert.equal(bob.contacts()[0]?.state, 'mutual')
  const sent = await alice.send(bob.publicKey, 'now with PFS')
  assert.equal(sent.pfs, true)
  assert.equal(sent.devices, 1)
  await w.settle()
  const got = b.events.message.at(-1)!
  assert.equal(got.text, 'now with PFS')
  assert.equal(got.pfs, true)
  assert.equal(got.id, sent.id, 'both sides compute the same message id')
  assert.equal(got.installationId, alice.installationId)
  await bob.send(alice.publicKey, 'hello Alice')
  await w.settle()
  assert.equal(a.events.message.at(-1)?.text, 'hello Alice')
  const history = alice.messages(bob.publicKey)
  assert.deepEqual(
    history.map((m) => [m.text, m.outgoing]),
    [
      ['hi Bob, Alice here', true],
      ['now with PFS', true],
      ['hello Alice', false],
    ],
  )
  assert.ok(history[0]!.clock < history[1]!.clock && history[1]!.clock < history[2]!.clock)
  assert.ok(a.events.delivery.some((d) => d.id === sent.id && d.state === 'sent'))
  assert.deepEqual(a.events.error, [])
  assert.deepEqual(b.events.error, [])
  await Promise.all([alice.close(), bob.close()])
})

test('contact code: PFS from the first message', async () => {
  const w = world()
  const alice = await Messenger.create(w.opts('alice'))
  const bob = await Messenger.create(w.opts('bob'))
  const b = recorder(bob)
  const req = await alice.addContact(bob.contactCode(), 'hi')
  assert.equal(req.pfs, true)
  await w.settle()
  assert.equal(b.events.contactRequest[0]?.pfs, true)
  await Promise.all([alice.close(), bob.close()])
})

test('decline: the requester cannot send, only request again', async () => {
  const w = world()
  const alice = await Messenger.create(w.opts('alice'))
  const bob = await Messenger.create(w.opts('bob'))
  const b = recorder(bob)
  await alice.addContact(bob.contactCode(), 'hi')
  await w.settle()
  await b.events.contactRequest[0]!.decline()
  await w.settle()
  assert.equal(alice.contacts()[0]?.state, 'declined')
  assert.equal(bob.contacts()[0]?.state, 'declined')
  await assert.rejects(alice.send(bob.publicKey, 'please'), (e) => code(e) === 'CONTACT_DECLINED')
  await assert.rejects(bob.acceptContact(alice.publicKey), (e) => code(e) === 'UNKNOWN_CONTACT')
  await alice.addContact(bob.publicKey, 'second try')
  await w.settle()
  assert.equal(b.events.contactRequest.length, 2)
  assert.equal(b.events.contactRequest[1]?.text, 'second try')
  await b.events.contactRequest[1].accept()
  await w.settle()
  assert.equal(alice.contacts()[0]?.state, 'mutual')
  await alice.send(bob.publicKey, 'thanks')
  await w.settle()
  assert.equal(b.events.message.at(-1)?.text, 'thanks')
  await Promise.all([alice.close(), bob.close()])
})

test('messages from a non-contact are held as a request', async () => {
  const w = world()
  const alice = await Messenger.create(w.opts('alice'))
  const bob = await Messenger.create(w.opts('bob'))
  const carol = await Messenger.create(w.opts('carol'))
  const b = recorder(bob)
  await carol.addContact(bob.contactCode(), 'hi, Carol')
  await carol.send(bob.publicKey, 'are you there?')
  await w.settle()
  assert.equal(b.events.message.length, 0)
  assert.equal(b.events.contactRequest.length, 1)
  assert.deepEqual(bob.messages(carol.publicKey), [])
  await bob.acceptContact(carol.publicKey)
  assert.deepEqual(
    bob.messages(carol.publicKey).map((m) => m.text),
    ['hi, Carol', 'are you there?'],
  )
  await Promise.all([alice.close(), bob.close(), carol.close()])
})

test('bad inputs give typed errors and leave the store unchanged', async () => {
  const w = world()
  const store = new MemoryStore()
  const alice = await Messenger.create(w.opts('alice', store))
  const bob = await Messenger.create(w.opts('bob'))
  await w.settle()
  const snapshot = (): string =>
    JSON.stringify({
      contacts: store.listContacts().length,
      requests: store.listContactRequests().length,
      messages: store.countMessages(),
      installations: store.listInstallations(store.getAccount()!.identityPublicKey).length,
    })
  const before = snapshot()
  await assert.rejects(alice.send(bob.publicKey, 'hi'), (e) => code(e) === 'UNKNOWN_CONTACT')
  await assert.rejects(alice.send('0x04nope', 'hi'), (e) => code(e) === 'UNKNOWN_CONTACT')
  await assert.rejects(alice.addContact('pfs1:AAAA'), (e) => code(e) === 'INVALID_CONTACT_CODE')
  await assert.rejects(alice.addContact('garbage'), (e) => code(e) === 'INVALID_CONTACT_CODE')
  await assert.rejects(alice.addContact(alice.publicKey), (e) => code(e) === 'INVALID_ARGUMENT')
  await assert.rejects(alice.acceptContact(bob.publicKey), (e) => code(e) === 'UNKNOWN_CONTACT')
  await assert.rejects(alice.declineContact(bob.publicKey), (e) => code(e) === 'UNKNOWN_CONTACT')
  await assert.rejects(alice.enableDevice('no-such-device'), (e) => code(e) === 'INVALID_ARGUMENT')
  await assert.rejects(
    alice.addContact(bob.publicKey, 'x'.repeat(70_000)),
    (e) => code(e) === 'INVALID_ARGUMENT',
  )
  assert.equal(snapshot(), before)
  await Promise.all([alice.close(), bob.close()])
  await assert.rejects(alice.send(bob.publicKey, 'late'), (e) => code(e) === 'INVALID_STATE')
})

test('a message duplicated by the network is shown once', async () => {
  const w = world({ faults: { duplicate: 1 } })
  const alice = await Messenger.create(w.opts('alice'))
  const bob = await Messenger.create(w.opts('bob'))
  const b = recorder(bob)
  await alice.addContact(bob.contactCode(), 'hi')
  await w.settle()
  await bob.acceptContact(alice.publicKey)
  await w.settle()
  for (let i = 0; i < 5; i++) await alice.send(bob.publicKey, `m${String(i)}`)
  await w.settle()
  assert.deepEqual(
    b.events.message.map((m) => m.text),
    ['m0', 'm1', 'm2', 'm3', 'm4'],
  )
  assert.ok(bob.stats().duplicatesDropped >= 5)
  await Promise.all([alice.close(), bob.close()])
})

test('adding someone whose request is pending makes the contact mutual on both sides', async () => {
  const w = world()
  const alice = await Messenger.create(w.opts('alice'))
  const bob = await Messenger.create(w.opts('bob'))
  const a = recorder(alice)
  await alice.addContact(bob.publicKey, 'hi')
  await w.settle()
  await bob.addContact(alice.contactCode(), 'hi back')
  assert.equal(bob.contacts()[0]?.state, 'mutual')
  await w.settle()
  assert.equal(alice.contacts()[0]?.state, 'mutual')
  assert.equal(a.events.contactAccepted.length, 1)
  assert.deepEqual(alice.contactRequests(), [])
  await Promise.all([alice.close(), bob.close()])
})

test('events come after the commit; garbage from the network changes nothing', async () => {
  const w = world()
  const bobStore = new MemoryStore()
  const alice = await Messenger.create(w.opts('alice'))
  const bob = await Messenger.create(w.opts('bob', bobStore))
  const b = recorder(bob)
  await alice.addContact(bob.contactCode(), 'hi')
  await w.settle()
  await bob.acceptContact(alice.publicKey)
  await w.settle()
  const storedAtEvent: boolean[] = []
  bob.on('message', (m) => {
    storedAtEvent.push(bob.messages(alice.publicKey).some((x) => x.id === m.id))
  })
  await alice.send(bob.publicKey, 'committed?')
  await w.settle()
  assert.deepEqual(storedAtEvent, [true])

  const snapshot = (): string =>
    JSON.stringify([
      bobStore.countMessages(),
      bobStore.listContactRequests().length,
      bobStore.listContacts().length,
      bobStore.listInstallations(fromHex(alice.publicKey)).length,
    ])
  const before = snapshot()
  const mallory = crypto.generateKeyPair()
  const bobKey = fromHex(bob.publicKey)
  const junk = [
    crypto.randomBytes(40),
    encodeProtocolMessage(
      create(ProtocolMessageSchema, {
        installationId: 'x',
        encryptedMessage: {
          [bob.installationId]: create(EncryptedMessageProtocolSchema, {
            DRHeader: create(DRHeaderSchema, {
              key: mallory.publicKey,
              id: mallory.publicKey,
              n: 0,
              pn: 0,
            }),
            payload: crypto.randomBytes(32),
          }),
        },
      }),
    ),
  ]
  for (const data of junk) {
    const sealed = sealAsymmetric(data, bobKey, mallory.privateKey)
    const env = seal(
      createEnvelope({
        topic: partitionedTopic(bobKey),
        data: sealed,
        now: Math.floor(w.net.clock.now() / 1000),
      }),
      0.002,
    )
    await w.net.node('mallory').publish(env)
  }
  await w.settle()
  assert.equal(snapshot(), before)
  assert.equal(b.events.decryptionFailed.length, 1, 'the DR junk is a failed decryption')
  assert.equal(b.events.message.length, 1)
  await Promise.all([alice.close(), bob.close()])
})
