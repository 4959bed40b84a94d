/**
 * Stored state (proto/ratchet_state.proto, version 1): the golden fixtures of
 * `test/fixtures/ratchet/v1/` still load (under both providers), re-encode to the same bytes and
 * decrypt what they list; states round-trip byte for byte and behave identically after loading;
 * hostile bytes (random, mutated, truncated, oversized, wrong version, too many keys) yield only
 * `PfsError` (`CORRUPT_STATE` / `UNKNOWN_VERSION`).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { create, fromBinary, toBinary } from '@bufbuild/protobuf'
import { bytesEqual, fromHex, providers, toHex, utf8 } from '../../src/crypto/index.ts'
import { PfsError } from '../../src/errors.ts'
import {
  MAX_MESSAGE_KEYS_PER_SESSION,
  decrypt,
  deserialize,
  encrypt,
  serialize,
} from '../../src/ratchet/index.ts'
import type { DhName, RatchetState } from '../../src/ratchet/index.ts'
import {
  RatchetStateSchema,
  SkippedChainSchema,
  SkippedKeySchema,
} from '../../src/wire/gen/ratchet_state_pb.ts'
import { DH_NAMES, SEED, codeOf, generateKeyPair, newPair } from './helpers.ts'

const FIXTURES = new URL('../fixtures/ratchet/v1/', import.meta.url)

interface Step {
  op: 'decrypt' | 'encrypt' | 'duplicate'
  id: string
  header: { dh: string; n: number; pn: number }
  ciphertext: string
  ad: string
  plaintext: string
  dh_step?: boolean
}
interface Variant {
  dh: DhName
  state_file: string
  after_load: {
    ns: number
    nr: number
    pn: number
    skipped_keys: number
    ratchet_public_key: string
    remote_ratchet_public_key: string
  }
  steps: Step[]
}
const fixture = JSON.parse(readFileSync(new URL('fixture.json', FIXTURES), 'utf8')) as {
  format_version: number
  variants: Variant[]
}

for (const v of fixture.variants) {
  for (const [providerName, crypto] of Object.entries(providers)) {
    test(`golden v1 ${v.dh} (${providerName}): loads, re-encodes identically, decrypts its steps`, () => {
      assert.equal(fixture.format_version, 1)
      const bytes = new Uint8Array(readFileSync(new URL(v.state_file, FIXTURES)))
      let state = deserialize(bytes, { crypto })
      assert.ok(bytesEqual(serialize(state), bytes), 'serialize(deserialize(v1)) differs from v1')
      assert.equal(state.dh, v.dh)
      assert.equal(state.sendCount, v.after_load.ns)
      assert.equal(state.receiveCount, v.after_load.nr)
      assert.equal(state.previousSendCount, v.after_load.pn)
      assert.equal(state.skippedKeyCount, v.after_load.skipped_keys)
      assert.equal(toHex(state.ratchetPublicKey), v.after_load.ratchet_public_key)
      assert.equal(toHex(state.remoteRatchetPublicKey!), v.after_load.remote_ratchet_public_key)
      for (const s of v.steps) {
        const header = { dh: fromHex(s.header.dh), n: s.header.n, pn: s.header.pn }
        const ad = fromHex(s.ad)
        if (s.op === 'encrypt') {
          const r = encrypt(state, fromHex(s.plaintext), ad)
          assert.equal(toHex(r.header.dh), s.header.dh, s.id)
          assert.deepEqual([r.header.n, r.header.pn], [s.header.n, s.header.pn], s.id)
          assert.equal(toHex(r.ciphertext), s.ciphertext, s.id)
          state = r.state
        } else if (s.op === 'duplicate') {
          assert.equal(
            codeOf(() => decrypt(state, header, fromHex(s.ciphertext), ad)),
            'DUPLICATE',
          )
        } else {
          const before = state.ratchetPublicKey
          const r = decrypt(state, header, fromHex(s.ciphertext), ad)
          assert.equal(toHex(r.plaintext), s.plaintext, s.id)
          assert.equal(!bytesEqual(before, r.state.ratchetPublicKey), s.dh_step === true, s.id)
          state = r.state
        }
      }
      assert.equal(state.skippedKeyCount, 0)
    })
  }
}

/** A state with history: both chains used, a DH step, skipped keys on two chains. */
function busyState(dh: DhName): { bob: RatchetState; alice: RatchetState } {
  let { alice, bob } = newPair(dh)
  const send = (from: 'a' | 'b'): ReturnType<typeof encrypt> => {
    const r = encrypt(from === 'a' ? alice : bob, utf8('x'))
    if (from === 'a') alice = r.state
    else bob = r.state
    return r
  }
  const a = [send('a'), send('a'), send('a')]
  bob = decrypt(bob, a[0]!.header, a[0]!.ciphertext).state
  const b = send('b')
  alice = decrypt(alice, b.header, b.ciphertext).state
  const c = [send('a'), send('a'), send('a')]
  bob = decrypt(bob, c[2]!.header, c[2]!.ciphertext).state
  return { bob, alice }
}

