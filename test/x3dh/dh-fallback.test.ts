/**
 * DH-header fallback (PROTOCOL.md §6): round trip for random plaintexts, a fresh ephemeral and
 * nonce per call, and any flipped bit of header key or payload — or the wrong recipient — gives
 * `MAC_MISMATCH`; short inputs are `WIRE_MALFORMED`. fast-check seed: 0x5eed06.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { isPfsError } from '../../src/errors.ts'
import { DHHeaderSchema, create } from '../../src/wire/index.ts'
import { NO_INSTALLATION_ID, dhDecrypt, dhEncrypt } from '../../src/x3dh/index.ts'
import { PROVIDERS, keyFrom, publicOf } from './helpers.ts'

const SEED = 0x5eed06

test('NO_INSTALLATION_ID is the literal "none"', () => {
  assert.equal(NO_INSTALLATION_ID, 'none')
})

for (const [name, crypto] of PROVIDERS) {
  const recipient = keyFrom(crypto, 'recipient')
  const recipientPublic = publicOf(crypto, recipient)

  test(`[${name}] round trip for random plaintexts; payload = ct ‖ tag ‖ nonce`, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (plaintext) => {
        const { header, payload } = dhEncrypt(recipientPublic, plaintext, { crypto })
        assert.equal(header.key.length, 33)
        assert.equal(payload.length, plaintext.length + 16 + 12)
        assert.deepEqual(dhDecrypt(recipient, header, payload, { crypto }), plaintext)
        assert.deepEqual(dhDecrypt(recipient, header.key, payload, { crypto }), plaintext)
      }),
      { seed: SEED, numRuns: 100 },
    )
  })

  test(`[${name}] every call uses a fresh ephemeral and nonce`, () => {
    const a = dhEncrypt(recipientPublic, new Uint8Array(8), { crypto })
    const b = dhEncrypt(recipientPublic, new Uint8Array(8), { crypto })
    assert.notDeepEqual(a.header.key, b.header.key)
    assert.notDeepEqual(a.payload.subarray(-12), b.payload.subarray(-12))
  })

  test(`[${name}] an injected ephemeral is used and left intact`, () => {
    const ephemeral = keyFrom(crypto, 'eph')
    const out = dhEncrypt(recipientPublic, new Uint8Array(1), { ephemeral, crypto })
    assert.equal(ephemeral.destroyed, false)
    assert.deepEqual(out.header.key, publicOf(crypto, ephemeral))
  })

  test(`[${name}] any flipped bit of header key or payload → MAC_MISMATCH`, () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }),
        fc.boolean(),
        fc.nat(),
        (plaintext, inHeader, where) => {
          const { header, payload } = dhEncrypt(recipientPublic, plaintext, { crypto })
          const key = Uint8Array.from(header.key)
          const body = Uint8Array.from(payload)
          if (inHeader) {
            // Byte 0 is the 02/03 prefix: flipping it may still be a valid point, or not; both
            // must give the same answer.
            const bit = where % (33 * 8)
            key[bit >> 3]! ^= 1 << (bit & 7)
          } else {
            const bit = where % (body.length * 8)
            body[bit >> 3]! ^= 1 << (bit & 7)
          }
          assert.throws(
            () => dhDecrypt(recipient, create(DHHeaderSchema, { key }), body, { crypto }),
            (e) => isPfsError(e, 'MAC_MISMATCH'),
          )
        },
      ),
      { seed: SEED, numRuns: 300 },
    )
  })

  test(`[${name}] the wrong recipient → MAC_MISMATCH; short inputs → WIRE_MALFORMED`, () => {
    const { header, payload } = dhEncrypt(recipientPublic, new Uint8Array([1, 2, 3]), { crypto })
    assert.throws(
      () => dhDecrypt(keyFrom(crypto, 'someone else'), header, payload, { crypto }),
      (e) => isPfsError(e, 'MAC_MISMATCH'),
    )
    assert.throws(
      () => dhDecrypt(recipient, header, payload.subarray(0, 27), { crypto }),
      (e) => isPfsError(e, 'WIRE_MALFORMED'),
    )
    assert.throws(
      () => dhDecrypt(recipient, header.key.subarray(1), payload, { crypto }),
      (e) => isPfsError(e, 'WIRE_MALFORMED'),
    )
  })

  test(`[${name}] a recipient key off the curve → INVALID_KEY`, () => {
    assert.throws(
      () => dhEncrypt(new Uint8Array(33), new Uint8Array(1), { crypto }),
      (e) => isPfsError(e, 'INVALID_KEY'),
    )
  })
}
