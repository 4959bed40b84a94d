import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { isPfsError } from '../../../src/errors.ts'
import {
  decodeRegistration,
  decodeRequest,
  decodeResponse,
  encodeRegistration,
  encodeRequest,
  encodeResponse,
} from '../../../src/messenger/push/index.ts'

const bytes = (max: number) => fc.uint8Array({ maxLength: max })

test('push messages round-trip with the reference field numbers', () => {
  fc.assert(
    fc.property(
      fc.record(
        {
          tokenType: fc.integer({ min: 0, max: 2 }),
          deviceToken: fc.string({ maxLength: 40 }),
          installationId: fc.string({ maxLength: 40 }),
          enabled: fc.boolean(),
          version: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
          allowedKeyList: fc.array(bytes(32), { maxLength: 5 }),
          unregister: fc.boolean(),
          allowFromContactsOnly: fc.boolean(),
        },
        { noNullPrototype: true },
      ),
      (r) => {
        assert.deepEqual(decodeRegistration(encodeRegistration(r)), r)
      },
    ),
  )
  fc.assert(
    fc.property(
      fc.array(
        fc.record(
          {
            accessToken: fc.string({ maxLength: 64 }),
            chatId: bytes(32),
            publicKey: bytes(32),
            installationId: fc.string({ maxLength: 36 }),
            type: fc.integer({ min: 0, max: 2 }),
          },
          { noNullPrototype: true },
        ),
        { maxLength: 4 },
      ),
      bytes(32),
      (requests, messageId) => {
        assert.deepEqual(decodeRequest(encodeRequest({ requests, messageId })), {
          requests,
          messageId,
        })
        const reports = requests.map((q, i) => ({
          success: i % 2 === 0,
          error: i % 4,
          publicKey: q.publicKey,
          installationId: q.installationId,
        }))
        assert.deepEqual(decodeResponse(encodeResponse({ messageId, reports })), {
          messageId,
          reports,
        })
      },
    ),
  )
  // A known encoding: device_token (field 2) and version (field 6).
  const enc = encodeRegistration({
    tokenType: 1,
    deviceToken: 'ab',
    installationId: '',
    enabled: false,
    version: 5n,
    allowedKeyList: [],
    unregister: false,
    allowFromContactsOnly: false,
  })
  assert.deepEqual([...enc], [0x08, 1, 0x12, 2, 0x61, 0x62, 0x30, 5])
})

test('hostile bytes make the push decoders throw WIRE_MALFORMED only', () => {
  fc.assert(
    fc.property(bytes(200), (b) => {
      for (const decode of [decodeRegistration, decodeRequest, decodeResponse]) {
        try {
          decode(b)
        } catch (e) {
          assert.ok(isPfsError(e, 'WIRE_MALFORMED'), String(e))
        }
      }
    }),
    { numRuns: 500 },
  )
  // Wrong wire type for a known field.
  assert.throws(() => decodeRegistration(Uint8Array.from([0x0a, 0])), { code: 'WIRE_MALFORMED' })
})
