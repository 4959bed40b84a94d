/**
 * Keccak-256 of `keccak.ts`, on both permutations (the WebAssembly one of keccak-wasm.ts, used
 * where it compiles, and the unrolled JavaScript one, the fallback), against @noble/hashes (an
 * independent implementation) at every length around the 136-byte rate, past the WebAssembly
 * input area (several `absorb` calls), on random inputs, and on the known answers of the empty
 * string and "abc" (legacy Keccak padding, as Ethereum: not SHA3-256). The WebAssembly memory is
 * left zeroed: inputs may be secrets.
 *
 * @module
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import nodeCrypto from 'node:crypto'
import { keccak_256 } from '@noble/hashes/sha3.js'
import fc from 'fast-check'
import { toHex } from '../../src/crypto/index.ts'
import { keccak256, keccak256Js, keccak256Wasm, keccakModule } from '../../src/crypto/keccak.ts'
import { INPUT_AT, MAX_BLOCKS, RATE } from '../../src/crypto/keccak-wasm.ts'
import { PROVIDERS } from './helpers.ts'

const wasm = keccakModule()

describe('keccak256: WebAssembly and JavaScript permutations', () => {
  test('the WebAssembly module compiles in Node and is the one keccak256 uses', (t) => {
    // no-wasm.test.ts runs this file again without WebAssembly: then there is no module at all.
    if (process.env['PFS_NO_WASM'] === '1') {
      assert.equal(wasm, undefined)
      t.skip('no WebAssembly in this run')
      return
    }
    assert.ok(wasm !== undefined)
    const d = nodeCrypto.randomBytes(300)
    assert.deepEqual(keccak256Wasm(wasm, d), keccak256(d))
  })

  test('both equal @noble/hashes at every length 0..600 and past the input area', () => {
    const lengths = [...Array.from({ length: 601 }, (_, n) => n)]
    const area = MAX_BLOCKS * RATE
    lengths.push(area - 1, area, area + 1, 2 * area + RATE + 5)
    for (const n of lengths) {
      const d = nodeCrypto.randomBytes(n)
      const want = keccak_256(d)
      if (wasm !== undefined) assert.deepEqual(keccak256Wasm(wasm, d), want, `wasm, ${String(n)}`)
      assert.deepEqual(keccak256(d), want, `keccak256, length ${String(n)}`)
      assert.deepEqual(keccak256Js(d), want, `js, length ${String(n)}`)
    }
  })

  test('the WebAssembly memory holds no input or state after a digest', (t) => {
    if (wasm === undefined) {
      t.skip('no WebAssembly in this run')
      return
    }
    keccak256Wasm(wasm, new Uint8Array(3 * RATE + 7).fill(0xa5))
    assert.ok(wasm.memory.subarray(0, 200).every((b) => b === 0))
    assert.ok(wasm.memory.subarray(INPUT_AT).every((b) => b === 0))
  })

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
        assert.deepEqual(keccak256Js(d), keccak_256(d))
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
