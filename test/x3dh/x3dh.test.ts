/**
 * X3DH (PROTOCOL.md §5): status-go's own known answer, both sides agree on SK for random keys with
 * and without a one-time prekey (our extension), the OPK changes SK, and bad keys fail typed.
 * fast-check seed: 0x5eed03.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { fromHex, toHex, utf8 } from '../../src/crypto/index.ts'
import { isPfsError } from '../../src/errors.ts'
import { performActiveX3dh, x3dhActive, x3dhPassive } from '../../src/x3dh/index.ts'
import { PROVIDERS, keyFrom, publicOf } from './helpers.ts'

const SEED = 0x5eed03
const seedBytes = fc.uint8Array({ minLength: 1, maxLength: 16 })

for (const [name, crypto] of PROVIDERS) {
  test(`[${name}] status-go x3dh_test.go: ASCII "000…", "111…", "222…", "333…" keys`, () => {
    const ascii = (c: string) => crypto.secp256k1PrivateKey(utf8(c.repeat(32)))
    const ikA = ascii('0')
    const ekA = ascii('1')
    const ikB = ascii('2')
    const spkB = ascii('3')
    const want = 'a4e923d0af8fe78a056363be20e71c0a58e569ea8fc1f79289eca10d9f68133a'
    const active = x3dhActive({
      identity: ikA,
      ephemeral: ekA,
      theirIdentity: publicOf(crypto, ikB),
      theirSignedPreKey: publicOf(crypto, spkB),
      crypto,
    })
    const passive = x3dhPassive({
      identity: ikB,
      signedPreKey: spkB,
      theirIdentity: publicOf(crypto, ikA),
      theirEphemeral: publicOf(crypto, ekA),
      crypto,
    })
    assert.equal(toHex(active), want)
    assert.equal(toHex(passive), want)
  })

  test(`[${name}] both sides agree for random keys, with and without OPK`, () => {
    fc.assert(
      fc.property(
        fc.tuple(seedBytes, seedBytes, seedBytes, seedBytes, seedBytes),
        fc.boolean(),
        ([a, e, b, s, o], withOpk) => {
          const ikA = keyFrom(crypto, a)
          const ekA = keyFrom(crypto, Uint8Array.of(1, ...e))
          const ikB = keyFrom(crypto, Uint8Array.of(2, ...b))
          const spkB = keyFrom(crypto, Uint8Array.of(3, ...s))
          const opkB = keyFrom(crypto, Uint8Array.of(4, ...o))
          const active = x3dhActive({
            identity: ikA,
            ephemeral: ekA,
            theirIdentity: publicOf(crypto, ikB),
            theirSignedPreKey: publicOf(crypto, spkB),
            ...(withOpk ? { theirOneTimePreKey: publicOf(crypto, opkB) } : {}),
            crypto,
          })
          const passive = x3dhPassive({
            identity: ikB,
            signedPreKey: spkB,
            theirIdentity: publicOf(crypto, ikA),
            theirEphemeral: publicOf(crypto, ekA),
            ...(withOpk ? { oneTimePreKey: opkB } : {}),
            crypto,
          })
          assert.equal(active.length, 32)
          assert.deepEqual(active, passive)
        },
      ),
      { seed: SEED, numRuns: 40 },
    )
  })

  test(`[${name}] an OPK changes SK, and only one side using it breaks agreement`, () => {
    const ikA = keyFrom(crypto, 'ikA')
    const ekA = keyFrom(crypto, 'ekA')
    const ikB = keyFrom(crypto, 'ikB')
    const spkB = keyFrom(crypto, 'spkB')
    const opkB = keyFrom(crypto, 'opkB')
    const base = {
      identity: ikA,
      ephemeral: ekA,
      theirIdentity: publicOf(crypto, ikB),
      theirSignedPreKey: publicOf(crypto, spkB),
      crypto,
    }
    const withOpk = x3dhActive({ ...base, theirOneTimePreKey: publicOf(crypto, opkB) })
    const without = x3dhActive(base)
    assert.notDeepEqual(withOpk, without)
    // DH4 = DH(EK_A, OPK_B) appended before hashing.
    const dh = (k: typeof ikA, p: Uint8Array) => crypto.secp256k1Ecdh(k, p)
    const manual = crypto.keccak256(
      Uint8Array.from([
        ...dh(ikA, publicOf(crypto, spkB)),
        ...dh(ekA, publicOf(crypto, ikB)),
        ...dh(ekA, publicOf(crypto, spkB)),
        ...dh(ekA, publicOf(crypto, opkB)),
      ]),
    )
    assert.deepEqual(withOpk, manual)
    const passiveWithout = x3dhPassive({
      identity: ikB,
      signedPreKey: spkB,
      theirIdentity: publicOf(crypto, ikA),
      theirEphemeral: publicOf(crypto, ekA),
      crypto,
    })
    assert.notDeepEqual(withOpk, passiveWithout)
    assert.deepEqual(without, passiveWithout)
  })

  test(`[${name}] performActiveX3dh: generated ephemeral, responder agrees`, () => {
    const ikA = keyFrom(crypto, 'ikA')
    const ikB = keyFrom(crypto, 'ikB')
    const spkB = keyFrom(crypto, 'spkB')
    const { sharedSecret, ephemeralPublic } = performActiveX3dh({
      identity: ikA,
      theirIdentity: publicOf(crypto, ikB),
      theirSignedPreKey: publicOf(crypto, spkB),
      crypto,
    })
    assert.equal(ephemeralPublic.length, 33)
    const passive = x3dhPassive({
      identity: ikB,
      signedPreKey: spkB,
      theirIdentity: publicOf(crypto, ikA),
      theirEphemeral: ephemeralPublic,
      crypto,
    })
    assert.deepEqual(sharedSecret, passive)
  })

  test(`[${name}] a public key off the curve throws INVALID_KEY, nothing else`, () => {
    const bad = fromHex('05' + '11'.repeat(32))
    const ok = publicOf(crypto, keyFrom(crypto, 'ok'))
    for (const [theirIdentity, theirSignedPreKey] of [
      [bad, ok],
      [ok, bad],
    ] as const) {
      assert.throws(
        () =>
          x3dhActive({
            identity: keyFrom(crypto, 'a'),
            ephemeral: keyFrom(crypto, 'e'),
            theirIdentity,
            theirSignedPreKey,
            crypto,
          }),
        (e) => isPfsError(e, 'INVALID_KEY'),
      )
    }
  })
}
