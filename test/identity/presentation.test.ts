/**
 * How Status presents a chat key (identity README §2–§4): every case of alias.json,
 * emojihash.json and colorhash.json, intermediate values included, on both crypto providers.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { fromHex, providers, toHex } from '../../src/crypto/index.ts'
import {
  ADJECTIVES,
  ANIMALS,
  COLOR_PALETTE,
  EMOJI_ALPHABET,
  EMOJI_HASH_LENGTH,
  aliasFromSeed,
  aliasSeed,
  colorHash,
  colorHashColors,
  colorId,
  emojiHash,
  emojiHashDigits,
  threeWordName,
} from '../../src/messenger/identity/index.ts'
import aliasVectors from '../../../shared/identity/alias.json' with { type: 'json' }
import emojiVectors from '../../../shared/identity/emojihash.json' with { type: 'json' }
import colorVectors from '../../../shared/identity/colorhash.json' with { type: 'json' }

/** The LFSR of README §2, written out again here to check the recorded trace. */
function lfsr(seed: bigint): bigint[] {
  const out: bigint[] = []
  let s = seed
  for (let i = 0; i < 3; i++) {
    let t = s & 0xb8n
    let bit = 0n
    for (; t > 0n; t >>= 1n) bit ^= t & 1n
    s = ((s << 1n) | bit) & ((1n << 64n) - 1n)
    out.push(s)
  }
  return out
}

const hex16 = (n: bigint): string => n.toString(16).padStart(16, '0')

test('alias.json: seed cases (generate(seed) directly)', () => {
  const seeds = aliasVectors.cases.filter((c) => c.kind === 'seed')
  assert.equal(seeds.length, 5)
  for (const c of seeds) {
    const seed = BigInt(`0x${c.seed_u64}`)
    assert.equal(seed.toString(), c.seed_u64_dec)
    assert.deepEqual(lfsr(seed).map(hex16), c.lfsr_outputs, c.label)
    assert.equal(aliasFromSeed(seed), c.alias, c.label)
  }
})

for (const [name, crypto] of Object.entries(providers)) {
  test(`alias.json (${name}): public-key cases, with the LFSR trace and indices`, () => {
    const keyed = aliasVectors.cases.filter((c) => c.kind === 'public_key')
    assert.equal(keyed.length, 22)
    for (const c of keyed) {
      const key = fromHex(c.public_key!)
      const seed = aliasSeed(key, crypto)
      assert.equal(hex16(seed), c.seed_u64, c.label)
      assert.equal(seed.toString(), c.seed_u64_dec, c.label)
      const [o1, o2, o3] = lfsr(seed)
      assert.deepEqual(
        [o1, o2, o3].map((o) => hex16(o!)),
        c.lfsr_outputs,
        c.label,
      )
      assert.equal(Number(o1! % 1389n), c.adjective1_index, c.label)
      assert.equal(Number(o2! % 1389n), c.adjective2_index, c.label)
      assert.equal(Number(o3! % 1704n), c.animal_index, c.label)
      assert.equal(
        c.alias,
        `${ADJECTIVES[c.adjective1_index]!} ${ADJECTIVES[c.adjective2_index]!} ${ANIMALS[c.animal_index]!}`,
      )
      assert.equal(threeWordName(key, crypto), c.alias, c.label)
      // status-go's string form, and the compressed bytes, name the same key.
      assert.equal(threeWordName(`0x${c.public_key!}`, crypto), c.alias, c.label)
      assert.equal(threeWordName(crypto.compressPublicKey(key), crypto), c.alias, c.label)
    }
  })

  test(`emojihash.json (${name}): value, base-2757 digits, emojis and code points`, () => {
    assert.equal(emojiVectors.cases.length, 22)
    for (const c of emojiVectors.cases) {
      const key = fromHex(c.public_key)
      assert.equal(toHex(crypto.compressPublicKey(key)), c.public_key_compressed, c.label)
      assert.equal(c.public_key_compressed.slice(3, 43), c.value_hex, c.label)
      assert.deepEqual(emojiHashDigits(key, crypto), c.digits_base2757, c.label)
      const hash = emojiHash(`0x${c.public_key}`, crypto)
      assert.equal(hash.length, EMOJI_HASH_LENGTH)
      assert.deepEqual(hash, c.emoji_hash, c.label)
      const codepoints = hash.map((e) =>
        // Code points on purpose: the vectors list them one by one (ZWJ, FE0F, skin tones).
        Array.from(e, (ch) => ch.codePointAt(0)!.toString(16)).join(' '),
      )
      assert.deepEqual(codepoints, c.emoji_codepoints, c.label)
    }
  })

  test(`colorhash.json (${name}): value, base-160 digits, pairs, dedup, color ID`, () => {
    assert.equal(colorVectors.cases.length, 22)
    for (const c of colorVectors.cases) {
      const key = fromHex(c.public_key)
      assert.equal(toHex(crypto.compressPublicKey(key)), c.public_key_compressed, c.label)
      assert.equal(c.public_key_compressed.slice(43, 63), c.value_hex, c.label)
      assert.deepEqual(
        c.digits_base160.map((d) => [Math.floor(d / 32) + 1, d % 32]),
        c.pairs_before_dedup,
        c.label,
      )
      const hash = colorHash(key, crypto)
      assert.deepEqual(hash, c.color_hash, c.label)
      assert.equal(hash.length, c.digits_base160.length, c.label)
      for (let i = 1; i < hash.length; i++) assert.notEqual(hash[i]![1], hash[i - 1]![1], c.label)
      assert.equal(colorId(key, crypto), c.color_id, c.label)
      assert.equal(colorId(`0x${c.public_key}`, crypto), c.color_id, c.label)
      assert.deepEqual(
        colorHashColors(hash).map((s) => s.color),
        hash.map(([, i]) => COLOR_PALETTE[i]),
      )
    }
  })
}

test('colorhash.json: the short rings (search-196, search-227) have 10 segments', () => {
  for (const label of ['search-196', 'search-227']) {
    const c = colorVectors.cases.find((v) => v.label === label)!
    assert.equal(colorHash(fromHex(c.public_key)).length, 10)
  }
})

test('emojihash.json: small-X keys and padding, as the README describes', () => {
  const smile = EMOJI_ALPHABET[0]!
  const by = (l: string) => emojiVectors.cases.find((c) => c.label === l)!
  assert.deepEqual(emojiHash(fromHex(by('small_x_1').public_key)), Array(14).fill(smile))
  assert.deepEqual(emojiHash(fromHex(by('small_x_2').public_key)), [
    ...Array(13).fill(smile),
    EMOJI_ALPHABET[1],
  ])
  assert.deepEqual(emojiHash(fromHex(by('small_x_3').public_key)), [
    ...Array(13).fill(smile),
    EMOJI_ALPHABET[2],
  ])
  assert.equal(by('search-486').digits_base2757[0], 0)
})
