/**
 * Bundles (PROTOCOL.md §4): sign/verify round trip for random installations, versions and
 * timestamps; byte-wise id order; every kind of tampering (spk, version, timestamp, identity,
 * signature, installation id) is a typed error; `protocol_version` is unsigned; random or flipped
 * bytes through `decodeBundle` + `verifyBundle` throw only `PfsError`; merging.
 * fast-check seed: 0x5eed04.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { concatBytes, utf8 } from '../../src/crypto/index.ts'
import type { CryptoProvider } from '../../src/crypto/index.ts'
import { BundleError, PfsError, isPfsError } from '../../src/errors.ts'
import { BundleSchema, clone, decodeBundle, encodeBundle } from '../../src/wire/index.ts'
import type { Bundle } from '../../src/wire/index.ts'
import {
  createBundle,
  mergeBundles,
  signBundle,
  signatureMaterial,
  sortedInstallationIds,
  verifyBundle,
} from '../../src/x3dh/index.ts'
import { PROVIDERS, keyFrom, publicOf } from './helpers.ts'

const SEED = 0x5eed04

/** Installation ids: printable ASCII, UUID-like, or arbitrary Unicode (byte-wise order matters). */
const installationId = fc.oneof(
  fc.uuid(),
  fc.string({ minLength: 1, maxLength: 12 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }),
)
const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })
const uint32 = fc.nat({ max: 0xffff_ffff })
const installations = fc.uniqueArray(
  fc.record({ id: installationId, version: uint32, protocolVersion: uint32 }),
  { minLength: 1, maxLength: 4, selector: (r) => r.id },
)

function makeBundle(
  crypto: CryptoProvider,
  entries: readonly { id: string; version: number; protocolVersion: number }[],
  timestamp: bigint,
  who = 'identity',
): Bundle {
  return createBundle({
    identity: keyFrom(crypto, who),
    signedPreKeys: entries.map((e, i) => ({
      installationId: e.id,
      key: publicOf(crypto, keyFrom(crypto, `spk-${who}-${i}`)),
      version: e.version,
      protocolVersion: e.protocolVersion,
    })),
    timestamp,
    crypto,
  })
}

/** Asserts `fn` throws a `PfsError` (a `BundleError` when `bundleError`), of `codes` if given. */
function throwsTyped(
  fn: () => unknown,
  codes: readonly string[] = ['BUNDLE_SIGNATURE', 'WIRE_MALFORMED'],
  bundleError = true,
): void {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof PfsError, `not a PfsError: ${String(e)}`)
    if (bundleError) assert.ok(e instanceof BundleError, `not a BundleError: ${e.name}`)
    assert.ok(codes.includes(e.code), `unexpected code ${e.code}`)
    return true
  })
}

