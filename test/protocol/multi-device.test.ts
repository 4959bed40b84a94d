/**
 * Multi-device scenarios (whitepaper §4.1-§4.5; issue 5 "Done when"), each on MemoryStore and on
 * SqliteStore over a temporary file, with a fake clock:
 * - §4.1 a new own device stays pending (not targeted, not in our bundle) until `enableDevice`;
 *   `removeDevice` stops delivery to it at once;
 * - §4.2 with 4 devices and a cap of 3, messages go to the 3 most recently active;
 * - §4.3 a device absent from its identity's bundles for 7 days is stale (not targeted) and comes
 *   back with a fresh bundle; a merely silent peer does not go stale;
 * - §4.5 a device a message has no entry for gets `partitioned` with `answer: true` once per
 *   sender per 2 h window, also across a restart, and its bundle answer makes it a target.
 *
 * @module
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { utf8 } from '../../src/crypto/index.ts'
import type { EncryptResult, HandleResult } from '../../src/protocol/index.ts'
import { SCENARIO_STORES, T0, device, reopen, restart } from './helpers.ts'
import type { Device } from './helpers.ts'

const SECOND_NS = 1_000_000_000n
const HOUR_NS = 3_600n * SECOND_NS
const DAY_NS = 24n * HOUR_NS

function text(r: HandleResult): string {
  assert.equal(r.kind, 'message')
  return r.kind === 'message' ? new TextDecoder().decode(r.payload) : ''
}

function send(from: Device, to: Device, t: string): EncryptResult {
  return from.protocol.encrypt(to.publicKey, utf8(t))
}

function handle(to: Device, from: Device, sent: EncryptResult): HandleResult {
  return to.protocol.handle(from.publicKey, sent.message)
}

for (const [storeName, makeStore] of SCENARIO_STORES) {
  describe(`§4.1 Pairing [${storeName}]`, () => {
    test('a new own device is pending until confirmed, then gets messages', () => {
      const clock = { now: T0 }
      const laptop = device(makeStore, 'alice', 'laptop', clock)
      const phone = device(makeStore, 'alice', 'phone', clock)
      phone.protocol.setDeviceInfo({ name: 'Phone', deviceType: 'mobile' })
      // The new device announces itself to its own identity: it knows no sibling yet, so the
      // message carries only its bundle (no DH fallback readable by every holder of the key).
      const hello = send(phone, laptop, 'hello me')
      assert.deepEqual(hello.targets, [])
      assert.deepEqual(Object.keys(hello.message.encryptedMessage), [])
      assert.deepEqual(handle(laptop, phone, hello), { kind: 'bundle-only' })
      const pending = laptop.protocol.devices().find((d) => d.installationId === 'phone')
      assert.equal(pending?.enabled, false)
      assert.equal(pending?.current, false)
      assert.equal(laptop.protocol.devices()[0]?.installationId, 'laptop')
      assert.equal(laptop.protocol.devices()[0]?.current, true)
      // Pending: not targeted, not in our bundle.
      assert.deepEqual(send(laptop, laptop, 'sync 1').targets, [])
      assert.deepEqual(Object.keys(laptop.protocol.ourBundle().signedPreKeys), ['laptop'])
      assert.equal(laptop.protocol.enableDevice('nope'), false)
      assert.equal(laptop.protocol.enableDevice('phone'), true)
      assert.equal(
        laptop.protocol.devices().find((d) => d.installationId === 'phone')?.enabled,
        true,
      )
      assert.deepEqual(Object.keys(laptop.protocol.ourBundle().signedPreKeys).sort(), [
        'laptop',
        'phone',
      ])
      const sync = send(laptop, laptop, 'sync 2')
      assert.deepEqual(sync.targets, ['phone'])
      const got = handle(phone, laptop, sync)
      assert.equal(text(got), 'sync 2')
      assert.equal(got.kind === 'message' && got.pfs, true)
      // The phone pairs back the same way; the laptop's bundle in that message made it pending.
      assert.equal(
        phone.protocol.devices().find((d) => d.installationId === 'laptop')?.enabled,
        false,
      )
      assert.equal(phone.protocol.enableDevice('laptop'), true)
      assert.equal(text(handle(laptop, phone, send(phone, phone, 'back'))), 'back')
      assert.deepEqual(phone.protocol.devices()[0], {
        installationId: 'phone',
        enabled: true,
        stale: false,
        lastSeen: T0,
        version: 1,
        name: 'Phone',
        deviceType: 'mobile',
        current: true,
      })
      // Disabling stops delivery and takes it out of the bundle again.
      assert.equal(laptop.protocol.disableDevice('phone'), true)
      assert.deepEqual(send(laptop, laptop, 'sync 3').targets, [])
      assert.deepEqual(Object.keys(laptop.protocol.ourBundle().signedPreKeys), ['laptop'])
    })
  })

  describe(`§4.1 Device metadata [${storeName}]`, () => {
    test('setDeviceInfo goes to the account record when the store has one', () => {
      const clock = { now: T0 }
      const laptop = device(makeStore, 'alice', 'laptop', clock)
      laptop.store.putAccount({
        identityPublicKey: laptop.publicKey,
        identityPrivateKey: new Uint8Array(32).fill(1),
        installationId: 'laptop',
        deviceType: 'desktop',
        createdAt: 1,
      })
      laptop.protocol.setDeviceInfo({ name: 'Laptop' })
      assert.equal(laptop.store.getAccount()?.name, 'Laptop')
      assert.equal(laptop.store.getAccount()?.deviceType, 'desktop')
      assert.equal(laptop.store.getInstallation(laptop.publicKey, 'laptop'), undefined)
      const [self] = laptop.protocol.devices()
      assert.equal(self?.name, 'Laptop')
      assert.equal(self?.deviceType, 'desktop')
      assert.equal(self?.current, true)
    })
  })

  describe(`§4.1 Removal of paired devices [${storeName}]`, () => {
    test('removeDevice stops delivery at once and drops it from our bundle', () => {
      const clock = { now: T0 }
      const laptop = device(makeStore, 'alice', 'laptop', clock)
      const phone = device(makeStore, 'alice', 'phone', clock)
      const bob = device(makeStore, 'bob', 'bob-1', clock)
      laptop.protocol.processBundle(phone.protocol.ourBundle())
      assert.ok(laptop.protocol.enableDevice('phone'))
      assert.equal(text(handle(phone, laptop, send(laptop, laptop, 'before'))), 'before')
      // Bob learns both from the laptop's bundle.
      bob.protocol.processBundle(laptop.protocol.ourBundle())
      assert.deepEqual(send(bob, laptop, 'to both').targets.slice().sort(), ['laptop', 'phone'])
      assert.equal(laptop.protocol.removeDevice('phone'), true)
      assert.equal(laptop.protocol.removeDevice('phone'), false)
      assert.equal(laptop.protocol.removeDevice('laptop'), false)
      const after = send(laptop, laptop, 'after')
      assert.deepEqual(after.targets, [])
      assert.deepEqual(handle(phone, laptop, after), { kind: 'bundle-only' })
      assert.deepEqual(Object.keys(laptop.protocol.ourBundle().signedPreKeys), ['laptop'])
      assert.deepEqual(
        laptop.protocol.devices().map((d) => d.installationId),
        ['laptop'],
      )
      assert.equal(laptop.store.listSessionsFor(laptop.publicKey, 'phone').length, 0)
      // Bob keeps the laptop; the phone goes stale for him 7 days after its last listing.
      clock.now += 8n * DAY_NS
      bob.protocol.processBundle(laptop.protocol.ourBundle())
      assert.deepEqual(send(bob, laptop, 'laptop only').targets, ['laptop'])
    })
  })

  describe(`§4.2 Sending messages to a paired group [${storeName}]`, () => {
    test('4 devices with a cap of 3: the 3 most recently active are targeted', () => {
      const clock = { now: T0 }
      const alice = device(makeStore, 'alice', 'alice-1', clock)
      const bobs = new Map<string, Device>()
      for (const id of ['b1', 'b2', 'b3', 'b4']) {
        const d = device(makeStore, 'bob', id, clock)
        alice.protocol.processBundle(d.protocol.ourBundle())
        d.protocol.processBundle(alice.protocol.ourBundle())
        bobs.set(id, d)
      }
      const activity = (id: string): void => {
        clock.now += SECOND_NS
        const d = bobs.get(id)!
        assert.equal(text(handle(alice, d, send(d, alice, `from ${id}`))), `from ${id}`)
      }
      for (const id of ['b3', 'b1', 'b4', 'b2']) activity(id)
      const sent = alice.protocol.encrypt(bobs.get('b1')!.publicKey, utf8('capped'))
      assert.deepEqual(sent.targets, ['b2', 'b4', 'b1'])
      for (const id of ['b2', 'b4', 'b1']) {
        assert.equal(text(handle(bobs.get(id)!, alice, sent)), 'capped')
      }
      assert.equal(handle(bobs.get('b3')!, alice, sent).kind, 'partitioned')
      activity('b3')
      assert.deepEqual(send(alice, bobs.get('b1')!, 'again').targets, ['b3', 'b2', 'b4'])
    })
  })

  describe(`§4.3 Stale devices [${storeName}]`, () => {
    test('absent from bundles for 7 days: stale and not targeted; a fresh bundle brings it back', () => {
      const clock = { now: T0 }
      const alice = device(makeStore, 'alice', 'alice-1', clock)
      const bob1 = device(makeStore, 'bob', 'bob-1', clock)
      const bob2 = device(makeStore, 'bob', 'bob-2', clock)
      const carol = device(makeStore, 'carol', 'carol-1', clock)
      alice.protocol.processBundle(bob1.protocol.ourBundle())
      alice.protocol.processBundle(bob2.protocol.ourBundle())
      alice.protocol.processBundle(carol.protocol.ourBundle())
      // bob-1 keeps publishing bundles that do not list bob-2 (they are not paired).
      for (let day = 1; day <= 6; day++) {
        clock.now = T0 + BigInt(day) * DAY_NS
        alice.protocol.processBundle(bob1.protocol.ourBundle())
      }
      assert.deepEqual(send(alice, bob1, 'day 6').targets, ['bob-1', 'bob-2'])
      clock.now = T0 + 7n * DAY_NS - 1n
      assert.deepEqual(send(alice, bob1, 'almost').targets, ['bob-1', 'bob-2'])
      clock.now = T0 + 7n * DAY_NS
      assert.deepEqual(send(alice, bob1, 'day 7').targets, ['bob-1'])
      const listed = alice.protocol.devices(bob1.publicKey)
      assert.deepEqual(
        listed.map((d) => [d.installationId, d.stale, d.current]),
        [
          ['bob-1', false, false],
          ['bob-2', true, false],
        ],
      )
      // A silent peer is not stale: Carol published nothing for 7 days.
      assert.deepEqual(send(alice, carol, 'still there?').targets, ['carol-1'])
      // bob-2 comes back with a fresh bundle (here attached to a message).
      clock.now += HOUR_NS
      bob2.protocol.processBundle(alice.protocol.ourBundle())
      assert.equal(text(handle(alice, bob2, send(bob2, alice, 'back'))), 'back')
      assert.deepEqual(send(alice, bob1, 'both again').targets, ['bob-2', 'bob-1'])
      assert.equal(
        alice.protocol.devices(bob1.publicKey).find((d) => d.installationId === 'bob-2')?.stale,
        false,
      )
    })
  })

  describe(`§4.5 Partitioned devices [${storeName}]`, () => {
    test('answered exactly once per sender per 2 h window, across a restart', () => {
      const clock = { now: T0 }
      const alice = device(makeStore, 'alice', 'alice-1', clock)
      const bob1 = device(makeStore, 'bob', 'bob-1', clock)
      let bob2 = device(makeStore, 'bob', 'bob-2', clock)
      const carol = device(makeStore, 'carol', 'carol-1', clock)
      alice.protocol.processBundle(bob1.protocol.ourBundle())
      carol.protocol.processBundle(bob1.protocol.ourBundle())
      // Alice does not know bob-2: her messages have no entry for it.
      assert.deepEqual(handle(bob2, alice, send(alice, bob1, '1')), {
        kind: 'partitioned',
        answer: true,
      })
      clock.now += HOUR_NS
      assert.deepEqual(handle(bob2, alice, send(alice, bob1, '2')), {
        kind: 'partitioned',
        answer: false,
      })
      // Another sender has its own window.
      assert.deepEqual(handle(bob2, carol, send(carol, bob1, 'c')), {
        kind: 'partitioned',
        answer: true,
      })
      // The time of the answer survives a restart.
      bob2 = restart(bob2, reopen(bob2.store), clock, 'bob')
      clock.now += HOUR_NS - 1_000_000n
      assert.deepEqual(handle(bob2, alice, send(alice, bob1, '3')), {
        kind: 'partitioned',
        answer: false,
      })
      clock.now += 1_000_000n
      assert.deepEqual(handle(bob2, alice, send(alice, bob1, '4')), {
        kind: 'partitioned',
        answer: true,
      })
      assert.deepEqual(handle(bob2, alice, send(alice, bob1, '5')), {
        kind: 'partitioned',
        answer: false,
      })
      // The answer: bob-2's bundle. Alice then targets it too.
      assert.deepEqual(alice.protocol.handle(bob2.publicKey, bob2.protocol.bundleMessage()), {
        kind: 'bundle-only',
      })
      const sent = send(alice, bob1, 'now both')
      assert.deepEqual(sent.targets.slice().sort(), ['bob-1', 'bob-2'])
      assert.equal(text(handle(bob2, alice, sent)), 'now both')
      // decrypt() keeps the reference's errors for the partitioned case.
      assert.throws(() => bob2.protocol.decrypt(carol.publicKey, send(carol, bob1, 'x').message), {
        code: 'DEVICE_NOT_FOUND',
      })
    })
  })
}
