import assert from 'node:assert/strict'
import { test } from 'node:test'
import { decrypt, encrypt } from '../../src/ratchet/index.ts'
import type { RatchetState } from '../../src/ratchet/index.ts'
import { _keepNewestSkipped } from '../../src/ratchet/state.ts'
import { codeOf, newPair } from './helpers.ts'

const text = (i: number): Uint8Array => new TextEncoder().encode(`m${String(i)}`)

test('_keepNewestSkipped keeps exactly the newest skipped keys, and the original state all of them', () => {
  let { alice, bob } = newPair('secp256k1')
  const sent: { header: Parameters<typeof decrypt>[1]; ciphertext: Uint8Array }[] = []
  for (let i = 0; i < 10; i++) {
    const r = encrypt(alice, text(i))
    alice = r.state
    sent.push({ header: r.header, ciphertext: r.ciphertext })
  }
  // Bob reads the last message first: messages 0..8 become 9 skipped keys, in order.
  const last = decrypt(bob, sent[9]!.header, sent[9]!.ciphertext)
  bob = last.state
  assert.equal(bob.skippedKeyCount, 9)
  const trimmed: RatchetState = _keepNewestSkipped(bob, 3)
  assert.equal(trimmed.skippedKeyCount, 3)
  assert.equal(_keepNewestSkipped(bob, 9), bob)
  // The newest three (6, 7, 8) still decrypt in the trimmed copy; 5 and older do not.
  for (const i of [6, 7, 8]) {
    assert.deepEqual(decrypt(trimmed, sent[i]!.header, sent[i]!.ciphertext).plaintext, text(i))
  }
  assert.equal(
    codeOf(() => decrypt(trimmed, sent[5]!.header, sent[5]!.ciphertext)),
    'DUPLICATE',
  )
  // The state it came from is untouched.
  assert.equal(bob.skippedKeyCount, 9)
  assert.deepEqual(decrypt(bob, sent[0]!.header, sent[0]!.ciphertext).plaintext, text(0))
})
