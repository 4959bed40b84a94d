import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fromHex, toHex } from '../../src/crypto/index.ts'
import { Messenger } from '../../src/messenger/index.ts'
import { contactCodeTopic } from '../../src/transport/index.ts'
import { pair, recorder, world } from './helpers.ts'

test('pairing: the new device is pending until enabled; then both devices receive and sync', async () => {
  const w = world()
  const { alice, bob } = await pair(w)
  const b1 = recorder(bob)
  const a = recorder(alice)
  const bob2 = await Messenger.recover({
    ...w.opts('bob2'),
    phrase: bob.phrase!,
    deviceName: 'phone',
  })
  const b2 = recorder(bob2)
  await w.settle()
  const added = b1.events.deviceAdded.find((d) => d.own)
  assert.ok(added !== undefined, 'bob1 sees the new own device')
  assert.equal(added.installationId, bob2.installationId)
  assert.equal(added.enabled, false)
  assert.deepEqual(
    bob.devices().map((d) => [d.installationId, d.current, d.enabled]),
    [
      [bob.installationId, true, true],
      [bob2.installationId, false, false],
    ],
  )
  await bob.enableDevice(bob2.installationId)
  await w.settle()
  assert.ok(b2.events.deviceAdded.some((d) => d.own && d.installationId === bob.installationId))
  await bob2.enableDevice(bob.installationId)
  await w.settle()
  assert.ok(
    alice.peerDevices(bob.publicKey).some((d) => d.installationId === bob2.installationId),
    'alice learned bob2 from the advertised bundle',
  )
  const sent = await alice.send(bob.publicKey, 'to both of you')
  assert.equal(sent.devices, 2)
  assert.equal(sent.pfs, true)
  await w.settle()
  assert.equal(b1.events.message.at(-1)?.text, 'to both of you')
  assert.equal(b2.events.message.length, 0, 'bob2 is not a contact of alice yet: held')
  // bob2 has no contact state (it is a new installation): the message is held as a request there.
  assert.equal(b2.events.contactRequest.length, 1)
  // Sent messages reach our other device (sync of sent messages).
  await bob.send(alice.publicKey, 'from bob1')
  await w.settle()
  const synced = b2.events.message.find((m) => m.text === 'from bob1')
  assert.ok(synced !== undefined && synced.outgoing, 'bob2 got bob1 sent message')
  assert.equal(a.events.message.at(-1)?.text, 'from bob1')
  await bob2.send(alice.publicKey, 'from bob2')
  await w.settle()
  assert.equal(a.events.message.at(-1)?.text, 'from bob2')
  assert.ok(b1.events.message.some((m) => m.text === 'from bob2' && m.outgoing))
  await bob.disableDevice(bob2.installationId)
  assert.equal(bob.devices().find((d) => d.installationId === bob2.installationId)?.enabled, false)
  await bob.removeDevice(bob2.installationId)
  assert.equal(bob.devices().length, 1)
  await bob.setDeviceName('laptop')
  assert.equal(bob.devices()[0]?.name, 'laptop')
  await Promise.all([alice.close(), bob.close(), bob2.close()])
})

test('a device missing from the sender bundle answers as partitioned, then receives', async () => {
  const w = world()
  const { alice, bob } = await pair(w)
  // Alice is offline while bob2 appears, so she misses its advertisement.
  w.net.setOnline('alice', false)
  const bob2 = await Messenger.recover({ ...w.opts('bob2'), phrase: bob.phrase! })
  const b2 = recorder(bob2)
  await w.settle()
  w.net.setOnline('alice', true)
  assert.ok(!alice.peerDevices(bob.publicKey).some((d) => d.installationId === bob2.installationId))
  const first = await alice.send(bob.publicKey, 'first')
  assert.equal(first.devices, 1)
  await w.settle()
  assert.deepEqual(b2.events.partitionedDevice, [{ from: alice.publicKey, answered: true }])
  assert.ok(
    alice.peerDevices(bob.publicKey).some((d) => d.installationId === bob2.installationId),
    'the answer carried bob2 bundle',
  )
  const second = await alice.send(bob.publicKey, 'second')
  assert.equal(second.devices, 2)
  assert.equal(second.pfs, true)
  await w.settle()
  assert.equal(b2.events.contactRequest.length, 1, 'bob2 receives (held: not a contact there)')
  await Promise.all([alice.close(), bob.close(), bob2.close()])
})

test('the bundle is advertised on the contact-code topic: at start, periodically, on change', async () => {
  const w = world()
  let seen = 0
  let topic = ''
  w.net.node('spy').subscribe('all', (e) => {
    if (toHex(e.topic) === topic) seen++
  })
  const alice = await Messenger.create({ ...w.opts('alice'), advertiseIntervalMs: 60_000 })
  topic = toHex(contactCodeTopic(fromHex(alice.publicKey)))
  const bob = await Messenger.create(w.opts('bob'))
  await w.settle()
  assert.equal(seen, 1, 'advertised at start')
  await alice.addContact(bob.contactCode(), 'hi')
  await w.settle()
  assert.equal(seen, 1, 'nothing changed, interval not over')
  await w.net.advance(61_000)
  await alice.send(bob.publicKey, 'later')
  await w.settle()
  assert.equal(seen, 2, 'interval over')
  const alice2 = await Messenger.recover({ ...w.opts('alice2'), phrase: alice.phrase! })
  await w.settle()
  const before = seen
  await alice.enableDevice(alice2.installationId)
  await w.settle()
  assert.ok(seen > before, 'bundle changed: advertised again')
  await Promise.all([alice.close(), bob.close(), alice2.close()])
})
