/**
 * Issue 10 "long offline": a device offline for longer than MaxSkip (1,000) messages of one chain
 * keeps its session. A relay message too far ahead is refused without KDF work and left for the
 * next sync; `sync()` retries what was too far ahead once everything is fetched and, when the
 * store node still leaves a gap, grants a one-off allowance of as many keys as it fetched
 * messages of the sender, never more than the ratchet's hard cap `MAX_CATCH_UP_SKIP`.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { defaultProvider, fromHex } from '../../src/crypto/index.ts'
import { Messenger } from '../../src/messenger/index.ts'
import type { MessengerEvents } from '../../src/messenger/index.ts'
import { MAX_CATCH_UP_SKIP, MAX_SKIP } from '../../src/ratchet/index.ts'
import { MemoryStore } from '../../src/store/index.ts'
import {
  MemoryEnvelopeStore,
  createEnvelope,
  open,
  partitionedTopic,
  seal,
  sealAsymmetric,
} from '../../src/transport/index.ts'
import type {
  Envelope,
  EnvelopeStore,
  HistoryPage,
  HistoryQuery,
} from '../../src/transport/index.ts'
import {
  DRHeaderSchema,
  EncryptedMessageProtocolSchema,
  ProtocolMessageSchema,
  create,
  decodeProtocolMessage,
  encodeProtocolMessage,
} from '../../src/wire/index.ts'
import type { ProtocolMessage } from '../../src/wire/index.ts'
import { countingProvider } from '../security/counting-crypto.ts'
import { befriend, recorder, world } from './helpers.ts'
import type { World } from './helpers.ts'

const crypto = defaultProvider()
const GAP = 1500
const LOST = MAX_SKIP + 1
const KEPT = LOST + 4

/** A store node that can be told to drop what it receives (it was down). */
class DroppingStore implements EnvelopeStore {
  readonly inner = new MemoryEnvelopeStore()
  dropping = false
  put(envelope: Envelope, now: number): boolean {
    return this.dropping ? false : this.inner.put(envelope, now)
  }
  putMany(envelopes: Iterable<Envelope>, now: number): number {
    return this.dropping ? 0 : this.inner.putMany(envelopes, now)
  }
  query(query: HistoryQuery, now: number): HistoryPage {
    return this.inner.query(query, now)
  }
  prune(now: number): number {
    return this.inner.prune(now)
  }
  count(): number {
    return this.inner.count()
  }
  close(): void {
    this.inner.close()
  }
}

interface Setup {
  readonly w: World
  readonly node: DroppingStore
  readonly alice: Messenger
  readonly bob: Messenger
  readonly aliceStore: MemoryStore
  readonly bobStore: MemoryStore
  readonly counting: ReturnType<typeof countingProvider>
}

/** Alice and Bob, mutual contacts with a confirmed session; Bob's crypto is counted. */
async function setup(seed: number): Promise<Setup> {
  const w = world({ seed })
  const node = new DroppingStore()
  w.net.attachStore('store', node)
  const counting = countingProvider(crypto)
  const aliceStore = new MemoryStore()
  const bobStore = new MemoryStore()
  const alice = await Messenger.create(w.opts('alice', aliceStore))
  const bob = await Messenger.create({ ...w.opts('bob', bobStore), crypto: counting.provider })
  await befriend(w, alice, bob)
  await alice.send(bob.publicKey, 'before')
  await w.settle()
  await bob.send(alice.publicKey, 'ack')
  await w.settle()
  return { w, node, alice, bob, aliceStore, bobStore, counting }
}

async function sendMany(m: Messenger, to: string, count: number, prefix: string): Promise<void> {
  for (let i = 0; i < count; i++) await m.send(to, `${prefix}${String(i)}`)
}

function texts(m: Messenger, peer: string): string[] {
  return m
    .messages(peer)
    .filter((x) => !x.outgoing)
    .map((x) => x.text)
}

