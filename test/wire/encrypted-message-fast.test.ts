/**
 * The hand-written `EncryptedMessageProtocol` codec (src/wire/encrypted-message-fast.ts) against
 * protobuf-es: where it answers, the same bytes and the same decoded message; where it declines,
 * `encodeEncryptedMessage`/`decodeEncryptedMessage` still give the generic codec's results.
 *
 * @module
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { create, fromBinary, toBinary } from '@bufbuild/protobuf'
import fc from 'fast-check'
import {
  DRHeaderSchema,
  DHHeaderSchema,
  EncryptedMessageProtocolSchema,
  X3DHHeaderSchema,
} from '../../src/wire/gen/encryption_pb.ts'
import { decodeDrOnly, encodeDrOnly } from '../../src/wire/encrypted-message-fast.ts'
import { decodeEncryptedMessage, encodeEncryptedMessage } from '../../src/wire/index.ts'

const u32 = fc.oneof(
  fc.constant(0),
  fc.integer({ min: 0, max: 200 }),
  fc.integer({ min: 0, max: 0xffffffff }),
)
const drOnly = fc
  .record({
    key: fc.oneof(
      fc.uint8Array({ minLength: 33, maxLength: 33 }),
      fc.uint8Array({ maxLength: 40 }),
    ),
    n: u32,
    pn: u32,
    id: fc.oneof(fc.uint8Array({ minLength: 33, maxLength: 33 }), fc.uint8Array({ maxLength: 40 })),
    payload: fc.uint8Array({ maxLength: 300 }),
  })
  .map(({ payload, ...h }) =>
    create(EncryptedMessageProtocolSchema, { DRHeader: create(DRHeaderSchema, h), payload }),
  )

const generic = (bytes: Uint8Array): unknown =>
  fromBinary(EncryptedMessageProtocolSchema, bytes, { readUnknownFields: true })

describe('EncryptedMessageProtocol fast codec', () => {
  test('DRHeader + payload: the same bytes as toBinary, decoded as fromBinary decodes them', () => {
    fc.assert(
      fc.property(drOnly, (m) => {
        const bytes = toBinary(EncryptedMessageProtocolSchema, m)
        assert.deepEqual(encodeDrOnly(m), bytes)
        assert.deepEqual(decodeDrOnly(bytes), generic(bytes))
        assert.deepEqual(encodeEncryptedMessage(m), bytes)
      }),
      { numRuns: 1000 },
    )
  })

  test('other shapes are declined and still coded generically', () => {
    const h = create(DRHeaderSchema, { key: new Uint8Array(33).fill(2), n: 3, pn: 1 })
    const others = [
      create(EncryptedMessageProtocolSchema, {
        DRHeader: h,
        X3DHHeader: create(X3DHHeaderSchema, { key: new Uint8Array(33).fill(2) }),
      }),
      create(EncryptedMessageProtocolSchema, {
        DRHeader: h,
        DHHeader: create(DHHeaderSchema, { key: new Uint8Array(33).fill(3) }),
      }),
      create(EncryptedMessageProtocolSchema, { payload: Uint8Array.of(1) }),
    ]
    for (const m of others) {
      assert.equal(encodeDrOnly(m), undefined)
      const bytes = toBinary(EncryptedMessageProtocolSchema, m)
      assert.deepEqual(encodeEncryptedMessage(m), bytes)
      assert.equal(decodeDrOnly(bytes), undefined)
    }
  })

  test('odd encodings (defaults written, order swapped, unknown or truncated fields) decline', () => {
    const odd = [
      Uint8Array.of(0x12, 0x02, 0x10, 0x00), // n = 0 written out
      Uint8Array.of(0x12, 0x04, 0x18, 0x01, 0x10, 0x01), // pn before n
      Uint8Array.of(0x12, 0x02, 0x28, 0x01), // unknown field 5 in DRHeader
      Uint8Array.of(0x12, 0x00, 0x1a, 0x02, 0x01), // payload cut short
      Uint8Array.of(0x1a, 0x01, 0x01, 0x12, 0x00), // payload first
      Uint8Array.of(0x12, 0x00, 0x1a, 0x01, 0x01, 0x1a, 0x01, 0x02), // payload twice
      Uint8Array.of(0x12, 0x02, 0x10, 0x80, 0x00), // non-minimal varint
    ]
    for (const bytes of odd)
      assert.equal(decodeDrOnly(bytes), undefined, Buffer.from(bytes).toString('hex'))
  })

  test('decodeEncryptedMessage equals the generic decoder on random DRHeader messages', () => {
    fc.assert(
      fc.property(drOnly, (m) => {
        const bytes = toBinary(EncryptedMessageProtocolSchema, m)
        // DRHeader.key: a 33-byte secp256k1 or 32-byte X25519 key; DRHeader.id: 33 bytes.
        const ok = [32, 33].includes(m.DRHeader!.key.length) && m.DRHeader!.id.length === 33
        if (ok) assert.deepEqual(decodeEncryptedMessage(bytes), generic(bytes))
        else assert.throws(() => decodeEncryptedMessage(bytes))
      }),
      { numRuns: 300 },
    )
  })
})
