/**
 * `bytesKey` (src/crypto/bytes.ts), the map key of public bytes in the protocol's memos, the
 * SQLite row cache and the messenger: one UTF-16 unit per byte, so two inputs share a key exactly
 * when they are equal, at every length, including those past one `apply` chunk (4,096 bytes).
 *
 * @module
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { bytesEqual, bytesKey } from '../../src/crypto/index.ts'

describe('bytesKey', () => {
  test('one unit per byte, in order, at every length around the chunk size', () => {
    for (const n of [0, 1, 33, 65, 4095, 4096, 4097, 8192, 10_000]) {
      const b = Uint8Array.from({ length: n }, (_, i) => (i * 131 + 7) & 0xff)
      const k = bytesKey(b)
      assert.equal(k.length, n)
      for (let i = 0; i < n; i++)
        assert.equal(k.charCodeAt(i), b[i], `length ${String(n)} at ${String(i)}`)
    }
  })

  test('a view is keyed by its own bytes only', () => {
    const whole = Uint8Array.from([9, 1, 2, 3, 9])
    assert.equal(bytesKey(whole.subarray(1, 4)), bytesKey(Uint8Array.from([1, 2, 3])))
  })

  test('equal keys exactly for equal bytes (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 5000 }),
        fc.uint8Array({ maxLength: 5000 }),
        (a, b) => (bytesKey(a) === bytesKey(b)) === bytesEqual(a, b),
      ),
    )
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 5000 }), fc.nat(), (a, at) => {
        const b = a.slice()
        const i = at % b.length
        b[i] = b[i]! ^ 0x80
        return bytesKey(a) !== bytesKey(b)
      }),
    )
  })
})
