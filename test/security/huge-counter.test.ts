/**
 * A header with n = 2^32-1 (or pn = 2^32-1 on a new chain) is refused before any key derivation
 * or Diffie-Hellman (issue 10 "Attack tests"): the skip budget (MaxSkip, PROTOCOL.md §16) is
 * checked on the header alone. Counted with a `CryptoProvider` wrapper, against a control that
 * does the allowed work (a skip of MaxSkip keys), so the count is known to register.
 *
 * @module
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { utf8 } from '../../src/crypto/index.ts'
import { Protocol } from '../../src/protocol/index.ts'
import { MemoryStore } from '../../src/store/index.ts'
import { ProtocolMessageSchema, clone } from '../../src/wire/index.ts'
import type { ProtocolMessage } from '../../src/wire/index.ts'
import { dumpStore } from '../store/helpers.ts'
import { crypto, identityKey } from '../fuzz/protocol-fixture.ts'
import { countingProvider } from './counting-crypto.ts'

function setup() {
  const counter = countingProvider(crypto)
  const clock = () => 1_767_225_600_000_000_000n
  const aliceKey = identityKey('alice')
  const bobKey = identityKey('bob')
  const alice = new Protocol({
    store: new MemoryStore(),
    identity: aliceKey,
    installationId: 'a',
    clock,
  })
  const bobStore = new MemoryStore()
  const bob = new Protocol({
    store: bobStore,
    identity: bobKey,
    installationId: 'b',
    clock,
    crypto: counter.provider,
  })
  alice.processBundle(bob.ourBundle())
  bob.decrypt(alice.identityPublicKey, alice.encrypt(bob.identityPublicKey, utf8('1')).message)
  alice.decrypt(bob.identityPublicKey, bob.encrypt(alice.identityPublicKey, utf8('2')).message)
  const next = alice.encrypt(bob.identityPublicKey, utf8('3')).message
  // Bundle verification is not the point here: drop the attached bundle.
  next.bundles = []
  return { alice, bob, bobStore, counter, next }
}

function withHeader(
  m: ProtocolMessage,
  f: (dr: { n: number; pn: number; key: Uint8Array }) => void,
) {
  const copy = clone(ProtocolMessageSchema, m)
  const dr = copy.encryptedMessage['b']!.DRHeader!
  f(dr)
  return copy
}

describe('huge counters are refused without work', () => {
  for (const [name, edit] of [
    ['n = 2^32-1 on the current chain', (dr: { n: number }) => (dr.n = 0xffffffff)],
    ['n = MaxSkip + 1 on the current chain', (dr: { n: number }) => (dr.n = 1001)],
    [
      'pn = 2^32-1 on a new chain',
      (dr: { pn: number; key: Uint8Array }) => {
        dr.pn = 0xffffffff
        dr.key = crypto.generateKeyPair().publicKey
      },
    ],
    [
      'n = 2^32-1 on a new chain',
      (dr: { n: number; key: Uint8Array }) => {
        dr.n = 0xffffffff
        dr.key = crypto.generateKeyPair().publicKey
      },
    ],
  ] as const) {
    test(`${name}: TOO_MANY_SKIPPED, 0 KDF/DH calls, store unchanged`, () => {
      const { alice, bob, bobStore, counter, next } = setup()
      const bad = withHeader(next, edit)
      const before = dumpStore(bobStore)
      counter.reset()
      const t0 = performance.now()
      assert.throws(() => bob.decrypt(alice.identityPublicKey, bad), { code: 'TOO_MANY_SKIPPED' })
      const ms = performance.now() - t0
      assert.equal(counter.total(), 0, `KDF/DH calls: ${JSON.stringify([...counter.counts])}`)
      assert.ok(ms < 50, `took ${ms.toFixed(1)} ms`)
      assert.equal(dumpStore(bobStore), before)
    })
  }

  test('control: n = MaxSkip (allowed) does derive keys, and the counter sees them', () => {
    const { alice, bob, counter, next } = setup()
    const far = withHeader(next, (dr) => (dr.n = 1000))
    counter.reset()
    // Allowed skip, wrong MAC (the ciphertext was made for n = 0): work is done, then refused.
    assert.throws(() => bob.decrypt(alice.identityPublicKey, far), { code: 'MAC_MISMATCH' })
    // KDF_CK is one hmacSha256Pair (or two hmacSha256) per skipped key.
    const kdf = counter.total(['hmacSha256', 'hmacSha256Pair'])
    assert.ok(kdf >= 1000, `KDF calls: ${String(kdf)}`)
  })
})
