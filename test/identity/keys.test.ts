/**
 * keys.json (identity README "Conventions"): the 22 keys the other files use. Private keys give
 * their public keys, the labelled ones are sha256("status-identity-vectors/" + label), and every
 * key has one consistent identity across alias.json, emojihash.json, colorhash.json and
 * compressed_key.json (checked through `chatIdentity`).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { fromHex, providers, toHex, utf8 } from '../../src/crypto/index.ts'
import { isPfsError } from '../../src/errors.ts'
import { chatIdentity } from '../../src/messenger/identity/index.ts'
import keys from '../../../shared/identity/keys.json' with { type: 'json' }
import aliasVectors from '../../../shared/identity/alias.json' with { type: 'json' }
import emojiVectors from '../../../shared/identity/emojihash.json' with { type: 'json' }
import colorVectors from '../../../shared/identity/colorhash.json' with { type: 'json' }
import compressedVectors from '../../../shared/identity/compressed_key.json' with { type: 'json' }

const find = <T extends { label: string }>(list: T[], label: string): T => {
  const hit = list.find((c) => c.label === label)
  assert.ok(hit, `${label} missing`)
  return hit
}

for (const [name, crypto] of Object.entries(providers)) {
  test(`keys.json (${name}): private → public, labelled derivation, one identity per key`, () => {
    assert.equal(keys.cases.length, 22)
    for (const k of keys.cases as { label: string; public_key: string; private_key?: string }[]) {
      if (k.private_key !== undefined) {
        const sk = crypto.secp256k1PrivateKey(fromHex(k.private_key))
        assert.equal(toHex(crypto.secp256k1PublicKey(sk, false)), k.public_key, k.label)
      }
      if (/^(k\d\d|search-\d+)$/.test(k.label)) {
        assert.equal(
          toHex(crypto.sha256(utf8(`status-identity-vectors/${k.label}`))),
          k.private_key,
          k.label,
        )
      }
      const id = chatIdentity(fromHex(k.public_key), crypto)
      assert.equal(id.chatId, `0x${k.public_key}`)
      assert.equal(id.alias, find(aliasVectors.cases, k.label).alias, k.label)
      assert.deepEqual(id.emojiHash, find(emojiVectors.cases, k.label).emoji_hash, k.label)
      const color = find(colorVectors.cases, k.label)
      assert.deepEqual(id.colorHash, color.color_hash, k.label)
      assert.equal(id.colorId, color.color_id, k.label)
      const compressed = find(compressedVectors.cases, k.label)
      assert.equal(id.compressedKey, compressed.compressed_key, k.label)
      assert.equal(id.compressedKeyShort, compressed.compressed_key_short, k.label)
      assert.equal(id.shareUrl, `https://status.app/u#${compressed.compressed_key}`)
    }
  })
}

test('public-key input: malformed strings and bytes are typed errors', () => {
  const hex = keys.cases[0]!.public_key
  const strings: [string, string][] = [
    [hex, 'length'],
    [`0x${hex.slice(2)}`, 'length'],
    [`0x${hex}00`, 'length'],
    ['', 'length'],
    [`0x${hex.slice(0, -1)}g`, 'encoding'],
  ]
  for (const [bad, reason] of strings) {
    assert.throws(
      () => chatIdentity(bad),
      (e) => isPfsError(e, 'INVALID_ARGUMENT') && e.details['reason'] === reason,
      bad,
    )
  }
  assert.throws(
    () => chatIdentity(null as unknown as string),
    (e) => isPfsError(e, 'INVALID_ARGUMENT') && e.details['reason'] === 'type',
  )
  const bytes: [Uint8Array, string][] = [
    [new Uint8Array(0), 'format'],
    [new Uint8Array(65), 'format'],
    [Uint8Array.of(4, ...new Uint8Array(64).fill(0x11)), 'not-on-curve'],
    [Uint8Array.of(2, ...new Uint8Array(32).fill(0xff)), 'not-on-curve'],
  ]
  for (const [bad, reason] of bytes) {
    assert.throws(
      () => chatIdentity(bad),
      (e) => isPfsError(e, 'INVALID_KEY') && e.details['reason'] === reason,
    )
  }
})
