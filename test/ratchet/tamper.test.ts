/**
 * Tampering: flipping any bit of a header field or of the ciphertext is rejected with
 * `MAC_MISMATCH` (or another typed error where the header no longer makes sense: `DUPLICATE`,
 * `TOO_MANY_SKIPPED`, `WIRE_MALFORMED`, `INVALID_KEY`), the state is byte-identical afterwards,
 * and the untampered message still decrypts from that same state. Covered for the three decrypt
 * paths: same chain, new chain (DH step) and skipped-key store. Truncations too.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { bytesEqual, utf8 } from '../../src/crypto/index.ts'
import { decrypt, encrypt } from '../../src/ratchet/index.ts'
import type { DhName, Header, RatchetState } from '../../src/ratchet/index.ts'
import { DH_NAMES, SEED, codeOf, newPair, stateHex } from './helpers.ts'

const TYPED = new Set([
  'MAC_MISMATCH',
  'DUPLICATE',
  'TOO_MANY_SKIPPED',
  'WIRE_MALFORMED',
  'INVALID_KEY',
])

interface Target {
  readonly path: string
  readonly state: RatchetState
  readonly header: Header
  readonly ciphertext: Uint8Array
  readonly plaintext: Uint8Array
}

/** One receiving state and message for each decrypt path. */
function targets(dh: DhName): Target[] {
  let { alice, bob } = newPair(dh)
  const send = (from: 'a' | 'b', text: string) => {
    const r = encrypt(from === 'a' ? alice : bob, utf8(text))
    if (from === 'a') alice = r.state
    else bob = r.state
    return { header: r.header, ciphertext: r.ciphertext, plaintext: utf8(text) }
  }
  const a1 = send('a', 'a1: new chain for bob')
  const out: Target[] = [{ path: 'new chain', state: bob, ...a1 }]
  bob = decrypt(bob, a1.header, a1.ciphertext).state
  const a2 = send('a', 'a2: skipped')
  const a3 = send('a', 'a3: same chain')
  out.push({ path: 'same chain', state: bob, ...a3 })
  bob = decrypt(bob, a3.header, a3.ciphertext).state
  out.push({ path: 'skipped-key store', state: bob, ...a2 })
  return out
}

function flip(bytes: Uint8Array, bit: number): Uint8Array {
  const out = bytes.slice()
  out[(bit >>> 3) % out.length]! ^= 1 << (bit & 7)
  return out
}

for (const dh of DH_NAMES) {
  const all = targets(dh)
  for (const t of all) {
    test(`${dh} ${t.path}: any flipped bit is a typed error and changes nothing (seed ${SEED})`, () => {
      const before = stateHex(t.state)
      const fieldArb = fc.constantFrom('dh', 'n', 'pn', 'ciphertext')
      fc.assert(
        fc.property(fieldArb, fc.nat(), (field, bit) => {
          let header = t.header
          let ciphertext = t.ciphertext
          if (field === 'dh') header = { ...header, dh: flip(header.dh, bit) }
          else if (field === 'n') header = { ...header, n: (header.n ^ (1 << (bit % 32))) >>> 0 }
          else if (field === 'pn') header = { ...header, pn: (header.pn ^ (1 << (bit % 32))) >>> 0 }
          else ciphertext = flip(ciphertext, bit % (ciphertext.length * 8))
          const code = codeOf(() => decrypt(t.state, header, ciphertext))
          assert.ok(TYPED.has(code), `${field}: ${code}`)
          if (field === 'ciphertext') assert.equal(code, 'MAC_MISMATCH')
          assert.equal(stateHex(t.state), before)
        }),
        { seed: SEED, numRuns: 150 },
      )
      // The genuine message still decrypts from the very same state.
      const ok = decrypt(t.state, t.header, t.ciphertext)
      assert.ok(bytesEqual(ok.plaintext, t.plaintext))
    })

    test(`${dh} ${t.path}: truncated, extended and wrong-AD ciphertexts are MAC_MISMATCH`, () => {
      const before = stateHex(t.state)
      for (const len of [0, 1, 16, 47, 48, t.ciphertext.length - 1]) {
        assert.equal(
          codeOf(() => decrypt(t.state, t.header, t.ciphertext.subarray(0, len))),
          'MAC_MISMATCH',
        )
      }
      const longer = new Uint8Array(t.ciphertext.length + 1)
      longer.set(t.ciphertext)
      assert.equal(
        codeOf(() => decrypt(t.state, t.header, longer)),
        'MAC_MISMATCH',
      )
      assert.equal(
        codeOf(() => decrypt(t.state, t.header, t.ciphertext, utf8('x'))),
        'MAC_MISMATCH',
      )
      assert.equal(stateHex(t.state), before)
    })
  }

  test(`${dh}: malformed headers are WIRE_MALFORMED before any work`, () => {
    const [t] = all
    const bad: Header[] = [
      { ...t!.header, dh: t!.header.dh.subarray(1) },
      { ...t!.header, dh: new Uint8Array(65) },
      { ...t!.header, n: -1 },
      { ...t!.header, n: 2 ** 32 },
      { ...t!.header, pn: 1.5 },
    ]
    if (dh === 'secp256k1') bad.push({ ...t!.header, dh: flip(t!.header.dh, 2) }) // prefix 02/03 → 06/07
    for (const h of bad)
      assert.equal(
        codeOf(() => decrypt(t!.state, h, t!.ciphertext)),
        'WIRE_MALFORMED',
      )
  })
}
