/**
 * Browser page code: two devices talk through the protocol layer with their state in
 * `IndexedDbStore`s, every message through the wire codec, and one of them restarts (store closed
 * and reopened from IndexedDB, a new `Protocol`) in the middle of the conversation; everything
 * comes from the browser entry point under the default (portable) provider.
 *
 * @module
 */
import assert from 'node:assert/strict'
import { IndexedDbStore, Protocol, defaultProvider, utf8, wire } from '../../../src/browser.ts'
import type { SecretKey } from '../../../src/browser.ts'

interface Device {
  readonly name: string
  readonly identity: SecretKey
  readonly publicKey: Uint8Array
  store: IndexedDbStore
  protocol: Protocol
}

async function device(name: string): Promise<Device> {
  const crypto = defaultProvider()
  await IndexedDbStore.deleteDatabase(`conversation-${name}`)
  const store = await IndexedDbStore.open(`conversation-${name}`)
  const identity = crypto.generateKeyPair().privateKey
  return {
    name,
    identity,
    publicKey: crypto.secp256k1PublicKey(identity, true),
    store,
    protocol: new Protocol({ store, identity, installationId: `${name}-1` }),
  }
}

/** Sends `text` over the wire codec; checks what arrives and whether it had PFS. */
function send(from: Device, to: Device, text: string, pfs: boolean): void {
  const sent = from.protocol.encrypt(to.publicKey, utf8(text))
  assert.deepEqual(sent.failures, [])
  const bytes = wire.encodeProtocolMessage(sent.message)
  const got = to.protocol.decrypt(from.publicKey, wire.decodeProtocolMessage(bytes))
  assert.ok(got !== undefined, 'a message for us')
  assert.equal(new TextDecoder().decode(got.payload), text)
  assert.equal(got.pfs, pfs)
}

async function restart(d: Device): Promise<void> {
  d.store.close()
  d.store = await IndexedDbStore.open(`conversation-${d.name}`)
  d.protocol = new Protocol({ store: d.store, identity: d.identity, installationId: `${d.name}-1` })
}

/** The conversation; throws on the first thing that goes wrong. */
export async function runConversation(): Promise<void> {
  const alice = await device('alice')
  const bob = await device('bob')
  alice.protocol.processBundle(bob.protocol.ourBundle(), bob.publicKey)
  send(alice, bob, 'hello bob', true)
  send(bob, alice, 'hi alice', true)
  await restart(bob)
  send(alice, bob, 'after your restart', true)
  for (let i = 0; i < 20; i++)
    send(i % 3 === 0 ? bob : alice, i % 3 === 0 ? alice : bob, `m${i}`, true)
  await restart(alice)
  await restart(bob)
  send(bob, alice, 'both restarted', true)
  send(alice, bob, 'still talking', true)
  for (const d of [alice, bob]) {
    d.store.close()
    await d.store.flush()
    await IndexedDbStore.deleteDatabase(`conversation-${d.name}`)
  }
}
