/**
 * The per-call catch-up allowance of `decrypt` (issue 10 "long offline"): `maxSkip` lets one
 * header skip more than `MAX_SKIP` keys, up to the hard cap `MAX_CATCH_UP_SKIP`; without it, or
 * beyond the cap, the header is refused before any KDF or DH work and the state is unchanged.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { utf8 } from '../../src/crypto/index.ts'
import {
  MAX_CATCH_UP_SKIP,
  MAX_MESSAGE_KEYS_PER_SESSION,
  MAX_SKIP,
  decrypt,
  encrypt,
  initiator,
  responder,
} from '../../src/ratchet/index.ts'
import type { DhName, EncryptResult, RatchetState } from '../../src/ratchet/index.ts'
import {
  DH_NAMES,
  codeOf,
  countingProvider,
  generateKeyPair,
  resetCounts,
  stateHex,
} from './helpers.ts'

const GAP = 1500

function burst(state: RatchetState, count: number): { state: RatchetState; sent: EncryptResult[] } {
  const sent: EncryptResult[] = []
  for (let i = 0; i < count; i++) {
    const r = encrypt(state, utf8(`m${String(i)}`))
    sent.push(r)
    state = r.state
  }
  return { state, sent }
}

test('the hard cap keeps the skipped keys of one header within what a session keeps', () => {
  assert.ok(MAX_CATCH_UP_SKIP > GAP && GAP > MAX_SKIP)
  assert.ok(MAX_CATCH_UP_SKIP <= MAX_MESSAGE_KEYS_PER_SESSION)
})

/** A fresh session of `dh`: Alice sent one message and Bob read it. */
function established(dh: DhName): {
  alice: RatchetState
  bob: RatchetState
} & ReturnType<typeof countingProvider> {
  const { crypto, counts } = countingProvider()
  const sk = crypto.randomBytes(32)
  const spk = generateKeyPair(dh, crypto)
  const first = encrypt(initiator(sk, spk.publicKey, { dh, crypto }), utf8('first'))
  const bob = decrypt(responder(sk, spk, { dh, crypto }), first.header, first.ciphertext).state
  return { alice: first.state, bob, counts, crypto }
}

for (const dh of DH_NAMES) {
  test(`${dh}: a gap of ${String(GAP)} needs the allowance; with it every message decrypts`, () => {
    const e = established(dh)
    const counts = e.counts
    let alice = e.alice
    let bob = e.bob
    const b = burst(alice, GAP + 1)
    alice = b.state
    const last = b.sent[GAP]!
    const before = stateHex(bob)
    resetCounts(counts)
    // Without an allowance (and with one too small): refused with no KDF work.
    for (const maxSkip of [undefined, GAP - 1]) {
      const opts = maxSkip === undefined ? {} : { maxSkip }
      assert.equal(
        codeOf(() => decrypt(bob, last.header, last.ciphertext, undefined, opts)),
        'TOO_MANY_SKIPPED',
      )
    }
    assert.deepEqual(counts, { hmac: 0, hkdf: 0, dh: 0 })
    assert.equal(stateHex(bob), before)
    const got = decrypt(bob, last.header, last.ciphertext, undefined, { maxSkip: GAP })
    assert.equal(new TextDecoder().decode(got.plaintext), `m${String(GAP)}`)
    bob = got.state
    // The skipped keys of the gap were kept: the earlier messages decrypt, in any order.
    for (let i = GAP - 1; i >= 0; i--) {
      const m = b.sent[i]!
      const r = decrypt(bob, m.header, m.ciphertext)
      assert.equal(new TextDecoder().decode(r.plaintext), `m${String(i)}`)
      bob = r.state
    }
    // The allowance was one-off: the next long gap is refused again.
    const c = burst(alice, MAX_SKIP + 2)
    const far = c.sent[MAX_SKIP + 1]!
    assert.equal(
      codeOf(() => decrypt(bob, far.header, far.ciphertext)),
      'TOO_MANY_SKIPPED',
    )
  })

  test(`${dh}: beyond the hard cap refused whatever the allowance, without work`, () => {
    const { alice, bob, counts, crypto } = established(dh)
    const template = encrypt(alice, utf8('x'))
    const before = stateHex(bob)
    resetCounts(counts)
    // Nr = 1: n = 1 + cap + 1 is a gap of cap + 1; and a new chain beyond the cap.
    const cases = [
      { ...template.header, n: MAX_CATCH_UP_SKIP + 2 },
      { ...template.header, n: 0xffffffff },
      { dh: generateKeyPair(dh, crypto).publicKey, n: MAX_CATCH_UP_SKIP + 1, pn: 1 },
    ]
    for (const h of cases) {
      for (const maxSkip of [MAX_CATCH_UP_SKIP, 50_000, Number.MAX_SAFE_INTEGER]) {
        assert.equal(
          codeOf(() => decrypt(bob, h, template.ciphertext, undefined, { maxSkip })),
          'TOO_MANY_SKIPPED',
        )
      }
    }
    assert.deepEqual(counts, { hmac: 0, hkdf: 0, dh: 0 })
    assert.equal(stateHex(bob), before)
    // Exactly at the cap still decrypts.
    const b = burst(template.state, MAX_CATCH_UP_SKIP)
    const atCap = b.sent[MAX_CATCH_UP_SKIP - 1]!
    // Nr = 1; template is n = 1, so atCap is n = MAX_CATCH_UP_SKIP + 1: a gap of the cap.
    const got = decrypt(bob, atCap.header, atCap.ciphertext, undefined, {
      maxSkip: MAX_CATCH_UP_SKIP,
    })
    assert.equal(got.plaintext.length > 0, true)
  })
}

test('maxSkip must be a non-negative integer; 0 refuses any gap', () => {
  const { crypto } = countingProvider()
  const sk = crypto.randomBytes(32)
  const spk = generateKeyPair('secp256k1', crypto)
  const alice = initiator(sk, spk.publicKey, { crypto })
  const bob = responder(sk, spk, { crypto })
  const m0 = encrypt(alice, utf8('0'))
  const m1 = encrypt(m0.state, utf8('1'))
  for (const bad of [-1, 1.5, Number.NaN, Infinity]) {
    assert.throws(
      () => decrypt(bob, m1.header, m1.ciphertext, undefined, { maxSkip: bad }),
      RangeError,
    )
  }
  assert.equal(
    codeOf(() => decrypt(bob, m1.header, m1.ciphertext, undefined, { maxSkip: 0 })),
    'TOO_MANY_SKIPPED',
  )
  assert.equal(decrypt(bob, m0.header, m0.ciphertext, undefined, { maxSkip: 0 }).plaintext[0], 48)
})
