/**
 * Issue 10 "self-healing": every undecryptable message is classified (`decryptionFailed.reason`)
 * and repaired on its own (`autoRepair`, default on): the receiver re-establishes (its bundle to
 * the sender, rate-limited per sender), the sender answers a device that asks with a fresh X3DH
 * and a bounded resend of its last messages under their original ids, so the user sees every
 * message once and never twice.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { defaultProvider, fromHex } from '../../src/crypto/index.ts'
import { Messenger } from '../../src/messenger/index.ts'
import type { MessengerEvents } from '../../src/messenger/index.ts'
import { MemoryStore } from '../../src/store/index.ts'
import type { Store } from '../../src/store/index.ts'
import {
  createEnvelope,
  open,
  partitionedTopic,
  seal,
  sealAsymmetric,
} from '../../src/transport/index.ts'
import type { Envelope } from '../../src/transport/index.ts'
import {
  EncryptedMessageProtocolSchema,
  ProtocolMessageSchema,
  create,
  decodeProtocolMessage,
  encodeProtocolMessage,
} from '../../src/wire/index.ts'
import type { ProtocolMessage } from '../../src/wire/index.ts'
import { befriend, recorder, world } from './helpers.ts'
import type { World } from './helpers.ts'

const crypto = defaultProvider()
const MINUTE = 60 * 1000

interface Pair {
  readonly w: World
  readonly alice: Messenger
  readonly bob: Messenger
  readonly aliceStore: Store
  readonly bobStore: Store
  readonly a: ReturnType<typeof recorder>
  readonly b: ReturnType<typeof recorder>
}

/** Alice and Bob, mutual contacts, a few messages each way; events recorded from the start. */
async function talking(seed: number, bobOptions: { autoRepair?: boolean } = {}): Promise<Pair> {
  const w = world({ seed })
  const aliceStore = new MemoryStore()
  const bobStore = new MemoryStore()
  const alice = await Messenger.create(w.opts('alice', aliceStore))
  const bob = await Messenger.create({ ...w.opts('bob', bobStore), ...bobOptions })
  const a = recorder(alice)
  const b = recorder(bob)
  await befriend(w, alice, bob)
  await alice.send(bob.publicKey, 'one')
  await w.settle()
  await bob.send(alice.publicKey, 'two')
  await w.settle()
  await alice.send(bob.publicKey, 'three')
  await w.settle()
  return { w, alice, bob, aliceStore, bobStore, a, b }
}

function shown(events: MessengerEvents['message'][]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const e of events) counts.set(e.text, (counts.get(e.text) ?? 0) + 1)
  return counts
}

/** Every message shown at most once, and `texts` shown. */
function assertShownOnce(events: MessengerEvents['message'][], texts: readonly string[]): void {
  const counts = shown(events)
  for (const [text, n] of counts) assert.equal(n, 1, `"${text}" shown ${String(n)} times`)
  for (const t of texts) assert.equal(counts.get(t), 1, `"${t}" not shown`)
  assert.equal(new Set(events.map((e) => e.id)).size, events.length)
}

function failures(p: Pair): { reason: string; repair: string }[] {
  return p.b.events.decryptionFailed.map((e) => ({ reason: e.reason, repair: e.repair }))
}

/** Forgets every session of `store` with `identity` (lost state, contacts kept). */
function dropSessions(store: Store, identity: string): void {
  const id = crypto.compressPublicKey(fromHex(identity))
  store.transaction(() => {
    for (const inst of store.listInstallations(id)) {
      for (const s of store.listSessionsFor(id, inst.installationId)) store.deleteSession(s.id)
    }
  })
}

async function close(p: Pair): Promise<void> {
  await Promise.all([p.alice.close(), p.bob.close()])
}

test('no-session: re-established automatically, the lost message resent, nothing twice', async () => {
  const p = await talking(21)
  dropSessions(p.bobStore, p.alice.publicKey)
  // Two messages fail before the repair lands: one repair, the second is rate-limited.
  await p.alice.send(p.bob.publicKey, 'lost-1')
  await p.alice.send(p.bob.publicKey, 'lost-2')
  await p.w.settle()
  assert.deepEqual(failures(p).slice(0, 2), [
    { reason: 'no-session', repair: 'reestablish' },
    { reason: 'no-session', repair: 'rate-limited' },
  ])
  assert.equal(p.b.events.decryptionFailed.length, 2, 'the resend decrypts')
  assertShownOnce(p.b.events.message, ['one', 'three', 'lost-1', 'lost-2'])
  assert.ok(p.bob.stats().duplicatesDropped >= 2, "'one' and 'three' came again, dropped")
  // The conversation goes on in both directions.
  await p.bob.send(p.alice.publicKey, 'back')
  await p.alice.send(p.bob.publicKey, 'welcome')
  await p.w.settle()
  assertShownOnce(p.a.events.message, ['two', 'back'])
  assertShownOnce(p.b.events.message, ['welcome'])
  await close(p)
})

