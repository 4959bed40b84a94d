/**
 * Payload, envelope, PoW, topic, key and de-duplication behaviour beyond the vectors: padding sizes,
 * size-field widths, receive checks (expired, future, PoW, size), Status topic derivations
 * (status-go partitions 4490 and 3991), bloom quirk, key caching, and the receiver's dedup.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { SecretKey, fromHex, providers, toHex } from '../../src/crypto/index.ts'
import {
  ManualClock,
  MemorySeenSet,
  NegotiatedKeyCache,
  Receiver,
  contactCodeKey,
  contactCodeTopic,
  contactCodeTopicName,
  contentTopic,
  createEnvelope,
  decodeEnvelope,
  decodeRawPayload,
  discoveryTopic,
  encodeEnvelope,
  encodeRawPayload,
  negotiatedKey,
  negotiatedTopic,
  open,
  partitionOf,
  partitionedTopic,
  personalTopicName,
  powOf,
  seal,
  sealSymmetric,
  symmetricKeyFromPassword,
  topicBloom,
  topicFromContentTopic,
  topicFromHex,
  topicFromName,
  validateEnvelope,
} from '../../src/transport/index.ts'

const provider = providers.portable
const T0 = 1_700_000_000

test('padding makes signed and unsigned payloads a multiple of 256; size field widths', () => {
  const signer = provider.generateKeyPair().privateKey
  for (const [len, flagsSigned] of [
    [0, 0x05],
    [5, 0x05],
    [190, 0x05],
    [191, 0x05],
    [255, 0x05],
    [256, 0x06],
    [300, 0x06],
    [65535, 0x06],
    [70000, 0x07],
  ] as const) {
    const payload = new Uint8Array(len).fill(7)
    const signed = encodeRawPayload(payload, signer, { provider })
    assert.equal(signed.length % 256, 0)
    assert.equal(signed[0], flagsSigned)
    const unsigned = encodeRawPayload(payload, undefined, { provider })
    assert.equal(unsigned.length % 256, 0)
    assert.equal(unsigned[0], flagsSigned & 3)
    assert.equal(decodeRawPayload(unsigned).payload.length, len)
  }
  // Exact fit gets a full block of padding (as geth): 1 + 1 + 189 + 65 = 256.
  const exact = encodeRawPayload(new Uint8Array(189), signer, { provider })
  assert.equal(exact.length, 512)
})

test('open reports the signer and rejects tampering with typed errors', () => {
  const alice = provider.generateKeyPair()
  const key = SecretKey.fromBytes(provider.randomBytes(32))
  const data = sealSymmetric(Uint8Array.of(1, 2, 3), key, alice.privateKey, { provider })
  const opened = open(data, { symKey: key }, { provider })
  assert.equal(toHex(opened.signer!), toHex(provider.decompressPublicKey(alice.publicKey)))
  const bad = Uint8Array.from(data)
  bad[0]! ^= 1
  assert.throws(() => open(bad, { symKey: key }, { provider }), { code: 'MAC_MISMATCH' })
  assert.throws(() => open(data.subarray(0, 10), { symKey: key }, { provider }), {
    code: 'WIRE_MALFORMED',
  })
})

test('a signature over other bytes recovers another key; a corrupt one is INVALID_SIGNATURE', () => {
  const alice = provider.generateKeyPair()
  const raw = encodeRawPayload(Uint8Array.of(1), alice.privateKey, { provider })
  const key = SecretKey.fromBytes(provider.randomBytes(32))
  // Flip a padding byte after signing: the signature now recovers to someone else.
  const forged = Uint8Array.from(raw)
  forged[10]! ^= 0xff
  const opened = open(
    provider.encryptSymmetric(key.exportBytes(), forged),
    { symKey: key },
    { provider },
  )
  assert.notEqual(toHex(opened.signer!), toHex(provider.decompressPublicKey(alice.publicKey)))
  const badV = Uint8Array.from(raw)
  badV[raw.length - 1] = 7
  assert.throws(
    () => open(provider.encryptSymmetric(key.exportBytes(), badV), { symKey: key }, { provider }),
    { code: 'INVALID_SIGNATURE' },
  )
})

test('envelope receive checks: expired, future, PoW, size', () => {
  const env = createEnvelope({
    topic: topicFromHex('01020304'),
    data: new Uint8Array(100),
    ttl: 20,
    now: T0,
  })
  const sealed = seal(env, 0.002, { provider })
  assert.ok(powOf(sealed, provider) >= 0.002)
  assert.ok(validateEnvelope(sealed, { now: T0, provider }) >= 0.002)
  assert.throws(() => validateEnvelope(sealed, { now: T0 + 21, provider }), {
    code: 'ENVELOPE_EXPIRED',
  })
  validateEnvelope(sealed, { now: T0 + 21, provider, allowExpired: true })
  assert.throws(() => validateEnvelope(sealed, { now: T0 - 11, provider }), {
    code: 'ENVELOPE_FUTURE',
  })
  validateEnvelope(sealed, { now: T0 - 10, provider, minPow: 0 })
  assert.throws(() => validateEnvelope(sealed, { now: T0, provider, minPow: 1e6 }), {
    code: 'POW_TOO_LOW',
  })
  assert.throws(() => validateEnvelope(sealed, { now: T0, provider, maxSize: 100 }), {
    code: 'WIRE_MALFORMED',
  })
  assert.throws(() => seal(env, 1e9, { provider, maxIterations: 10 }), { code: 'POW_TOO_LOW' })
  assert.deepEqual(decodeEnvelope(encodeEnvelope(sealed)), sealed)
  assert.throws(() => decodeEnvelope(encodeEnvelope(sealed), { maxSize: 50 }), {
    code: 'WIRE_MALFORMED',
  })
})

test('status-go partitions: 4490 and 3991 (filters_manager_test.go)', () => {
  for (const p of Object.values(providers)) {
    const k1 = p.keyPairFromPrivate(
      p.secp256k1PrivateKey(
        fromHex('c6cbd7d76bc5baca530c875663711b947efa6a86a900a9e8645ce32e5821484e'),
      ),
    )
    const k2 = p.keyPairFromPrivate(
      p.secp256k1PrivateKey(
        fromHex('d51dd64ad19ea84968a308dca246012c00d2b2101d41bce740acd1c650acc509'),
      ),
    )
    assert.equal(partitionOf(k1.publicKey, p), 4490)
    assert.equal(partitionOf(k2.publicKey, p), 3991)
    assert.equal(
      toHex(partitionedTopic(k1.publicKey, p)),
      toHex(topicFromName('contact-discovery-4490', p)),
    )
  }
})

test('topic names and derivations', () => {
  assert.equal(toHex(discoveryTopic(provider)), 'f8946aac')
  assert.equal(toHex(topicFromName('contact-discovery-797', provider)), '9dc04959')
  const pub = provider.generateKeyPair().publicKey
  const full = toHex(provider.decompressPublicKey(pub))
  assert.equal(contactCodeTopicName(pub, provider), `0x${full}-contact-code`)
  assert.equal(personalTopicName(pub, provider), `contact-discovery-${full}`)
  assert.equal(
    toHex(contactCodeTopic(pub, provider)),
    toHex(topicFromName(`0x${full}-contact-code`, provider)),
  )
  const t = topicFromHex('5c6c9b56')
  assert.equal(contentTopic(t), '/waku/1/0x5c6c9b56/rfc26')
  assert.equal(toHex(topicFromContentTopic('/waku/1/0x5c6c9b56/rfc26')), '5c6c9b56')
  assert.throws(() => topicFromContentTopic('/waku/2/x'), { code: 'INVALID_ARGUMENT' })
})

test('negotiated topic/key: keccak and PBKDF2 of the secret hex; cached per peer', () => {
  const secret = fromHex('11'.repeat(32))
  const hex = '11'.repeat(32)
  assert.equal(toHex(negotiatedTopic(secret, provider)), toHex(topicFromName(hex, provider)))
  const k = negotiatedKey(secret, provider).exportBytes()
  assert.equal(
    toHex(k),
    toHex(provider.pbkdf2Sha256(new TextEncoder().encode(hex), new Uint8Array(0), 65356, 32)),
  )
  assert.equal(toHex(symmetricKeyFromPassword(hex, provider).exportBytes()), toHex(k))
  const pub = provider.generateKeyPair().publicKey
  assert.equal(
    toHex(contactCodeKey(pub, provider).exportBytes()),
    toHex(symmetricKeyFromPassword(contactCodeTopicName(pub, provider), provider).exportBytes()),
  )
  // The static-secret key of the status-offline-inbox password (TRANSPORT.md §1.8: 765df27c…aae8).
  assert.match(
    toHex(symmetricKeyFromPassword('status-offline-inbox', provider).exportBytes()),
    /^765df27c.*aae8$/,
  )

  let derivations = 0
  const cache = new NegotiatedKeyCache({ provider, maxEntries: 2 })
  const peer = provider.generateKeyPair().publicKey
  const get = () => cache.get(peer, () => (derivations++, secret))
  const a = get()
  const b = get()
  assert.equal(derivations, 1)
  assert.equal(a, b)
  assert.equal(toHex(a.topic), toHex(negotiatedTopic(secret, provider)))
  cache.get(provider.generateKeyPair().publicKey, () => secret)
  cache.get(provider.generateKeyPair().publicKey, () => secret)
  assert.equal(cache.size, 2)
  assert.equal(cache.has(peer), false)
  assert.equal(a.key.destroyed, true)
})

test('bloom: geth assignment quirk and the TRANSPORT.md example', () => {
  const b = topicBloom(topicFromHex('5c6c9b56'))
  assert.equal(b[11], 0x10)
  assert.equal(b[45], 0x10)
  assert.equal(b[51], 0x08)
  assert.equal(topicBloom(topicFromHex('01020380'))[0], 0x08)
})

test('receiver: duplicates dropped by hash until expiry, before decryption', () => {
  const clock = new ManualClock(T0 * 1000)
  const receiver = new Receiver({ clock, provider, seen: new MemorySeenSet({ clock }) })
  const env = seal(
    createEnvelope({ topic: topicFromHex('01020304'), data: new Uint8Array(10), ttl: 30, now: T0 }),
    0.002,
    { provider },
  )
  assert.ok(receiver.accept(env))
  assert.equal(receiver.accept(decodeEnvelope(encodeEnvelope(env))), undefined)
  clock.advance(31_000)
  assert.throws(() => receiver.accept(env), { code: 'ENVELOPE_EXPIRED' })
  // From a store node, an expired envelope is accepted once more (its seen entry expired).
  assert.ok(receiver.accept(env, true))
  assert.equal(receiver.seen.prune(T0 + 100), 1)
})