for (const [name, crypto] of PROVIDERS) {
  test(`[${name}] sign/verify round trip for random installations and timestamps`, () => {
    fc.assert(
      fc.property(installations, int64, (entries, timestamp) => {
        const bundle = makeBundle(crypto, entries, timestamp)
        const identity = publicOf(crypto, keyFrom(crypto, 'identity'))
        assert.deepEqual(verifyBundle(bundle, { crypto }), identity)
        // Through the wire and back.
        assert.deepEqual(verifyBundle(decodeBundle(encodeBundle(bundle)), { crypto }), identity)
        // protocol_version is unsigned: changing it does not break the signature (untrusted).
        const relabelled = clone(BundleSchema, bundle)
        for (const id of Object.keys(relabelled.signedPreKeys)) {
          const s = relabelled.signedPreKeys[id]!
          s.protocolVersion = (s.protocolVersion ^ 1) >>> 0
        }
        assert.deepEqual(verifyBundle(relabelled, { crypto }), identity)
      }),
      { seed: SEED, numRuns: 60 },
    )
  })

  test(`[${name}] any tampering of a signed field is a typed error`, () => {
    const fields = ['spk', 'version', 'timestamp', 'identity', 'signature', 'id'] as const
    fc.assert(
      fc.property(
        installations,
        int64,
        fc.constantFrom(...fields),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (entries, timestamp, field, where, mask) => {
          const bundle = makeBundle(crypto, entries, timestamp)
          const t = clone(BundleSchema, bundle)
          const ids = Object.keys(t.signedPreKeys)
          const id = ids[where % ids.length]!
          const spk = t.signedPreKeys[id]!
          switch (field) {
            case 'spk':
              spk.signedPreKey[where % 33]! ^= mask
              break
            case 'version':
              spk.version = (spk.version ^ mask) >>> 0
              break
            case 'timestamp':
              t.timestamp = BigInt.asIntN(64, t.timestamp ^ BigInt(mask))
              break
            case 'identity':
              t.identity[where % 33]! ^= mask
              break
            case 'signature':
              t.signature[where % 65]! ^= mask
              break
            case 'id': {
              // Rename one installation: its bytes in the material change.
              const renamed = `${id}\u0000${mask}`
              if (Object.hasOwn(t.signedPreKeys, renamed)) return
              const { [id]: moved, ...rest } = t.signedPreKeys
              t.signedPreKeys = { ...rest, [renamed]: moved! }
              break
            }
          }
          throwsTyped(() => verifyBundle(t, { crypto }))
        },
      ),
      { seed: SEED, numRuns: 200 },
    )
  })

  test(`[${name}] flipped bits in an encoded bundle: verify fails typed or only unsigned data changed`, () => {
    const bundle = makeBundle(
      crypto,
      [
        { id: 'a11ce000-0000-4000-8000-000000000001', version: 3, protocolVersion: 1 },
        { id: 'b0b00000-0000-4000-8000-000000000002', version: 7, protocolVersion: 1 },
      ],
      1_700_000_000_123_456_789n,
    )
    const bytes = encodeBundle(bundle)
    fc.assert(
      fc.property(fc.nat({ max: bytes.length * 8 - 1 }), (bit) => {
        const flipped = Uint8Array.from(bytes)
        flipped[bit >> 3]! ^= 1 << (bit & 7)
        let decoded: Bundle
        try {
          decoded = decodeBundle(flipped)
          verifyBundle(decoded, { crypto })
        } catch (e) {
          assert.ok(e instanceof PfsError, `not a PfsError: ${String(e)}`)
          return
        }
        // Accepted: then every signed byte is unchanged (a protocol_version or unknown field flip).
        assert.deepEqual(signatureMaterial(decoded), signatureMaterial(bundle))
        assert.deepEqual(decoded.identity, bundle.identity)
        assert.deepEqual(decoded.signature, bundle.signature)
      }),
      { seed: SEED, numRuns: 400 },
    )
  })

  test(`[${name}] random bytes through decodeBundle + verifyBundle throw only PfsError`, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          verifyBundle(decodeBundle(bytes), { crypto })
        } catch (e) {
          assert.ok(e instanceof PfsError, `not a PfsError: ${String(e)}`)
          return
        }
        assert.fail('random bytes verified as a bundle')
      }),
      { seed: SEED, numRuns: 1000 },
    )
  })

  test(`[${name}] malformed objects are rejected as WIRE_MALFORMED BundleErrors`, () => {
    const good = makeBundle(crypto, [{ id: 'x', version: 1, protocolVersion: 1 }], 5n)
    const variants: ((b: Bundle) => void)[] = [
      (b) => (b.identity = b.identity.subarray(0, 32)),
      (b) => (b.signature = new Uint8Array(64)),
      (b) => (b.signedPreKeys['x']!.signedPreKey = new Uint8Array(32)),
      (b) => (b.signedPreKeys['x']!.version = -1),
      (b) => (b.signedPreKeys = { ...b.signedPreKeys, '': b.signedPreKeys['x']! }),
      (b) => ((b as unknown as { timestamp: number }).timestamp = 5),
      (b) => ((b as unknown as { signedPreKeys: null }).signedPreKeys = null),
      (b) => ((b.signedPreKeys as Record<string, unknown>)['x'] = 'nope'),
    ]
    for (const v of variants) {
      const b = clone(BundleSchema, good)
      v(b)
      throwsTyped(() => verifyBundle(b, { crypto }), ['WIRE_MALFORMED'])
    }
    throwsTyped(() => verifyBundle(null as unknown as Bundle, { crypto }), ['WIRE_MALFORMED'])
  })

  test(`[${name}] a signed SPK that is not a curve point is rejected (stricter than the reference)`, () => {
    const identity = keyFrom(crypto, 'identity')
    const good = makeBundle(crypto, [{ id: 'x', version: 1, protocolVersion: 1 }], 5n)
    const bad = clone(BundleSchema, good)
    bad.signedPreKeys['x']!.signedPreKey = Uint8Array.from([2, ...new Uint8Array(32).fill(0xff)])
    const signed = signBundle(bad, identity, { timestamp: 5n, crypto })
    throwsTyped(() => verifyBundle(signed, { crypto }), ['WIRE_MALFORMED'])
  })
}

