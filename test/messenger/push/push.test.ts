import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { defaultProvider, toHex } from '../../../src/crypto/index.ts'
import { Messenger } from '../../../src/messenger/index.ts'
import {
  MemoryPushStorage,
  PushClient,
  PushServer,
  accessToken,
  sendAndNotify,
} from '../../../src/messenger/push/index.ts'
import { accountKeys } from '../../../src/messenger/public/index.ts'
import { MemoryStore } from '../../../src/store/index.ts'
import type { World } from '../helpers.ts'
import { world } from '../helpers.ts'

const crypto = defaultProvider()

/** A real HTTP webhook on 127.0.0.1 recording every POST body. */
async function webhook(): Promise<{
  url: string
  hits: Record<string, unknown>[]
  close(): Promise<void>
}> {
  const hits: Record<string, unknown>[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      hits.push({ method: req.method, ...JSON.parse(Buffer.concat(chunks).toString('utf8')) })
      res.writeHead(204).end()
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${String(port)}/push`,
    hits,
    close: () => new Promise((r) => server.close(() => r())),
  }
}

/** Runs the simulated network until `p` settles (deliveries also wait on real HTTP). */
async function until<T>(w: World, p: Promise<T>): Promise<T> {
  let state: 'pending' | 'done' = 'pending'
  void p.then(
    () => (state = 'done'),
    () => (state = 'done'),
  )
  for (let i = 0; i < 400 && state === 'pending'; i++) {
    await w.settle()
    await new Promise((r) => setTimeout(r, 5))
  }
  return p
}

async function setup() {
  const w = world({ seed: 21 })
  const hook = await webhook()
  const storage = new MemoryPushStorage()
  const serverKey = crypto.secp256k1GeneratePrivateKey()
  const server = new PushServer({
    network: w.net.node('push'),
    identity: serverKey,
    delivery: hook.url,
    storage,
    clock: () => w.net.clock.now(),
  })
  server.start()
  const people = await Promise.all(
    ['alice', 'bob', 'carol'].map(async (name) => {
      const store = new MemoryStore()
      const m = await Messenger.create({ ...w.opts(name, store), autoStart: false })
      const push = new PushClient({ ...w.opts(name, store), timeoutMs: 5000 })
      return { name, store, m, push }
    }),
  )
  const [alice, bob, carol] = people as [(typeof people)[0], (typeof people)[0], (typeof people)[0]]
  return { w, hook, storage, server, serverKey, alice, bob, carol }
}

test('push: registration, a contact’s notification reaches the webhook, a non-contact is refused, storage holds no contact list', async () => {
  const { w, hook, storage, server, alice, bob, carol } = await setup()
  // Bob registers his device; only Alice may notify him.
  await until(
    w,
    bob.push.register({
      server: server.publicKey,
      deviceToken: 'bob-apns-token',
      contacts: [alice.m.publicKey],
    }),
  )
  assert.equal(server.stats().registrations, 1)

  // Alice sends Bob a message, then asks his push server to wake his devices.
  await alice.m.addContact(bob.m.publicKey, 'hi')
  const sent = await until(
    w,
    sendAndNotify(alice.m, alice.push, {
      to: bob.m.publicKey,
      text: 'ping',
      server: server.publicKey,
    }),
  )
  assert.deepEqual(sent.push, [{ installationId: bob.m.installationId, success: true }])
  assert.equal(hook.hits.length, 1, 'one real HTTP POST')
  const hit = hook.hits[0]!
  assert.equal(hit['method'], 'POST')
  assert.equal(hit['deviceToken'], 'bob-apns-token')
  assert.equal(hit['installationId'], bob.m.installationId)
  assert.equal(`0x${String(hit['messageId'])}`, sent.id)
  assert.equal(hit['tokenType'], 'apn')
  const body = JSON.stringify(hit)
  for (const k of forms(alice.m.publicKey))
    assert.ok(!body.includes(k), 'the sender is not in the delivery')

  // Carol is not in Bob's list: refused, nothing delivered.
  const refused = await until(
    w,
    carol.push.notify({ server: server.publicKey, recipient: bob.m.publicKey, messageId: '0x01' }),
  )
  assert.deepEqual(refused, [
    { installationId: bob.m.installationId, success: false, error: 'WRONG_TOKEN' },
  ])
  assert.equal(hook.hits.length, 1, 'no delivery for a non-contact')
  assert.equal(server.stats().refused, 1)
  // Someone nobody registered.
  const none = await until(
    w,
    alice.push.notify({
      server: server.publicKey,
      recipient: carol.m.publicKey,
      messageId: '0x02',
    }),
  )
  assert.equal(none[0]?.error, 'NOT_REGISTERED')

  // The server's storage: no contact list in any form.
  const dump = JSON.stringify(storage.all()).toLowerCase()
  assert.equal(storage.all().length, 1)
  for (const who of [alice, carol]) {
    for (const k of forms(who.m.publicKey))
      assert.ok(!dump.includes(k), `${who.name}'s key is not stored`)
  }
  // Not even the access token itself: only its hash.
  const bobKeys = accountKeys({ store: bob.store })
  const token = accessToken(
    bobKeys.identity,
    hexKey(alice.m.publicKey),
    bobKeys.publicKey,
    hexKey(server.publicKey),
    crypto,
  )
  assert.ok(!dump.includes(token))
  // Bob's own key is stored only hashed (SHA-256 of the compressed key, as the reference).
  const [bobFull, bobCompressed, bobX, bobHashed] = forms(bob.m.publicKey)
  for (const k of [bobFull!, bobCompressed!, bobX!]) assert.ok(!dump.includes(k))
  assert.equal(storage.all()[0]!.hashedPublicKey, bobHashed)
  assert.equal(storage.all()[0]!.allowedTokenHashes.length, 1)

  // Unregistering stops deliveries.
  await until(w, bob.push.unregister(server.publicKey))
  const after = await until(
    w,
    alice.push.notify({ server: server.publicKey, recipient: bob.m.publicKey, messageId: '0x03' }),
  )
  assert.equal(after[0]?.error, 'NOT_REGISTERED')
  assert.equal(hook.hits.length, 1)

  await server.close()
  await hook.close()
  for (const p of [alice, bob, carol]) {
    p.push.close()
    await p.m.close()
  }
})

