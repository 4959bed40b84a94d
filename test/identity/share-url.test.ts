/**
 * Profile share links (identity README §6): every case of share_url.json — building links
 * byte-for-byte as status-go does, with every intermediate value, and parsing them back, including
 * the two links made by the Status apps — and the ways a link can be malformed.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { brotliCompressSync, brotliDecompressSync } from 'node:zlib'
import { fromHex, toHex } from '../../src/crypto/index.ts'
import { isPfsError } from '../../src/errors.ts'
import type { ErrorCode } from '../../src/errors.ts'
import {
  compressKey,
  decodeUserData,
  encodeUserData,
  parseShareUrl,
  shareUrl,
} from '../../src/messenger/identity/index.ts'
import vectors from '../../../shared/identity/share_url.json' with { type: 'json' }

const kinds = (k: string) => vectors.cases.filter((c) => c.kind === k)

test('share_url.json: counts match the README', () => {
  assert.equal(kinds('user_chat_key').length, 4)
  assert.equal(kinds('user_with_data').length, 3)
  assert.equal(kinds('parse_only').length, 2)
})

test('user_chat_key: build and parse https://status.app/u#zQ3…', () => {
  for (const c of kinds('user_chat_key')) {
    const key = fromHex(c.public_key)
    assert.equal(shareUrl(key), c.url, c.label)
    assert.equal(shareUrl(`0x${c.public_key}`, { displayName: '', description: '' }), c.url)
    const p = parseShareUrl(c.url)
    assert.equal(p.compressedKey, c.parsed.publicKey, c.label)
    assert.equal(p.displayName, c.parsed.displayName)
    assert.equal(p.description, c.parsed.description)
    assert.equal(p.color, '')
    assert.equal(toHex(p.publicKey), c.public_key)
  }
})

test("user_with_data: protobuf, brotli, base64url and the link are status-go's bytes", () => {
  for (const c of kinds('user_with_data')) {
    const c2 = c as typeof c & {
      display_name: string
      description: string
      user_protobuf: string
      url_data_protobuf: string
      brotli: string
      encoded_data: string
    }
    const profile = { displayName: c2.display_name, description: c2.description }
    // The intermediate values, decoded from what we build.
    const encoded = encodeUserData(profile)
    assert.equal(encoded, c2.encoded_data, c.label)
    const brotli = Buffer.from(encoded, 'base64url')
    assert.equal(toHex(brotli), c2.brotli, c.label)
    const urlData = toHex(brotliDecompressSync(brotli))
    assert.equal(urlData, c2.url_data_protobuf, c.label)
    assert.ok(urlData.endsWith(c2.user_protobuf), c.label)

    assert.equal(shareUrl(fromHex(c.public_key), profile), c.url, c.label)
    const p = parseShareUrl(c.url)
    assert.equal(p.compressedKey, c.parsed.publicKey, c.label)
    assert.equal(p.displayName, c.parsed.displayName, c.label)
    assert.equal(p.description, c.parsed.description, c.label)
    assert.equal(p.color, '')
    assert.equal(toHex(p.publicKey), c.public_key)
  }
})

test('parse_only: links made by the Status apps (another brotli encoder, User.color set)', () => {
  for (const c of kinds('parse_only')) {
    const p = parseShareUrl(c.url)
    assert.equal(p.compressedKey, c.parsed.publicKey, c.label)
    assert.equal(p.displayName, c.parsed.displayName)
    assert.equal(p.description, c.parsed.description)
    assert.equal(toHex(p.publicKey), c.public_key)
    assert.equal(p.compressedKey, compressKey(fromHex(c.public_key)))
    if (c.url.includes('/u/')) {
      const c2 = c as typeof c & { brotli: string; url_data_protobuf: string }
      assert.equal(p.color, '#BA434D')
      const data = c.url.slice('https://status.app/u/'.length, c.url.indexOf('#'))
      assert.equal(toHex(Buffer.from(data, 'base64url')), c2.brotli)
      assert.equal(toHex(brotliDecompressSync(fromHex(c2.brotli))), c2.url_data_protobuf)
      assert.deepEqual(decodeUserData(data), {
        displayName: c.parsed.displayName,
        description: c.parsed.description,
        color: '#BA434D',
      })
    }
  }
})

test('shareUrl/parseShareUrl round-trip for arbitrary profile text', () => {
  const key = fromHex(vectors.cases[0]!.public_key)
  for (const profile of [
    { displayName: 'x' },
    { description: 'bio only' },
    { displayName: 'a'.repeat(1000), description: '🦄\u0000"<>&\n' },
  ]) {
    const p = parseShareUrl(shareUrl(key, profile))
    assert.equal(p.displayName, profile.displayName ?? '')
    assert.equal(p.description, profile.description ?? '')
  }
})

test('parseShareUrl: malformed links are typed errors', () => {
  const good = kinds('user_with_data')[0]!.url
  const [data, key] = good.slice('https://status.app/u/'.length).split('#') as [string, string]
  const bad: [string, ErrorCode, string][] = [
    ['', 'INVALID_ARGUMENT', 'prefix'],
    [
      'https://status.app/c#zQ3shgXaXEtHSFVhHgTUiCSNAXYKeKryUVnPZZJLBMDutaWHB',
      'INVALID_ARGUMENT',
      'prefix',
    ],
    [
      'http://status.app/u#zQ3shgXaXEtHSFVhHgTUiCSNAXYKeKryUVnPZZJLBMDutaWHB',
      'INVALID_ARGUMENT',
      'prefix',
    ],
    ['https://status.app/u#vitalik.eth', 'UNSUPPORTED', 'ens'],
    [
      'https://status.app/u#zQ3shgXaXEtHSFVhHgTUiCSNAXYKeKryUVnPZZJLBMDutaWH1',
      'INVALID_KEY',
      'not-on-curve',
    ],
    [`https://status.app/u/${data}`, 'INVALID_ARGUMENT', 'fragment'],
    [`https://status.app/u/${data}#`, 'INVALID_ARGUMENT', 'empty'],
    [`https://status.app/u/${data}#vitalik.eth`, 'INVALID_ARGUMENT', 'multibase'],
    [`https://status.app/u/${data.replace(/=+$/, '')}#${key}`, 'INVALID_ARGUMENT', 'encoding'],
    [`https://status.app/u/${data.replace('C', '+')}#${key}`, 'INVALID_ARGUMENT', 'encoding'],
    [`https://status.app/u/AAAA#${key}`, 'INVALID_ARGUMENT', 'compression'],
    [`https://status.app/u/${'A'.repeat(9000)}#${key}`, 'INVALID_ARGUMENT', 'length'],
  ]
  for (const [url, code, reason] of bad) {
    assert.throws(
      () => parseShareUrl(url),
      (e) => {
        assert.ok(isPfsError(e, code), `${url.slice(0, 60)}: ${String(e)}`)
        assert.equal(e.details['reason'], reason, url.slice(0, 60))
        return true
      },
    )
  }
})

test('decodeUserData: over 4096 decompressed bytes, bad protobuf, bad UTF-8 are refused', () => {
  const big = encodeUserData({ displayName: 'x'.repeat(5000) })
  assert.throws(
    () => decodeUserData(big),
    (e) => isPfsError(e, 'INVALID_ARGUMENT') && e.details['reason'] === 'compression',
  )
  // Hand-made protobuf, brotli-compressed.
  const wrap = (hex: string) => encodeRaw(fromHex(hex))
  for (const pb of ['0a', '0a05', '0f', '0a030aff01', '0a0208']) {
    assert.throws(
      () => decodeUserData(wrap(pb)),
      (e) => isPfsError(e, 'INVALID_ARGUMENT') && e.details['reason'] === 'data',
      pb,
    )
  }
  // Unknown fields (a Shard, a varint) are skipped as proto3 requires.
  assert.deepEqual(decodeUserData(wrap('0a070a05416c696365120208011801')), {
    displayName: 'Alice',
    description: '',
    color: '',
  })
})

/** base64url(brotli) of `bytes` via Node's encoder, for hand-made payloads. */
function encodeRaw(bytes: Uint8Array): string {
  const s = brotliCompressSync(bytes).toString('base64url')
  return s + '='.repeat((4 - (s.length % 4)) % 4)
}
