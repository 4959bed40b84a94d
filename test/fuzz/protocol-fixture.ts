/**
 * Valid traffic made by real `Protocol` instances, the seeds the protocol fuzzer mutates: Bob
 * (`bob-1`, the receiver under test) has talked with Alice and holds sessions in both directions;
 * some of Alice's messages are delivered (replays), some are not yet (fresh); Mallory sends over
 * X3DH and over the DH fallback; Bob's second device sends to him.
 *
 * Everything is deterministic: identities from names, a fixed clock, seeded key generation.
 *
 * @module
 */
import { defaultProvider, utf8 } from '../../src/crypto/index.ts'
import type { KeyPair, SecretKey } from '../../src/crypto/index.ts'
import { Protocol } from '../../src/protocol/index.ts'
import type { KeyPurpose } from '../../src/protocol/index.ts'
import { MemoryStore } from '../../src/store/index.ts'
import type { Bundle, ProtocolMessage } from '../../src/wire/index.ts'

export const crypto = defaultProvider()

/** 2026-01-01 in ns. */
export const T0 = 1_767_225_600_000_000_000n

export function identityKey(name: string): SecretKey {
  return crypto.secp256k1PrivateKey(crypto.sha256(utf8(`identity:${name}`)))
}

/** Key pairs from a counter: the fixture is the same on every run. */
function seededKeys(label: string): (purpose: KeyPurpose) => KeyPair {
  let i = 0
  return (purpose) =>
    crypto.keyPairFromPrivate(
      crypto.secp256k1PrivateKey(crypto.sha256(utf8(`${label}:${purpose}:${String(i++)}`))),
    )
}

export interface Party {
  readonly name: string
  readonly protocol: Protocol
  readonly store: MemoryStore
  readonly identity: SecretKey
  /** Compressed identity public key. */
  readonly publicKey: Uint8Array
  readonly installationId: string
}

export function party(name: string, installationId: string, clock: { now: bigint }): Party {
  const store = new MemoryStore()
  const identity = identityKey(name)
  const protocol = new Protocol({
    store,
    identity,
    installationId,
    clock: () => clock.now,
    generateKeyPair: seededKeys(`${name}/${installationId}`),
  })
  return {
    name,
    protocol,
    store,
    identity,
    publicKey: crypto.secp256k1PublicKey(identity, true),
    installationId,
  }
}

/** A message in the pool, with the identity that really sent (and signed) it. */
export interface Seed {
  readonly label: string
  readonly sender: Uint8Array
  readonly message: ProtocolMessage
}

export interface ProtocolFixture {
  readonly clock: { now: bigint }
  readonly alice: Party
  readonly bob: Party
  readonly bob2: Party
  readonly mallory: Party
  /** Messages to mutate (all addressed to Bob's identity). */
  readonly seeds: readonly Seed[]
  /** Bundles an attacker could attach: everyone's, including Bob's own. */
  readonly bundles: readonly Bundle[]
}

function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`fixture: ${what}`)
  return value
}

/** Builds the conversation. Bob's store afterwards is the state every fuzz input starts from. */
export function protocolFixture(): ProtocolFixture {
  const clock = { now: T0 }
  const alice = party('alice', 'alice-1', clock)
  const bob = party('bob', 'bob-1', clock)
  const bob2 = party('bob', 'bob-2', clock)
  const mallory = party('mallory', 'mallory-1', clock)
  const text = (s: string) => utf8(s)

  const bobBundle = bob.protocol.ourBundle()
  alice.protocol.processBundle(bobBundle)
  const a1 = alice.protocol.encrypt(bob.publicKey, text('a1: x3dh')).message
  must(bob.protocol.decrypt(alice.publicKey, a1), 'a1')
  clock.now += 1_000_000_000n
  const b1 = bob.protocol.encrypt(alice.publicKey, text('b1: reply')).message
  must(alice.protocol.decrypt(bob.publicKey, b1), 'b1')
  const a2 = alice.protocol.encrypt(bob.publicKey, text('a2: new chain')).message
  const a3 = alice.protocol.encrypt(bob.publicKey, text('a3: same chain')).message
  const a4 = alice.protocol.encrypt(bob.publicKey, text('a4: same chain')).message
  must(bob.protocol.decrypt(alice.publicKey, a2), 'a2')
  // a3, a4 stay undelivered: fresh, valid inputs (a4 needs one skipped key).

  mallory.protocol.processBundle(bobBundle)
  const m1 = mallory.protocol.encrypt(bob.publicKey, text('m1: x3dh')).message
  const lonely = party('mallory', 'mallory-2', clock)
  const m2 = lonely.protocol.encrypt(bob.publicKey, text('m2: dh fallback')).message

  bob2.protocol.processBundle(bobBundle)
  bob2.protocol.enableDevice('bob-1')
  const p1 = bob2.protocol.encrypt(bob.publicKey, text('p1: own device')).message
  const pub = alice.protocol.encrypt(bob.publicKey, text('unused')).message
  pub.publicMessage = text('public')
  pub.encryptedMessage = {}

  const seeds: Seed[] = [
    { label: 'a1 replay (x3dh)', sender: alice.publicKey, message: a1 },
    { label: 'a2 replay (new chain)', sender: alice.publicKey, message: a2 },
    { label: 'a3 fresh', sender: alice.publicKey, message: a3 },
    { label: 'a4 fresh (skip)', sender: alice.publicKey, message: a4 },
    { label: 'b1 own echo', sender: bob.publicKey, message: b1 },
    { label: 'm1 fresh x3dh', sender: mallory.publicKey, message: m1 },
    { label: 'm2 dh fallback', sender: mallory.publicKey, message: m2 },
    { label: 'p1 own device', sender: bob.publicKey, message: p1 },
    { label: 'public', sender: alice.publicKey, message: pub },
  ]
  const bundles = [
    bobBundle,
    alice.protocol.ourBundle(),
    mallory.protocol.ourBundle(),
    bob2.protocol.ourBundle(),
    lonely.protocol.ourBundle(),
  ]
  return { clock, alice, bob, bob2, mallory, seeds, bundles }
}