for (const dh of DH_NAMES) {
  test(`${dh}: serialize/deserialize round-trips and the loaded state behaves identically`, () => {
    const { bob, alice } = busyState(dh)
    for (const s of [bob, alice, newPair(dh).bob, newPair(dh).alice]) {
      const bytes = serialize(s)
      const loaded = deserialize(bytes, { crypto: providers.portable })
      assert.ok(bytesEqual(serialize(loaded), bytes))
      const m1 = encrypt(s, utf8('same'))
      const m2 = encrypt(loaded, utf8('same'))
      assert.ok(bytesEqual(m1.ciphertext, m2.ciphertext))
      assert.ok(bytesEqual(serialize(m1.state), serialize(m2.state)))
    }
    // The loaded state does not alias the input: wiping the bytes changes nothing.
    const bytes = serialize(bob)
    const loaded = deserialize(bytes)
    const expected = serialize(loaded)
    bytes.fill(0)
    assert.ok(bytesEqual(serialize(loaded), expected))
  })

  test(`${dh}: mutated and truncated states yield only PfsError (seed ${SEED})`, () => {
    const valid = serialize(busyState(dh).bob)
    fc.assert(
      fc.property(fc.nat(), fc.nat(255), fc.nat(), (pos, value, cut) => {
        const mutated = valid.slice()
        mutated[pos % mutated.length] = value
        for (const b of [mutated, valid.subarray(0, cut % valid.length)]) {
          try {
            deserialize(b)
          } catch (e) {
            assert.ok(e instanceof PfsError, String(e))
            assert.ok(['CORRUPT_STATE', 'UNKNOWN_VERSION'].includes(e.code), e.code)
          }
        }
      }),
      { seed: SEED, numRuns: 500 },
    )
  })
}

test(`random bytes to deserialize yield only PfsError (seed ${SEED})`, () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => {
      try {
        deserialize(bytes)
      } catch (e) {
        assert.ok(e instanceof PfsError, String(e))
        assert.ok(['CORRUPT_STATE', 'UNKNOWN_VERSION'].includes(e.code), e.code)
      }
    }),
    { seed: SEED, numRuns: 2000 },
  )
})

test('versions, sizes and limits are enforced', () => {
  const valid = serialize(busyState('secp256k1').bob)
  const record = fromBinary(RatchetStateSchema, valid)
  const withChanges = (f: (r: typeof record) => void): Uint8Array => {
    const r = fromBinary(RatchetStateSchema, valid)
    f(r)
    return toBinary(RatchetStateSchema, r)
  }
  assert.equal(
    codeOf(() => deserialize(withChanges((r) => (r.version = 2)))),
    'UNKNOWN_VERSION',
  )
  try {
    deserialize(withChanges((r) => (r.version = 7)))
  } catch (e) {
    assert.deepEqual((e as PfsError).details, { version: 7 })
  }
  assert.equal(
    codeOf(() => deserialize(withChanges((r) => (r.version = 0)))),
    'CORRUPT_STATE',
  )
  assert.equal(
    codeOf(() => deserialize(new Uint8Array(0))),
    'CORRUPT_STATE',
  )
  assert.equal(
    codeOf(() => deserialize(new Uint8Array(300 * 1024))),
    'CORRUPT_STATE',
  )
  assert.equal(
    codeOf(() => deserialize(withChanges((r) => (r.dh = 9)))),
    'CORRUPT_STATE',
  )
  assert.equal(
    codeOf(() => deserialize(withChanges((r) => (r.rootKey = new Uint8Array(31))))),
    'CORRUPT_STATE',
  )
  assert.equal(
    codeOf(() => deserialize(withChanges((r) => (r.sendingPrivateKey = new Uint8Array(32))))),
    'CORRUPT_STATE',
  )
  assert.equal(
    codeOf(() => deserialize(withChanges((r) => (r.receivingPublicKey = new Uint8Array(32))))),
    'CORRUPT_STATE',
  )
  // Skipped keys: order, uniqueness, count.
  assert.ok(record.skipped.length > 0)
  assert.equal(
    codeOf(() => deserialize(withChanges((r) => r.skipped[0]!.keys.reverse()))),
    'CORRUPT_STATE',
  )
  assert.equal(
    codeOf(() => deserialize(withChanges((r) => r.skipped.push(r.skipped[0]!)))),
    'CORRUPT_STATE',
  )
  const dhKey = generateKeyPair('secp256k1', providers.portable).publicKey
  const many = withChanges((r) => {
    r.keysCount = BigInt(10_000)
    r.skipped = [
      create(SkippedChainSchema, {
        ratchetPublicKey: dhKey,
        keys: Array.from({ length: MAX_MESSAGE_KEYS_PER_SESSION + 1 }, (_, i) =>
          create(SkippedKeySchema, { n: i, messageKey: new Uint8Array(32), seq: BigInt(i) }),
        ),
      }),
    ]
  })
  assert.equal(
    codeOf(() => deserialize(many)),
    'CORRUPT_STATE',
  )
})
