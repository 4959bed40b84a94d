/**
 * The `zQ3sh…` compressed chat key (identity README §5): every case and every edge case of
 * compressed_key.json, each error a typed PfsError, and a round-trip property for random keys.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { SecretKey, fromHex, providers, toHex } from '../../src/crypto/index.ts'
import { isPfsError } from '../../src/errors.ts'
import type { ErrorCode } from '../../src/errors.ts'
import {
  chatId,
  compressKey,
  decompressKey,
  shortenCompressedKey,
} from '../../src/messenger/identity/index.ts'
import vectors from '../../../shared/identity/compressed_key.json' with { type: 'json' }

/** How each status-go error of `edge_cases` surfaces here: code and `details.reason`. */
const EXPECTED_ERRORS: Record<string, [ErrorCode, string]> = {
  no_0x_prefix: ['INVALID_ARGUMENT', 'length'],
  compressed_input_rejected: ['INVALID_ARGUMENT', 'length'],
  point_not_on_curve: ['INVALID_KEY', 'not-on-curve'],
  empty: ['INVALID_ARGUMENT', 'empty'],
  uncompressed_multicodec_in_base58: ['INVALID_KEY', 'format'],
  wrong_multibase_prefix_Z: ['INVALID_KEY', 'key-type'],
  last_char_changed: ['INVALID_KEY', 'not-on-curve'],
}

for (const [name, crypto] of Object.entries(providers)) {
  test(`compressed_key.json cases (${name})`, () => {
    assert.equal(vectors.cases.length, 22)
    for (const c of vectors.cases) {
      const key = fromHex(c.public_key)
      assert.equal(toHex(crypto.compressPublicKey(key)), c.public_key_compressed, c.label)
      assert.equal(c.multicodec_bytes, `e701${c.public_key_compressed}`, c.label)
      assert.equal(compressKey(key, crypto), c.compressed_key, c.label)
      assert.equal(compressKey(`0x${c.public_key}`, crypto), c.compressed_key, c.label)
      assert.equal(compressKey(crypto.compressPublicKey(key), crypto), c.compressed_key, c.label)
      assert.equal(c.compressed_key.length, 49)
      assert.ok(c.compressed_key.startsWith('zQ3sh'))
      assert.equal(shortenCompressedKey(c.compressed_key), c.compressed_key_short, c.label)
      const back = decompressKey(c.compressed_key, crypto)
      assert.equal(`0x${toHex(back)}`, c.deserialize_compressed_key_output, c.label)
      assert.equal(chatId(back, crypto), c.deserialize_compressed_key_output, c.label)
      // status-go's multibase-hex forms decode too.
      assert.equal(toHex(decompressKey(c.serialize_public_key_base_f_output, crypto)), c.public_key)
      assert.equal(c.deserialize_public_key_base_f_output, `fe701${c.public_key}`, c.label)
    }
  })

  test(`compressed_key.json edge cases (${name})`, () => {
    assert.equal(vectors.edge_cases.length, 10)
    for (const c of vectors.edge_cases) {
      const run =
        c.function === 'SerializeLegacyKey'
          ? () => compressKey(c.input, crypto)
          : () => `0x${toHex(decompressKey(c.input, crypto))}`
      if (c.error === null) {
        assert.equal(run(), c.output, c.label)
        continue
      }
      const [code, reason] = EXPECTED_ERRORS[c.label]!
      assert.ok(code, `no expectation for ${c.label}`)
      assert.throws(run, (e) => {
        assert.ok(isPfsError(e, code), `${c.label}: ${String(e)}`)
        assert.equal(e.details['reason'], reason, c.label)
        return true
      })
    }
  })
}

test('decompressKey: other malformed input is typed too', () => {
  const good = vectors.cases[0]!.compressed_key
  const cases: [string, ErrorCode][] = [
    ['x', 'INVALID_ARGUMENT'],
    ['z', 'INVALID_ARGUMENT'],
    ['zQ3sh0', 'INVALID_ARGUMENT'],
    [`${good}1`, 'INVALID_KEY'],
    [good.slice(0, -1), 'INVALID_KEY'],
    ['f', 'INVALID_ARGUMENT'],
    ['0x', 'INVALID_ARGUMENT'],
    ['fe70', 'INVALID_ARGUMENT'],
    ['fe7', 'INVALID_KEY'],
    ['fe701', 'INVALID_KEY'],
    ['fe70102', 'INVALID_KEY'],
    ['f8080808080', 'INVALID_KEY'],
    [`z${'1'.repeat(300)}`, 'INVALID_ARGUMENT'],
    [`mabc`, 'INVALID_ARGUMENT'],
  ]
  for (const [input, code] of cases) {
    assert.throws(
      () => decompressKey(input),
      (e) => isPfsError(e, code),
      input,
    )
  }
  assert.throws(
    () => decompressKey(42 as unknown as string),
    (e) => isPfsError(e, 'INVALID_ARGUMENT'),
  )
  assert.throws(
    () => compressKey(new Uint8Array(64)),
    (e) => isPfsError(e, 'INVALID_KEY'),
  )
  assert.throws(
    () => compressKey(Uint8Array.of(4, ...new Uint8Array(64))),
    (e) => isPfsError(e, 'INVALID_KEY'),
  )
})

for (const [name, crypto] of Object.entries(providers)) {
  test(`property (${name}): compressKey/decompressKey round-trip for random valid keys`, () => {
    const scalar = fc.uint8Array({ minLength: 32, maxLength: 32 }).filter((b) => {
      try {
        crypto.secp256k1PrivateKey(b)
        return true
      } catch {
        return false
      }
    })
    fc.assert(
      fc.property(scalar, (bytes) => {
        const sk = SecretKey.fromBytes(bytes)
        const pub = crypto.secp256k1PublicKey(sk, false)
        const z = compressKey(pub, crypto)
        assert.equal(z.length, 49)
        assert.ok(z.startsWith('zQ3sh'))
        assert.deepEqual(decompressKey(z, crypto), pub)
        assert.equal(compressKey(`0x${toHex(pub)}`, crypto), z)
        assert.equal(compressKey(crypto.secp256k1PublicKey(sk, true), crypto), z)
      }),
      { numRuns: 200 },
    )
  })
}