test('stale-bundle: an X3DH to a signed prekey we lost is repaired with a new one', async () => {
  const p = await talking(22)
  dropSessions(p.bobStore, p.alice.publicKey)
  dropSessions(p.aliceStore, p.bob.publicKey)
  p.bobStore.transaction(() => {
    for (const k of p.bobStore.listSignedPreKeys({ includeExpired: true })) {
      p.bobStore.deleteSignedPreKey(k.publicKey)
    }
  })
  await p.alice.send(p.bob.publicKey, 'to the old bundle')
  await p.w.settle()
  assert.deepEqual(failures(p), [{ reason: 'stale-bundle', repair: 'reestablish' }])
  assertShownOnce(p.b.events.message, ['one', 'three', 'to the old bundle'])
  await p.alice.send(p.bob.publicKey, 'and on')
  await p.w.settle()
  assertShownOnce(p.b.events.message, ['and on'])
  assert.equal(p.b.events.message.at(-1)?.pfs, true)
  await close(p)
})

test('unknown-installation: a session message from a device we never heard of', async () => {
  const p = await talking(23)
  const alice = crypto.compressPublicKey(fromHex(p.alice.publicKey))
  p.bobStore.transaction(() => {
    p.bobStore.deleteInstallation(alice, p.alice.installationId)
  })
  await p.alice.send(p.bob.publicKey, 'from nowhere')
  await p.w.settle()
  assert.deepEqual(failures(p), [{ reason: 'unknown-installation', repair: 'reestablish' }])
  assertShownOnce(p.b.events.message, ['one', 'three', 'from nowhere'])
  await close(p)
})

/** Alice's next envelope to Bob, opened; it is also delivered. */
async function capture(p: Pair, text: string): Promise<ProtocolMessage> {
  const captured: Envelope[] = []
  const stop = p.w.net.node('spy').subscribe('all', (e) => {
    captured.push(e)
  })
  await p.alice.send(p.bob.publicKey, text)
  await p.w.settle()
  stop()
  const bobKey = crypto.secp256k1PrivateKey(p.bobStore.getAccount()!.identityPrivateKey)
  for (const e of captured) {
    try {
      const m = decodeProtocolMessage(open(e.data, { privateKey: bobKey }).payload)
      if (m.encryptedMessage[p.bob.installationId]?.DRHeader !== undefined) return m
    } catch {
      // not for Bob
    }
  }
  throw new Error('nothing captured')
}

/** `message` again in a new envelope signed by Alice, its payload changed by `edit`. */
async function replay(
  p: Pair,
  message: ProtocolMessage,
  edit: (payload: Uint8Array) => Uint8Array,
): Promise<void> {
  const entry = message.encryptedMessage[p.bob.installationId]!
  const m = create(ProtocolMessageSchema, {
    installationId: message.installationId,
    encryptedMessage: {
      [p.bob.installationId]: create(EncryptedMessageProtocolSchema, {
        ...(entry.DRHeader === undefined ? {} : { DRHeader: entry.DRHeader }),
        payload: edit(entry.payload.slice()),
      }),
    },
  })
  const bobFull = fromHex(p.bob.publicKey)
  const alicePriv = crypto.secp256k1PrivateKey(p.aliceStore.getAccount()!.identityPrivateKey)
  const env = seal(
    createEnvelope({
      topic: partitionedTopic(bobFull),
      data: sealAsymmetric(encodeProtocolMessage(m), bobFull, alicePriv),
      now: Math.floor(p.w.net.clock.now() / 1000),
    }),
    0.002,
  )
  await p.w.net.node('mallory').publish(env)
  await p.w.settle()
}