const [, crypto] = PROVIDERS[0]!

test('signature material: ids in UTF-8 byte order, decimal version, timestamp only when non-zero', () => {
  // U+FF61 sorts before U+1F600 in UTF-8 bytes (EF.. < F0..) but after it in UTF-16 (FF61 > D83D).
  const ids = ['\u{1F600}', '\uFF61', 'b', 'a']
  const bundle = makeBundle(
    crypto,
    ids.map((id, i) => ({ id, version: i * 10, protocolVersion: 1 })),
    0n,
  )
  assert.deepEqual(sortedInstallationIds(bundle), ['a', 'b', '\uFF61', '\u{1F600}'])
  const spk = (id: string) => bundle.signedPreKeys[id]!.signedPreKey
  assert.deepEqual(
    signatureMaterial(bundle),
    concatBytes(
      utf8('a'),
      spk('a'),
      utf8('30'),
      utf8('b'),
      spk('b'),
      utf8('20'),
      utf8('\uFF61'),
      spk('\uFF61'),
      utf8('10'),
      utf8('\u{1F600}'),
      spk('\u{1F600}'),
      utf8('0'),
    ),
  )
  const stamped = signBundle(bundle, keyFrom(crypto, 'identity'), { timestamp: -42n, crypto })
  assert.deepEqual(signatureMaterial(stamped), concatBytes(signatureMaterial(bundle), utf8('-42')))
})

test('createBundle: argument errors are programmer errors', () => {
  const identity = keyFrom(crypto, 'identity')
  const key = publicOf(crypto, keyFrom(crypto, 'spk'))
  assert.throws(
    () =>
      createBundle({
        identity,
        signedPreKeys: [
          { installationId: 'a', key, version: 1 },
          { installationId: 'a', key, version: 2 },
        ],
        crypto,
      }),
    RangeError,
  )
  assert.throws(
    () =>
      createBundle({ identity, signedPreKeys: [{ installationId: '', key, version: 1 }], crypto }),
    RangeError,
  )
  assert.throws(
    () =>
      createBundle({
        identity,
        signedPreKeys: [{ installationId: 'a', key, version: 1.5 }],
        crypto,
      }),
    RangeError,
  )
  assert.throws(
    () =>
      createBundle({
        identity,
        signedPreKeys: [{ installationId: 'a', key, version: 1 }],
        timestamp: 2n ** 63n,
        crypto,
      }),
    RangeError,
  )
  assert.throws(
    () =>
      createBundle({
        identity,
        signedPreKeys: [{ installationId: 'a', key: new Uint8Array(33), version: 1 }],
        crypto,
      }),
    (e) => isPfsError(e, 'INVALID_KEY'),
  )
})

