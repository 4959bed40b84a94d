/**
 * The short-input SHA-256/HMAC/HKDF of `sha256-short.ts` against node:crypto (an independent
 * implementation) on random inputs around every block boundary, and the providers' `hmacSha256`,
 * `hmacSha256Pair` and `hkdfSha256` (which route short inputs there) against the same.
 *
 * @module
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import nodeCrypto from 'node:crypto'
import fc from 'fast-check'
import {
  hkdfSha256Short,
  hmacSha256PairShort,
  hmacSha256Short,
  sha256Short,
} from '../../src/crypto/sha256-short.ts'
import { DATA_MAX, PUBLIC_RANGES } from '../../src/crypto/sha256-wasm.ts'
import { shortHmacModule } from '../../src/crypto/sha256-short.ts'
import { PROVIDERS } from './helpers.ts'

const hmacRef = (k: Uint8Array, d: Uint8Array): Buffer =>
  nodeCrypto.createHmac('sha256', k).update(d).digest()
const hkdfRef = (ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Buffer =>
  Buffer.from(nodeCrypto.hkdfSync('sha256', ikm, salt, info, length))

const bytes = (max: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ maxLength: max })
/** Keys: random, all-zero (the cached pads) and longer than a block (hashed first). */
const keys = fc.oneof(
  bytes(140),
  fc.nat(64).map((n) => new Uint8Array(n)),
)

const wasm = shortHmacModule()

describe('sha256-short', () => {
  test('HMAC and HKDF run in WebAssembly here, in JavaScript without it', () => {
    // no-wasm.test.ts runs this file again without WebAssembly (the JavaScript functions).
    if (process.env['PFS_NO_WASM'] === '1') assert.equal(wasm, undefined)
    else assert.ok(wasm !== undefined)
  })

  test('the WebAssembly memory keeps only public values after each call', (t) => {
    if (wasm === undefined) {
      t.skip('no WebAssembly in this run')
      return
    }
    const key = nodeCrypto.randomBytes(40)
    hmacSha256Short(key, nodeCrypto.randomBytes(150))
    hmacSha256PairShort(key, Uint8Array.of(1), Uint8Array.of(2))
    hkdfSha256Short(nodeCrypto.randomBytes(32), key, nodeCrypto.randomBytes(20), 80)
    hkdfSha256Short(nodeCrypto.randomBytes(32), new Uint8Array(32), new Uint8Array(0), 64)
    const isPublic = (i: number): boolean => PUBLIC_RANGES.some(([a, b]) => i >= a && i < b)
    const left = [...wasm.memory.entries()].filter(([i, b]) => b !== 0 && !isPublic(i))
    assert.deepEqual(left, [])
  })

  test('inputs past the WebAssembly input area take the JavaScript path, same bytes', () => {
    const key = nodeCrypto.randomBytes(32)
    const data = nodeCrypto.randomBytes(DATA_MAX + 1)
    assert.deepEqual(Buffer.from(hmacSha256Short(key, data)), hmacRef(key, data))
    const long = nodeCrypto.randomBytes(100)
    assert.deepEqual(
      Buffer.from(hmacSha256Short(long, data.subarray(0, 10))),
      hmacRef(long, data.subarray(0, 10)),
    )
  })

  test('SHA-256 equals node:crypto at every length 0..300', () => {
    for (let n = 0; n <= 300; n++) {
      const d = nodeCrypto.randomBytes(n)
      assert.deepEqual(
        Buffer.from(sha256Short(d)),
        nodeCrypto.createHash('sha256').update(d).digest(),
      )
    }
  })

  test('HMAC and the HMAC pair equal node:crypto', () => {
    fc.assert(
      fc.property(keys, bytes(300), bytes(300), (k, a, b) => {
        assert.deepEqual(Buffer.from(hmacSha256Short(k, a)), hmacRef(k, a))
        const [x, y] = hmacSha256PairShort(k, a, b)
        assert.deepEqual(Buffer.from(x), hmacRef(k, a))
        assert.deepEqual(Buffer.from(y), hmacRef(k, b))
      }),
      { numRuns: 500 },
    )
  })

  test('HKDF equals node:crypto for any salt, info and length', () => {
    fc.assert(
      fc.property(bytes(100), keys, bytes(100), fc.integer({ min: 1, max: 300 }), (i, s, n, l) => {
        assert.deepEqual(Buffer.from(hkdfSha256Short(i, s, n, l)), hkdfRef(i, s, n, l))
      }),
      { numRuns: 500 },
    )
  })

  test('a zero salt and a random salt give different keys (the cache is not shared)', () => {
    const ikm = nodeCrypto.randomBytes(32)
    const info = nodeCrypto.randomBytes(32)
    const zero = hkdfSha256Short(ikm, new Uint8Array(32), info, 80)
    const other = hkdfSha256Short(ikm, Uint8Array.of(1), info, 80)
    assert.notDeepEqual(zero, other)
    assert.deepEqual(Buffer.from(zero), hkdfRef(ikm, new Uint8Array(32), info, 80))
  })

  for (const [name, c] of PROVIDERS) {
    test(`${name}: hmacSha256, hmacSha256Pair and hkdfSha256 equal node:crypto`, () => {
      fc.assert(
        fc.property(keys, bytes(400), bytes(70), fc.integer({ min: 1, max: 200 }), (k, d, n, l) => {
          assert.deepEqual(Buffer.from(c.hmacSha256(k, d)), hmacRef(k, d))
          const [x, y] = c.hmacSha256Pair(k, n, d)
          assert.deepEqual(Buffer.from(x), hmacRef(k, n))
          assert.deepEqual(Buffer.from(y), hmacRef(k, d))
          assert.deepEqual(Buffer.from(c.hkdfSha256(d, k, n, l)), hkdfRef(d, k, n, l))
        }),
        { numRuns: 200 },
      )
    })
  }
})