function failures(
  events: MessengerEvents['decryptionFailed'][],
): { reason: string; repair: string }[] {
  return events.map((e) => ({ reason: e.reason, repair: e.repair }))
}

test(`offline for ${String(GAP)} messages of one chain: all of them after sync()`, async () => {
  const { w, alice, bob, counting } = await setup(11)
  const b = recorder(bob)
  w.net.setOnline('bob', false)
  await sendMany(alice, bob.publicKey, GAP, 'm')
  await w.settle()
  w.net.setOnline('bob', true)
  // The first thing Bob hears is a relay message 1,500 ahead: refused without ratchet work and
  // left (not marked seen) for the sync.
  counting.reset()
  await alice.send(bob.publicKey, 'live')
  await w.settle()
  assert.equal(counting.counts.get('hmacSha256Pair') ?? 0, 0, 'no chain-key step')
  assert.deepEqual(failures(b.events.decryptionFailed), [
    { reason: 'too-far-ahead', repair: 'sync' },
  ])
  assert.equal(b.events.message.length, 0)
  const synced = await bob.sync()
  await w.settle()
  const want = ['hi', 'before', ...Array.from({ length: GAP }, (_, i) => `m${String(i)}`), 'live']
  assert.deepEqual(texts(bob, alice.publicKey).slice().sort(), want.slice().sort())
  assert.equal(b.events.message.length, GAP + 1, 'each message shown once')
  assert.equal(new Set(b.events.message.map((m) => m.id)).size, GAP + 1)
  assert.equal(b.events.decryptionFailed.length, 1, 'nothing failed in the sync')
  assert.equal(synced.failed, 0)
  // The session goes on.
  await alice.send(bob.publicKey, 'after')
  await w.settle()
  assert.equal(b.events.message.at(-1)?.text, 'after')
  await Promise.all([alice.close(), bob.close()])
})

test('a gap the store node cannot fill: caught up with the allowance the sync shows', async () => {
  const { w, node, alice, bob } = await setup(12)
  const b = recorder(bob)
  w.net.setOnline('bob', false)
  // 1,001 messages never reach Bob nor the store node (one more than MaxSkip); 1,005 more are
  // stored: the sync holds enough of Alice's messages to show the gap.
  node.dropping = true
  await sendMany(alice, bob.publicKey, LOST, 'lost')
  await w.settle()
  node.dropping = false
  await sendMany(alice, bob.publicKey, KEPT, 'kept')
  await w.settle()
  w.net.setOnline('bob', true)
  const synced = await bob.sync()
  await w.settle()
  assert.equal(synced.caughtUp, 1, 'one header needed the allowance')
  assert.equal(synced.failed, 0)
  const got = texts(bob, alice.publicKey)
  assert.equal(got.filter((t) => t.startsWith('kept')).length, KEPT)
  assert.equal(got.filter((t) => t.startsWith('lost')).length, 0)
  assert.equal(b.events.decryptionFailed.length, 0)
  await alice.send(bob.publicKey, 'after')
  await w.settle()
  assert.equal(b.events.message.at(-1)?.text, 'after')
  await Promise.all([alice.close(), bob.close()])
})

/** Captures Alice's next envelope to Bob, opened: the template of the forgeries. */
async function captureTemplate(s: Setup): Promise<ProtocolMessage> {
  const captured: Envelope[] = []
  const unsubscribe = s.w.net.node('spy').subscribe('all', (e) => {
    captured.push(e)
  })
  await s.alice.send(s.bob.publicKey, 'template')
  await s.w.settle()
  unsubscribe()
  const bobKey = crypto.secp256k1PrivateKey(s.bobStore.getAccount()!.identityPrivateKey)
  for (const e of captured) {
    try {
      const opened = open(e.data, { privateKey: bobKey })
      const m = decodeProtocolMessage(opened.payload)
      if (m.encryptedMessage[s.bob.installationId]?.DRHeader !== undefined) return m
    } catch {
      // not for Bob
    }
  }
  throw new Error('no envelope from Alice to Bob captured')
}

