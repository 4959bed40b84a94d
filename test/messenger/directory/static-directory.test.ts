import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { Messenger } from '../../../src/messenger/index.ts'
import {
  DirectoryServer,
  StaticDirectory,
  addContactVia,
  createOneTimePreKeys,
  readDocument,
  verifyOneTimePreKey,
} from '../../../src/messenger/directory/index.ts'
import { accountKeys } from '../../../src/messenger/public/index.ts'
import { MemoryStore } from '../../../src/store/index.ts'
import { decodeBundle, encodeBundle } from '../../../src/wire/index.ts'
import type { Bundle } from '../../../src/wire/index.ts'
import { world } from '../helpers.ts'

function b64urlDecode(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s, 'base64url'))
}

async function account(name: string) {
  const w = world({ seed: name.length })
  const store = new MemoryStore()
  const m = await Messenger.create({ ...w.opts(name, store), autoStart: false })
  const keys = accountKeys({ store })
  const bundle = Messenger.parseContactCode(m.contactCode()).bundle as Bundle
  return { w, store, m, keys, bundle }
}

test('publish and resolve by name and by chat key, every entry verified; a name gives PFS on the first message', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pfs-dir-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const server = new DirectoryServer({ file: join(dir, 'directory.json') })
  const url = await server.listen()
  t.after(() => server.close())
  const alice = await account('alice')
  const pub = new StaticDirectory({ url, identity: alice.keys.identity })
  await pub.publish(alice.bundle, { name: 'alice' })
  const reader = new StaticDirectory({ url })
  const byName = await reader.resolve('alice')
  assert.equal(byName?.publicKey, alice.m.publicKey)
  assert.equal(byName.name, 'alice')
  assert.equal(byName.source, 'static')
  const byKey = await reader.resolve(alice.m.publicKey)
  assert.equal(byKey?.name, 'alice')
  assert.equal(await reader.resolve('nobody'), undefined)
  // The bare document, hostable anywhere, gives the same answer.
  const doc = new StaticDirectory({ url: `${url}/directory.json` })
  assert.equal((await doc.resolve('alice'))?.publicKey, alice.m.publicKey)
  assert.equal((await doc.resolve(alice.m.compressedKey))?.name, 'alice')
  // Bob adds "alice" by name: X3DH on the first message.
  const bob = await Messenger.create({ ...alice.w.opts('bob'), autoStart: false })
  const r = await addContactVia(bob, [reader], 'alice', 'hi')
  assert.equal(r.pfs, true)
  // Name theft and rollback are refused at the door.
  const mallory = await account('mallory')
  await assert.rejects(
    new StaticDirectory({ url, identity: mallory.keys.identity }).publish(mallory.bundle, {
      name: 'alice',
    }),
    { code: 'INVALID_ARGUMENT' },
  )
  const older = { ...alice.bundle, timestamp: alice.bundle.timestamp - 1n }
  await assert.rejects(pub.publish(older, { name: 'alice' }), (e: { code: string }) =>
    ['INVALID_ARGUMENT', 'BUNDLE_SIGNATURE'].includes(e.code),
  )
  // It persisted.
  const state = JSON.parse(readFileSync(join(dir, 'directory.json'), 'utf8'))
  assert.ok(state.entries.alice)
  await bob.close()
})

test('a tampered entry is rejected by the reader: the directory is not trusted', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pfs-dir-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'directory.json')
  const first = new DirectoryServer({ file })
  const url1 = await first.listen()
  const alice = await account('alice')
  const bob = await account('bob')
  await new StaticDirectory({ url: url1, identity: alice.keys.identity }).publish(alice.bundle, {
    name: 'alice',
  })
  await new StaticDirectory({ url: url1, identity: bob.keys.identity }).publish(bob.bundle, {
    name: 'bob',
  })
  await first.close()

  // The host edits its file: Alice's signed prekey replaced by the host's key, and Bob's entry
  // moved to the name "carol".
  const state = JSON.parse(readFileSync(file, 'utf8'))
  const b = decodeBundle(b64urlDecode(state.entries.alice.bundle))
  const id = Object.keys(b.signedPreKeys)[0]!
  const spk = b.signedPreKeys[id]!.signedPreKey
  spk[5] = spk[5]! ^ 1
  state.entries.alice.bundle = Buffer.from(encodeBundle(b)).toString('base64url')
  state.entries.carol = state.entries.bob
  writeFileSync(file, JSON.stringify(state))

  const server = new DirectoryServer({ file })
  const url = await server.listen()
  t.after(() => server.close())
  const reader = new StaticDirectory({ url })
  await assert.rejects(reader.resolve('alice'), (e: { code: string }) =>
    ['BUNDLE_SIGNATURE', 'WIRE_MALFORMED'].includes(e.code),
  )
  await assert.rejects(reader.resolve('carol'), { code: 'BUNDLE_SIGNATURE' })
  assert.equal(
    (await reader.resolve('bob'))?.publicKey,
    bob.m.publicKey,
    'untouched entries still resolve',
  )
  const docReader = new StaticDirectory({ url: `${url}/directory.json` })
  await assert.rejects(docReader.resolve('alice'))
  await assert.rejects(docReader.resolve('carol'), { code: 'BUNDLE_SIGNATURE' })
  const { entries, rejected } = readDocument(server.document())
  assert.deepEqual([...entries.keys()], ['bob'])
  assert.deepEqual(rejected.sort(), ['alice', 'carol'])
})

