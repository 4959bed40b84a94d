/**
 * The unrolled Keccak-256 of `keccak.ts` against @noble/hashes (an independent implementation) at
 * every length around the 136-byte rate, on random inputs, and on the known answers of the empty
 * string and "abc" (legacy Keccak padding, as Ethereum: not SHA3-256).
 *
 * @module
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import nodeCrypto from 'node:crypto'
import { keccak_256 } from '@noble/hashes/sha3.js'
import fc from 'fast-check'
import { toHex } from '../../src/crypto/index.ts'
import { keccak256 } from '../../src/crypto/keccak.ts'
import { PROVIDERS } from './helpers.ts'

describe('keccak256 (unrolled)', () => {
  test('known answers: "" and "abc"', () => {
    assert.equal(
      toHex(keccak256(new Uint8Array(0))),
      'c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470',
    )
    assert.equal(
      toHex(keccak256(new TextEncoder().encode('abc'))),
      '4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45',
    )
  })

  test('equals @noble/hashes at every length 0..600', () => {
    for (let n = 0; n <= 600; n++) {
      const d = nodeCrypto.randomBytes(n)
      assert.deepEqual(keccak256(d), keccak_256(d), `length ${String(n)}`)
    }
  })

  test('equals @noble/hashes on random inputs, and leaves its input alone', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (d) => {
        const copy = d.slice()
        assert.deepEqual(keccak256(d), keccak_256(d))
        assert.deepEqual(d, copy)
      }),
    )
  })

  test('an input that is a view into a larger buffer hashes only its bytes', () => {
    const big = nodeCrypto.randomBytes(400)
    const view = new Uint8Array(big.buffer, big.byteOffset + 7, 300)
    assert.deepEqual(keccak256(view), keccak_256(view.slice()))
  })

  for (const [name, p] of PROVIDERS) {
    test(`${name} provider keccak256 equals @noble/hashes`, () => {
      for (const n of [0, 1, 135, 136, 137, 272, 500]) {
        const d = nodeCrypto.randomBytes(n)
        assert.deepEqual(p.keccak256(d), keccak_256(d))
      }
    })
  }
})