test('createBundle: defaults (protocol_version 1, timestamp now), compressed keys, "__proto__" id', () => {
  const identity = keyFrom(crypto, 'identity')
  const uncompressed = crypto.secp256k1PublicKey(keyFrom(crypto, 'spk'), false)
  const before = BigInt(Date.now()) * 1_000_000n
  const bundle = createBundle({
    identity,
    signedPreKeys: [{ installationId: '__proto__', key: uncompressed, version: 1 }],
    crypto,
  })
  assert.ok(bundle.timestamp >= before)
  assert.ok(Object.hasOwn(bundle.signedPreKeys, '__proto__'))
  assert.equal(Object.getPrototypeOf(bundle.signedPreKeys), Object.prototype)
  const spk = bundle.signedPreKeys['__proto__']!
  assert.equal(spk.protocolVersion, 1)
  assert.deepEqual(spk.signedPreKey, crypto.compressPublicKey(uncompressed))
  assert.deepEqual(
    verifyBundle(decodeBundle(encodeBundle(bundle)), { crypto }),
    publicOf(crypto, identity),
  )
})

test('mergeBundles: higher version wins per installation, ties keep ours, re-signed', () => {
  const identity = keyFrom(crypto, 'identity')
  const spk = (label: string) => publicOf(crypto, keyFrom(crypto, label))
  const ours = createBundle({
    identity,
    signedPreKeys: [
      { installationId: 'me', key: spk('me-1'), version: 1 },
      { installationId: 'tablet', key: spk('tablet-4'), version: 4 },
      { installationId: 'laptop', key: spk('laptop-2'), version: 2 },
    ],
    timestamp: 10n,
    crypto,
  })
  const sibling = createBundle({
    identity,
    signedPreKeys: [
      { installationId: 'tablet', key: spk('tablet-3'), version: 3 },
      { installationId: 'laptop', key: spk('laptop-2b'), version: 2 },
      { installationId: 'phone', key: spk('phone-5'), version: 5, protocolVersion: 2 },
      { installationId: 'me', key: spk('me-9'), version: 9 },
    ],
    timestamp: 11n,
    crypto,
  })
  const oursBefore = clone(BundleSchema, ours)
  const merged = mergeBundles(ours, sibling, { identity, timestamp: 12n, crypto })
  assert.deepEqual(ours, oursBefore)
  assert.equal(merged.timestamp, 12n)
  assert.deepEqual(verifyBundle(merged, { crypto }), publicOf(crypto, identity))
  const got = Object.fromEntries(
    Object.entries(merged.signedPreKeys).map(([id, s]) => [id, [s.signedPreKey, s.version]]),
  )
  assert.deepEqual(got, {
    me: [spk('me-9'), 9],
    tablet: [spk('tablet-4'), 4],
    laptop: [spk('laptop-2'), 2],
    phone: [spk('phone-5'), 5],
  })
  assert.equal(merged.signedPreKeys['phone']!.protocolVersion, 2)
})

test('mergeBundles: a sibling of another identity or a tampered sibling is rejected', () => {
  const identity = keyFrom(crypto, 'identity')
  const ours = makeBundle(crypto, [{ id: 'me', version: 1, protocolVersion: 1 }], 1n)
  const stranger = makeBundle(crypto, [{ id: 'x', version: 1, protocolVersion: 1 }], 1n, 'other')
  throwsTyped(() => mergeBundles(ours, stranger, { identity, crypto }), ['BUNDLE_SIGNATURE'])
  const sibling = makeBundle(crypto, [{ id: 'x', version: 1, protocolVersion: 1 }], 1n)
  const tampered = clone(BundleSchema, sibling)
  tampered.signedPreKeys['x']!.version = 2
  throwsTyped(() => mergeBundles(ours, tampered, { identity, crypto }), ['BUNDLE_SIGNATURE'])
  assert.throws(() => mergeBundles(stranger, sibling, { identity, crypto }), RangeError)
})