/** `count` copies of `template` whose DR header is `ahead + i` messages further on, signed by Alice. */
async function forge(s: Setup, template: ProtocolMessage, ahead: number, count: number) {
  const alicePriv = crypto.secp256k1PrivateKey(s.aliceStore.getAccount()!.identityPrivateKey)
  const bobFull = fromHex(s.bob.publicKey)
  const entry = template.encryptedMessage[s.bob.installationId]!
  const dr = entry.DRHeader!
  for (let i = 0; i < count; i++) {
    const m = create(ProtocolMessageSchema, {
      installationId: template.installationId,
      encryptedMessage: {
        [s.bob.installationId]: create(EncryptedMessageProtocolSchema, {
          DRHeader: create(DRHeaderSchema, {
            key: dr.key,
            id: dr.id,
            n: dr.n + ahead + i,
            pn: dr.pn,
          }),
          payload: entry.payload,
        }),
      },
    })
    const data = sealAsymmetric(encodeProtocolMessage(m), bobFull, alicePriv)
    const env = seal(
      createEnvelope({
        topic: partitionedTopic(bobFull),
        data,
        now: Math.floor(s.w.net.clock.now() / 1000),
      }),
      0.002,
    )
    await s.w.net.node('mallory').publish(env)
  }
  await s.w.settle()
}

test(`${String(GAP)} forged-ahead relay headers: refused without KDF work; the sync's allowance is one-off`, async () => {
  const s = await setup(13)
  const template = await captureTemplate(s)
  const b = recorder(s.bob)
  s.counting.reset()
  await forge(s, template, 1 + GAP - 1, GAP) // n = template + GAP … : 1,500 ahead and more
  assert.equal(s.counting.counts.get('hmacSha256Pair') ?? 0, 0, 'no chain-key step on relay')
  assert.equal(b.events.decryptionFailed.length, GAP)
  assert.ok(b.events.decryptionFailed.every((e) => e.reason === 'too-far-ahead'))
  // In a sync they are evidence of a gap of up to 1,500 (all signed by Alice): one allowance is
  // spent on one of them (it fails its MAC), the rest are refused for free.
  s.counting.reset()
  const synced = await s.bob.sync()
  const steps = s.counting.counts.get('hmacSha256Pair') ?? 0
  assert.ok(steps <= GAP + 1, `one derivation at most: ${String(steps)} chain-key steps`)
  assert.equal(synced.caughtUp, 0)
  assert.equal(synced.failed, GAP)
  const reasons = new Set(b.events.decryptionFailed.slice(GAP).map((e) => e.reason))
  assert.deepEqual([...reasons].sort(), ['mac-failure', 'too-far-ahead'])
  // The session is intact.
  await s.w.settle()
  await s.alice.send(s.bob.publicKey, 'still here')
  await s.w.settle()
  assert.ok(texts(s.bob, s.alice.publicKey).includes('still here'))
  await Promise.all([s.alice.close(), s.bob.close()])
})

test('above the hard cap: refused even in a sync that shows enough messages', async () => {
  const s = await setup(14)
  const template = await captureTemplate(s)
  const b = recorder(s.bob)
  const count = MAX_CATCH_UP_SKIP + 100
  s.w.net.setOnline('bob', false)
  await forge(s, template, MAX_CATCH_UP_SKIP + 2, count)
  s.w.net.setOnline('bob', true)
  s.counting.reset()
  const synced = await s.bob.sync()
  assert.equal(s.counting.counts.get('hmacSha256Pair') ?? 0, 0, 'no chain-key step at all')
  assert.equal(synced.caughtUp, 0)
  assert.equal(synced.failed, count)
  assert.ok(b.events.decryptionFailed.every((e) => e.reason === 'too-far-ahead'))
  await Promise.all([s.alice.close(), s.bob.close()])
})