test('push: the registration on the wire is readable by the server only, and replays are refused', async () => {
  const { w, hook, server, alice, bob } = await setup()
  const seen: Uint8Array[] = []
  w.net.node('tap').subscribe('all', (e) => seen.push(e.data))
  await until(
    w,
    bob.push.register({
      server: server.publicKey,
      deviceToken: 'secret-device-token',
      contacts: [alice.m.publicKey],
    }),
  )
  assert.ok(seen.length >= 2)
  for (const d of seen) {
    assert.ok(
      !Buffer.from(d).toString('latin1').includes('secret-device-token'),
      'token never in clear',
    )
  }
  assert.equal(server.storage().all()[0]?.deviceToken, 'secret-device-token', 'the server reads it')
  // An older registration (a replay, or a stale device) is refused.
  const stale = new PushClient({ ...w.opts('bob', bob.store), timeoutMs: 3000 })
  await assert.rejects(
    until(
      w,
      stale.register({ server: server.publicKey, deviceToken: 'old', contacts: [], version: 1n }),
    ),
    (e: { code: string; details: { reason: string } }) =>
      e.code === 'INVALID_ARGUMENT' && e.details.reason === 'VERSION_MISMATCH',
  )
  await server.close()
  await hook.close()
  stale.close()
  for (const p of [alice, bob]) {
    p.push.close()
    await p.m.close()
  }
})

/** Every encoding of a chat key a server could store it under (lowercase hex). */
function forms(chatKey: string): string[] {
  const full = hexKey(chatKey)
  const compressed = crypto.compressPublicKey(full)
  return [
    toHex(full),
    toHex(compressed),
    toHex(full.slice(1)),
    toHex(crypto.sha256(compressed)),
    toHex(crypto.keccak256(full.slice(1))),
  ]
}

function hexKey(k: string): Uint8Array {
  return Uint8Array.from(Buffer.from(k.slice(2), 'hex'))
}
