/**
 * Wire codecs: the reference's protobuf bytes decode to the recorded fields and re-encode to the
 * same bytes; every message round-trips; random bytes yield only `PfsError`.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { fromHex, toHex } from '../../src/crypto/index.ts'
import { PfsError } from '../../src/errors.ts'
import {
  BundleSchema,
  EncryptedMessageProtocolSchema,
  ProtocolMessageSchema,
  create,
  decodeBundle,
  decodeBundleContainer,
  decodeEncryptedMessage,
  decodeProtocolMessage,
  encodeBundle,
  encodeBundleContainer,
  encodeEncryptedMessage,
  encodeProtocolMessage,
  equals,
  limits,
} from '../../src/wire/index.ts'
import bundleVectors from '../../../shared/vectors/bundle.json' with { type: 'json' }
import pmVectors from '../../../shared/vectors/protocol_message.json' with { type: 'json' }
import dhVectors from '../../../shared/vectors/dh_header.json' with { type: 'json' }

interface VectorSpk {
  installation_id: string
  signed_pre_key: string
  version: number
  protocol_version: number
}
interface VectorBundle {
  identity: string
  signed_pre_keys: VectorSpk[]
  signature: string
  timestamp: string
}

function assertBundleFields(decoded: ReturnType<typeof decodeBundle>, v: VectorBundle): void {
  assert.equal(toHex(decoded.identity), v.identity)
  assert.equal(toHex(decoded.signature), v.signature)
  assert.equal(decoded.timestamp, BigInt(v.timestamp))
  assert.deepEqual(
    Object.keys(decoded.signedPreKeys).sort(),
    v.signed_pre_keys.map((s) => s.installation_id).sort(),
  )
  for (const s of v.signed_pre_keys) {
    const d = decoded.signedPreKeys[s.installation_id]!
    assert.equal(toHex(d.signedPreKey), s.signed_pre_key)
    assert.equal(d.version, s.version)
    assert.equal(d.protocolVersion, s.protocol_version)
  }
}

for (const c of bundleVectors.cases) {
  test(`bundle.json ${c.name}: bundle_protobuf decodes to the recorded fields and re-encodes`, () => {
    const bytes = fromHex(c.bundle_protobuf)
    const decoded = decodeBundle(bytes)
    assertBundleFields(decoded, c.bundle)
    assert.equal(toHex(encodeBundle(decoded)), c.bundle_protobuf)
  })
  test(`bundle.json ${c.name}: bundle_container_protobuf round-trips`, () => {
    const decoded = decodeBundleContainer(fromHex(c.bundle_container_protobuf))
    assertBundleFields(decoded.bundle!, c.bundle)
    assert.equal(toHex(decoded.privateSignedPreKey), c.private_signed_pre_key)
    assert.equal(toHex(encodeBundleContainer(decoded)), c.bundle_container_protobuf)
  })
}

for (const c of pmVectors.cases) {
  test(`protocol_message.json ${c.name}: decodes to the recorded fields and re-encodes`, () => {
    const decoded = decodeProtocolMessage(fromHex(c.protocol_message_protobuf))
    const d = c.protocol_message_decoded as {
      installation_id: string
      bundles: VectorBundle[]
      encrypted_message: {
        installation_id: string
        message: {
          x3dh_header: { key: string; id: string } | null
          dr_header: { key: string; n: number; pn: number; id: string } | null
          payload: string
        }
      }[]
    }
    assert.equal(decoded.installationId, d.installation_id)
    assert.equal(decoded.bundles.length, d.bundles.length)
    decoded.bundles.forEach((b, i) => assertBundleFields(b, d.bundles[i]!))
    assert.deepEqual(
      Object.keys(decoded.encryptedMessage),
      d.encrypted_message.map((e) => e.installation_id),
    )
    for (const { installation_id: id, message: m } of d.encrypted_message) {
      const got = decoded.encryptedMessage[id]!
      assert.equal(toHex(got.payload), m.payload)
      assert.equal(got.X3DHHeader === undefined, m.x3dh_header === null)
      if (m.x3dh_header !== null) {
        assert.equal(toHex(got.X3DHHeader!.key), m.x3dh_header.key)
        assert.equal(toHex(got.X3DHHeader!.id), m.x3dh_header.id)
      }
      assert.equal(got.DRHeader === undefined, m.dr_header === null)
      if (m.dr_header !== null) {
        assert.equal(toHex(got.DRHeader!.key), m.dr_header.key)
        assert.equal(got.DRHeader!.n, m.dr_header.n)
        assert.equal(got.DRHeader!.pn, m.dr_header.pn)
        assert.equal(toHex(got.DRHeader!.id), m.dr_header.id)
      }
    }
    assert.equal(toHex(encodeProtocolMessage(decoded)), c.protocol_message_protobuf)
  })
}

for (const c of dhVectors.cases) {
  const hex = (c as { encrypted_message_protocol_protobuf?: string })
    .encrypted_message_protocol_protobuf
  if (hex === undefined) continue
  test(`dh_header.json ${c.name}: encrypted_message_protocol_protobuf round-trips`, () => {
    const decoded = decodeEncryptedMessage(fromHex(hex))
    assert.ok(decoded.DHHeader !== undefined)
    assert.equal(decoded.DHHeader.key.length, 33)
    assert.equal(toHex(encodeEncryptedMessage(decoded)), hex)
  })
}

const key33 = fc.uint8Array({ minLength: 33, maxLength: 33 })
const installationId = fc.string({ minLength: 1, maxLength: 40 })
const arbBundle = fc.record({
  identity: key33,
  signedPreKeys: fc.dictionary(
    installationId,
    fc.record({
      signedPreKey: key33,
      version: fc.nat({ max: 0xffffffff }),
      protocolVersion: fc.nat({ max: 0xffffffff }),
    }),
    { maxKeys: 4 },
  ),
  signature: fc.uint8Array({ minLength: 65, maxLength: 65 }),
  timestamp: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
})
const arbEncrypted = fc.record(
  {
    X3DHHeader: fc.record({ key: key33, id: key33 }),
    DRHeader: fc.record({
      key: key33,
      n: fc.nat({ max: 0xffffffff }),
      pn: fc.nat({ max: 0xffffffff }),
      id: key33,
    }),
    DHHeader: fc.record({ key: key33 }),
    payload: fc.uint8Array({ maxLength: 300 }),
  },
  { requiredKeys: ['payload'] },
)

type RawBundle = typeof arbBundle extends fc.Arbitrary<infer T> ? T : never

function toBundle(b: RawBundle): ReturnType<typeof create<typeof BundleSchema>> {
  return create(BundleSchema, b)
}

test('property: Bundle encode/decode round-trips', () => {
  fc.assert(
    fc.property(arbBundle, (raw) => {
      const b = toBundle(raw)
      assert.ok(equals(BundleSchema, decodeBundle(encodeBundle(b)), b))
    }),
    { numRuns: 300 },
  )
})

test('property: EncryptedMessageProtocol encode/decode round-trips', () => {
  fc.assert(
    fc.property(arbEncrypted, (raw) => {
      const m = create(EncryptedMessageProtocolSchema, raw)
      assert.ok(
        equals(
          EncryptedMessageProtocolSchema,
          decodeEncryptedMessage(encodeEncryptedMessage(m)),
          m,
        ),
      )
    }),
    { numRuns: 300 },
  )
})

test('property: ProtocolMessage encode/decode round-trips', () => {
  fc.assert(
    fc.property(
      installationId,
      fc.array(arbBundle, { maxLength: 2 }),
      fc.dictionary(installationId, arbEncrypted, { maxKeys: 3 }),
      fc.uint8Array({ maxLength: 64 }),
      (id, bundles, entries, pub) => {
        const m = create(ProtocolMessageSchema, {
          installationId: id,
          bundles: bundles.map(toBundle),
          encryptedMessage: Object.fromEntries(
            Object.entries(entries).map(([k, v]) => [k, create(EncryptedMessageProtocolSchema, v)]),
          ),
          publicMessage: pub,
        })
        assert.ok(equals(ProtocolMessageSchema, decodeProtocolMessage(encodeProtocolMessage(m)), m))
      },
    ),
    { numRuns: 200 },
  )
})

function onlyPfsError(fn: () => unknown): void {
  try {
    fn()
  } catch (e) {
    if (!(e instanceof PfsError)) throw e
    assert.equal(e.code, 'WIRE_MALFORMED')
  }
}

test('property: random bytes yield only PfsError from every decoder', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => {
      onlyPfsError(() => decodeProtocolMessage(bytes))
      onlyPfsError(() => decodeBundle(bytes))
      onlyPfsError(() => decodeBundleContainer(bytes))
      onlyPfsError(() => decodeEncryptedMessage(bytes))
    }),
    { numRuns: 2000 },
  )
})

test('property: mutated valid messages yield only PfsError or a valid message', () => {
  const valid = pmVectors.cases.map((c) => fromHex(c.protocol_message_protobuf))
  fc.assert(
    fc.property(
      fc.constantFrom(...valid),
      fc.nat(),
      fc.integer({ min: 0, max: 255 }),
      fc.nat({ max: 64 }),
      (bytes, pos, value, cut) => {
        const m = Uint8Array.from(bytes)
        m[pos % m.length] = value
        onlyPfsError(() => decodeProtocolMessage(m))
        onlyPfsError(() => decodeProtocolMessage(m.subarray(0, Math.max(0, m.length - cut))))
      },
    ),
    { numRuns: 2000 },
  )
})

test('wrong key and signature lengths are WIRE_MALFORMED', () => {
  const good = decodeBundle(fromHex(bundleVectors.cases[1]!.bundle_protobuf))
  const shortId = create(BundleSchema, { ...good, identity: good.identity.subarray(0, 32) })
  assert.throws(() => decodeBundle(encodeBundle(shortId)), { code: 'WIRE_MALFORMED' })
  const shortSig = create(BundleSchema, { ...good, signature: good.signature.subarray(0, 64) })
  assert.throws(() => decodeBundle(encodeBundle(shortSig)), { code: 'WIRE_MALFORMED' })
})

test('oversized input is refused before parsing', () => {
  const big = new Uint8Array(limits.MAX_PROTOCOL_MESSAGE_BYTES + 1)
  assert.throws(() => decodeProtocolMessage(big), { code: 'WIRE_MALFORMED' })
  assert.throws(() => decodeBundle(new Uint8Array(limits.MAX_BUNDLE_BYTES + 1)), {
    code: 'WIRE_MALFORMED',
  })
})

test('an installation id "__proto__" survives a round trip as an ordinary key', () => {
  const good = decodeBundle(fromHex(bundleVectors.cases[0]!.bundle_protobuf))
  const spk = Object.values(good.signedPreKeys)[0]!
  const spks = {}
  Object.defineProperty(spks, '__proto__', { value: spk, enumerable: true })
  const b = create(BundleSchema, { ...good, signedPreKeys: spks })
  const back = decodeBundle(encodeBundle(b))
  assert.deepEqual(Object.keys(back.signedPreKeys), ['__proto__'])
  assert.equal(Object.getPrototypeOf(back.signedPreKeys), Object.prototype)
})
