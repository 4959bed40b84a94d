/**
 * Security properties and limits of the ratchet: forward secrecy (a state captured after a
 * message can't decrypt it again, and holds no key for it), post-compromise security (after one
 * round trip an attacker holding an old state can't follow), `TOO_MANY_SKIPPED` rejected before
 * any KDF or DH work, the MaxSkip/MaxMessageKeysPerSession/MaxKeep limits, the responder-sends-first
 * quirk, and that a state never prints a secret.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { inspect } from 'node:util'
import fc from 'fast-check'
import { bytesEqual, providers, toHex, utf8 } from '../../src/crypto/index.ts'
import {
  MAX_KEEP,
  MAX_MESSAGE_KEYS_PER_SESSION,
  MAX_SKIP,
  _kdf,
  _stateSecrets,
  decrypt,
  encrypt,
  initiator,
  responder,
  serialize,
} from '../../src/ratchet/index.ts'
import type { DhName, EncryptResult, RatchetState } from '../../src/ratchet/index.ts'
import {
  DH_NAMES,
  SEED,
  codeOf,
  countingProvider,
  generateKeyPair,
  newPair,
  resetCounts,
  stateHex,
} from './helpers.ts'

/** Sends `count` messages from `state`, returning them and the final state. */
function burst(state: RatchetState, count: number): { state: RatchetState; sent: EncryptResult[] } {
  const sent: EncryptResult[] = []
  let s = state
  for (let i = 0; i < count; i++) {
    const r = encrypt(s, utf8(`m${i}`))
    sent.push(r)
    s = r.state
  }
  return { state: s, sent }
}

for (const dh of DH_NAMES) {
  test(`${dh}: forward secrecy — a state after decrypting holds no key for that message (seed ${SEED})`, () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.nat(), (count, pickSeed) => {
        let { alice, bob } = newPair(dh)
        const keys: Uint8Array[] = []
        const sent: EncryptResult[] = []
        for (let i = 0; i < count; i++) {
          keys.push(_kdf.kdfCk(providers.portable, _stateSecrets(alice).sendingChainKey).messageKey)
          const r = encrypt(alice, utf8(`m${i}`))
          sent.push(r)
          alice = r.state
        }
        // Deliver in a rotated order: the first delivered skips the ones before it (stored keys).
        const start = pickSeed % count
        for (let k = 0; k < count; k++) {
          const i = (start + k) % count
          const m = sent[i]!
          bob = decrypt(bob, m.header, m.ciphertext).state
          assert.equal(
            codeOf(() => decrypt(bob, m.header, m.ciphertext)),
            'DUPLICATE',
          )
          assert.ok(!stateHex(bob).includes(toHex(keys[i]!)), 'used message key still in the state')
        }
        assert.equal(bob.skippedKeyCount, 0)
      }),
      { seed: SEED, numRuns: 40 },
    )
  })

  test(`${dh}: post-compromise security — one round trip locks out an attacker with an old state`, () => {
    let { alice, bob } = newPair(dh)
    const a0 = encrypt(alice, utf8('a0'))
    alice = a0.state
    bob = decrypt(bob, a0.header, a0.ciphertext).state
    const stolen = bob // the attacker copies Bob's whole state, DHs private key included

    const send = (from: 'alice' | 'bob', text: string): EncryptResult => {
      const r = encrypt(from === 'alice' ? alice : bob, utf8(text))
      if (from === 'alice') {
        alice = r.state
        bob = decrypt(bob, r.header, r.ciphertext).state
      } else {
        bob = r.state
        alice = decrypt(alice, r.header, r.ciphertext).state
      }
      return r
    }
    // One round trip: Alice answers with a fresh key, Bob answers with a fresh key of his own,
    // which the attacker never learns.
    const b1 = send('bob', 'b1')
    const a2 = send('alice', 'a2: still computable from the stolen DHs')
    const b2 = send('bob', 'b2: after the round trip')
    const a3 = send('alice', 'a3: after the round trip')

    // A passive attacker that sees every message and keeps whatever state decrypts.
    let attacker = stolen
    const readable: string[] = []
    for (const m of [b1, a2, b2, a3]) {
      try {
        const r = decrypt(attacker, m.header, m.ciphertext)
        attacker = r.state
        readable.push(new TextDecoder().decode(r.plaintext))
      } catch (e) {
        assert.ok(e instanceof Error && 'code' in e)
      }
    }
    assert.deepEqual(readable, ['a2: still computable from the stolen DHs'])
    for (const m of [b2, a3]) assert.ok(codeOf(() => decrypt(stolen, m.header, m.ciphertext)))
    const last = encrypt(alice, utf8('a4'))
    assert.equal(
      new TextDecoder().decode(decrypt(bob, last.header, last.ciphertext).plaintext),
      'a4',
    )
  })

  test(`${dh}: TOO_MANY_SKIPPED is decided before any KDF or DH work`, () => {
    const { crypto, counts } = countingProvider()
    const sk = crypto.randomBytes(32)
    const spk = generateKeyPair(dh, crypto)
    let alice = initiator(sk, spk.publicKey, { dh, crypto })
    let bob = responder(sk, spk, { dh, crypto })
    const first = encrypt(alice, utf8('first'))
    alice = first.state
    bob = decrypt(bob, first.header, first.ciphertext).state // bob: Nr = 1 on Alice's chain
    const template = encrypt(alice, utf8('x'))
    const stranger = generateKeyPair(dh, crypto).publicKey
    const cases = [
      { ...template.header, n: 1 + MAX_SKIP + 1 }, // same chain, gap MAX_SKIP + 1
      { ...template.header, n: 2 ** 32 - 1 },
      { dh: stranger, n: MAX_SKIP + 1, pn: 1 }, // new chain, gap in the new chain
      { dh: stranger, n: 0, pn: 1 + MAX_SKIP + 1 }, // new chain, gap in the old chain
    ]
    for (const h of cases) {
      resetCounts(counts)
      const before = stateHex(bob)
      assert.equal(
        codeOf(() => decrypt(bob, h, template.ciphertext)),
        'TOO_MANY_SKIPPED',
      )
      assert.deepEqual(counts, { hmac: 0, hkdf: 0, dh: 0 })
      assert.equal(stateHex(bob), before)
    }
  })

  test(`${dh}: a gap of exactly MAX_SKIP decrypts; the skipped keys stay usable`, () => {
    let { alice, bob } = newPair(dh)
    const b = burst(alice, MAX_SKIP + 1)
    alice = b.state
    const lastMsg = b.sent[MAX_SKIP]!
    bob = decrypt(bob, lastMsg.header, lastMsg.ciphertext).state
    assert.equal(bob.skippedKeyCount, MAX_SKIP)
    const early = b.sent[0]!
    assert.equal(
      new TextDecoder().decode(decrypt(bob, early.header, early.ciphertext).plaintext),
      'm0',
    )
  })
}