test('one-time prekeys: each handed to one requester only, never twice, under concurrent requests', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pfs-dir-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'directory.json')
  const server = new DirectoryServer({ file })
  const url = await server.listen()
  t.after(() => server.close())
  const alice = await account('alice')
  const otpks = createOneTimePreKeys({ store: alice.store }, 20)
  assert.equal(alice.store.countOneTimePreKeys(), 20, 'private halves kept by the owner')
  const pub = new StaticDirectory({ url, identity: alice.keys.identity })
  await pub.publish(alice.bundle, { name: 'alice', oneTimePreKeys: otpks })
  assert.equal(server.poolSize('alice'), 20)

  const readers = Array.from({ length: 60 }, () => new StaticDirectory({ url }))
  const answers = await Promise.all(
    readers.map((r, i) => r.resolve(i % 2 === 0 ? 'alice' : alice.m.publicKey)),
  )
  const handed = answers
    .map((a) => a?.oneTimePreKey?.key)
    .filter((k): k is string => k !== undefined)
  assert.equal(handed.length, 20, 'every key handed out')
  assert.equal(new Set(handed).size, 20, 'no key twice')
  assert.deepEqual(new Set(handed), new Set(otpks.map((k) => k.key)))
  for (const a of answers) {
    if (a?.oneTimePreKey !== undefined) {
      assert.ok(verifyOneTimePreKey(alice.keys.publicKey, a.oneTimePreKey, alice.keys.crypto))
    }
  }
  assert.equal(server.poolSize('alice'), 0)
  // Republishing the same keys does not bring them back, even after a restart.
  await pub.publish(alice.bundle, { name: 'alice', oneTimePreKeys: otpks })
  assert.equal(server.poolSize('alice'), 0)
  await server.close()
  const again = new DirectoryServer({ file })
  const url2 = await again.listen()
  t.after(() => again.close())
  await new StaticDirectory({ url: url2, identity: alice.keys.identity }).publish(alice.bundle, {
    name: 'alice',
    oneTimePreKeys: otpks,
  })
  assert.equal(again.poolSize('alice'), 0)
  assert.equal(
    (await new StaticDirectory({ url: url2 }).resolve('alice'))?.oneTimePreKey,
    undefined,
  )
})

test('a one-time prekey not signed by the identity is refused by the server, and caught by readers', async (t) => {
  const server = new DirectoryServer()
  const url = await server.listen()
  t.after(() => server.close())
  const alice = await account('alice')
  const mallory = await account('mallory')
  const foreign = createOneTimePreKeys({ store: mallory.store }, 1)
  await assert.rejects(
    new StaticDirectory({ url, identity: alice.keys.identity }).publish(alice.bundle, {
      name: 'alice',
      oneTimePreKeys: foreign,
    }),
    { code: 'INVALID_ARGUMENT' },
  )
  assert.equal(server.poolSize('alice'), 0)
  // A lying server that slips its own key into the answer is caught by the reader.
  await new StaticDirectory({ url, identity: alice.keys.identity }).publish(alice.bundle, {
    name: 'alice',
  })
  const lying: typeof fetch = async (input, init) => {
    const res = await fetch(input, init)
    const body = (await res.json()) as Record<string, unknown>
    return new Response(JSON.stringify({ ...body, oneTimePreKey: foreign[0] }), {
      status: res.status,
    })
  }
  await assert.rejects(new StaticDirectory({ url, fetch: lying }).resolve('alice'), {
    code: 'BUNDLE_SIGNATURE',
  })
  assert.equal((await new StaticDirectory({ url }).resolve('alice'))?.name, 'alice', 'control')
})