test('duplicate: a replayed ratchet message is classified, not repaired, not shown', async () => {
  const p = await talking(24)
  const m = await capture(p, 'once')
  await replay(p, m, (x) => x)
  assert.deepEqual(failures(p), [{ reason: 'duplicate', repair: 'none' }])
  assertShownOnce(p.b.events.message, ['once'])
  await close(p)
})

test('mac-failure: re-established; resends de-duplicated and rate-limited per device', async () => {
  const p = await talking(25)
  const m = await capture(p, 'four')
  const dr = m.encryptedMessage[p.bob.installationId]!.DRHeader!
  // The next header of the chain with this body: Bob derives that key and the MAC fails.
  const forged = create(ProtocolMessageSchema, {
    installationId: m.installationId,
    encryptedMessage: {
      [p.bob.installationId]: create(EncryptedMessageProtocolSchema, {
        DRHeader: { ...dr, n: dr.n + 1 },
        payload: m.encryptedMessage[p.bob.installationId]!.payload,
      }),
    },
  })
  const dup0 = p.bob.stats().duplicatesDropped
  await replay(p, forged, (x) => x)
  assert.deepEqual(failures(p), [{ reason: 'mac-failure', repair: 'reestablish' }])
  // Alice answered with her last messages (at most 5): all known to Bob, none shown again.
  const resent = p.bob.stats().duplicatesDropped - dup0
  assert.ok(resent >= 3 && resent <= 5, `resent ${String(resent)}`)
  assertShownOnce(p.b.events.message, ['one', 'three', 'four'])
  // Bob asks again at once (by hand): Alice's resend to that device is rate-limited…
  const failure = p.b.events.decryptionFailed[0]!
  await failure.reestablish()
  await p.w.settle()
  assert.equal(p.bob.stats().duplicatesDropped - dup0, resent)
  // … until 10 minutes have passed.
  await p.w.net.advance(11 * MINUTE)
  await failure.reestablish()
  await p.w.settle()
  assert.equal(p.bob.stats().duplicatesDropped - dup0, 2 * resent)
  assertShownOnce(p.b.events.message, ['one', 'three', 'four'])
  // Nothing older than 24 h is resent.
  await p.w.net.advance(25 * 60 * MINUTE)
  await failure.reestablish()
  await p.w.settle()
  assert.equal(p.bob.stats().duplicatesDropped - dup0, 2 * resent)
  await p.alice.send(p.bob.publicKey, 'still fine')
  await p.w.settle()
  assertShownOnce(p.b.events.message, ['still fine'])
  await close(p)
})

test('autoRepair: false and strangers: classified, nothing sent', async () => {
  const p = await talking(26, { autoRepair: false })
  dropSessions(p.bobStore, p.alice.publicKey)
  await p.alice.send(p.bob.publicKey, 'lost')
  await p.w.settle()
  assert.deepEqual(failures(p), [{ reason: 'no-session', repair: 'none' }])
  assert.equal(shown(p.b.events.message).get('lost'), undefined)
  // The manual repair still works.
  await p.b.events.decryptionFailed[0]!.reestablish()
  await p.w.settle()
  assertShownOnce(p.b.events.message, ['one', 'three', 'lost'])
  await close(p)

  // A stranger's session message: classified, never answered.
  const q = await talking(27)
  const mallory = crypto.generateKeyPair()
  const bobFull = fromHex(q.bob.publicKey)
  const junk = create(ProtocolMessageSchema, {
    installationId: 'mallory-1',
    encryptedMessage: {
      [q.bob.installationId]: create(EncryptedMessageProtocolSchema, {
        DRHeader: { key: mallory.publicKey, id: mallory.publicKey, n: 0, pn: 0 },
        payload: crypto.randomBytes(48),
      }),
    },
  })
  const published: Envelope[] = []
  const stop = q.w.net.node('spy').subscribe('all', (e) => {
    published.push(e)
  })
  await q.w.net.node('mallory').publish(
    seal(
      createEnvelope({
        topic: partitionedTopic(bobFull),
        data: sealAsymmetric(encodeProtocolMessage(junk), bobFull, mallory.privateKey),
        now: Math.floor(q.w.net.clock.now() / 1000),
      }),
      0.002,
    ),
  )
  await q.w.settle()
  stop()
  assert.deepEqual(failures(q), [{ reason: 'unknown-installation', repair: 'none' }])
  assert.equal(published.length, 1, 'Bob sent nothing to the stranger')
  await close(q)
})