test('MAX_MESSAGE_KEYS_PER_SESSION: the oldest skipped keys are pruned first', () => {
  const dh: DhName = 'x25519'
  let { alice, bob } = newPair(dh)
  // Chain 1 of Alice: 1000 skipped, 1 received.
  const c1 = burst(alice, MAX_SKIP + 1)
  alice = c1.state
  bob = decrypt(bob, c1.sent[MAX_SKIP]!.header, c1.sent[MAX_SKIP]!.ciphertext).state
  // Round trip so Alice starts chains 2 and 3 with 1000 skipped messages each.
  for (let round = 0; round < 2; round++) {
    const reply = encrypt(bob, utf8('reply'))
    bob = reply.state
    alice = decrypt(alice, reply.header, reply.ciphertext).state
    const c = burst(alice, MAX_SKIP + 1)
    alice = c.state
    bob = decrypt(bob, c.sent[MAX_SKIP]!.header, c.sent[MAX_SKIP]!.ciphertext).state
    assert.ok(bob.skippedKeyCount <= MAX_MESSAGE_KEYS_PER_SESSION)
  }
  assert.equal(bob.skippedKeyCount, MAX_MESSAGE_KEYS_PER_SESSION)
  // Chain 1's keys were the oldest: gone. Its messages are now duplicates.
  assert.equal(
    codeOf(() => decrypt(bob, c1.sent[5]!.header, c1.sent[5]!.ciphertext)),
    'DUPLICATE',
  )
})

test('MAX_KEEP: a skipped key expires after MAX_KEEP later receiving keys', () => {
  let { alice, bob } = newPair('x25519')
  const b = burst(alice, 2)
  alice = b.state
  bob = decrypt(bob, b.sent[1]!.header, b.sent[1]!.ciphertext).state // stores key 0 (seq 0)
  assert.equal(bob.skippedKeyCount, 1)
  // keysCount is now 2; key seq 0 expires when keysCount − MAX_KEEP ≥ 0.
  const more = burst(alice, MAX_KEEP - 2)
  alice = more.state
  for (const [i, m] of more.sent.entries()) {
    bob = decrypt(bob, m.header, m.ciphertext).state
    assert.equal(bob.skippedKeyCount, i === more.sent.length - 1 ? 0 : 1)
  }
  assert.equal(
    codeOf(() => decrypt(bob, b.sent[0]!.header, b.sent[0]!.ciphertext)),
    'DUPLICATE',
  )
})

test('responder sends first: Alice decrypts on CKr = SK without a DH step', () => {
  for (const dh of DH_NAMES) {
    let { alice, bob } = newPair(dh)
    const b1 = encrypt(bob, utf8('bob first'))
    bob = b1.state
    assert.ok(bytesEqual(b1.header.dh, bob.ratchetPublicKey))
    const dhrBefore = alice.remoteRatchetPublicKey!
    const r = decrypt(alice, b1.header, b1.ciphertext)
    alice = r.state
    assert.equal(new TextDecoder().decode(r.plaintext), 'bob first')
    assert.ok(bytesEqual(alice.remoteRatchetPublicKey!, dhrBefore))
    const a1 = encrypt(alice, utf8('alice'))
    assert.equal(
      new TextDecoder().decode(decrypt(bob, a1.header, a1.ciphertext).plaintext),
      'alice',
    )
  }
})

test('a state never prints its secrets', () => {
  for (const dh of DH_NAMES) {
    let { alice, bob } = newPair(dh)
    const b = burst(alice, 3)
    alice = b.state
    bob = decrypt(bob, b.sent[2]!.header, b.sent[2]!.ciphertext).state
    for (const s of [alice, bob]) {
      const secrets = _stateSecrets(s)
      const shown = [
        inspect(s, { depth: 10, showHidden: true }),
        String(s),
        s.toString(),
        JSON.stringify(s),
      ]
      for (const text of shown) {
        for (const k of Object.values(secrets)) assert.ok(!text.includes(toHex(k)), text)
      }
      assert.match(inspect(s), /^RatchetState \{ dh: '(secp256k1|x25519)', ns: \d+/)
      assert.ok(serialize(s).length > 0)
    }
  }
})
