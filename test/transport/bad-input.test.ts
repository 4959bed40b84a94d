/**
 * Hostile input (STYLE.md §8 "Fuzzing"): random bytes and mutations of valid payloads and envelopes
 * — truncated, extended, bit-flipped, wrongly padded, wrongly signed, expired — must produce a
 * result or a `PfsError`, never anything else.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { SecretKey, providers } from '../../src/crypto/index.ts'
import { PfsError } from '../../src/errors.ts'
import {
  MemoryEnvelopeStore,
  createEnvelope,
  decodeEnvelope,
  decodeRawPayload,
  encodeEnvelope,
  encodeRawPayload,
  open,
  sealAsymmetric,
  sealSymmetric,
  topicFromHex,
  validateEnvelope,
} from '../../src/transport/index.ts'
import type { HistoryQuery } from '../../src/transport/index.ts'

const provider = providers.portable
const sender = provider.generateKeyPair()
const recipient = provider.generateKeyPair()
const symKey = SecretKey.fromBytes(provider.randomBytes(32))
const symBytes = symKey.exportBytes()

function onlyPfsError(fn: () => unknown): void {
  try {
    fn()
  } catch (e) {
    if (!(e instanceof PfsError)) throw e
  }
}

/** A mutation: truncate, extend, flip bits, or splice random bytes. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('extend' as const),
    extra: fc.uint8Array({ minLength: 1, maxLength: 64 }),
  }),
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.nat(),
    bit: fc.integer({ min: 0, max: 7 }),
  }),
  fc.record({
    kind: fc.constant('splice' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ maxLength: 16 }),
  }),
)

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never

function mutate(data: Uint8Array, m: Mutation): Uint8Array {
  const out = Uint8Array.from(data)
  switch (m.kind) {
    case 'truncate':
      return out.subarray(0, data.length === 0 ? 0 : m.at % data.length)
    case 'extend':
      return Uint8Array.from([...out, ...m.extra])
    case 'flip':
      if (out.length > 0) out[m.at % out.length]! ^= 1 << m.bit
      return out
    default: {
      const at = out.length === 0 ? 0 : m.at % out.length
      return Uint8Array.from([
        ...out.subarray(0, at),
        ...m.bytes,
        ...out.subarray(at + m.bytes.length),
      ])
    }
  }
}

test('random bytes: open (both key kinds), decodeRawPayload and decodeEnvelope throw only PfsError', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
      onlyPfsError(() => open(bytes, { symKey }, { provider }))
      onlyPfsError(() => open(bytes, { privateKey: recipient.privateKey }, { provider }))
      onlyPfsError(() => decodeRawPayload(bytes))
      onlyPfsError(() => decodeEnvelope(bytes))
    }),
    { numRuns: 500 },
  )
})

test('random plaintexts under a valid key (wrong padding, size, flags, signature) → only PfsError', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), (raw, unsigned) => {
      const data = provider.encryptSymmetric(symBytes, raw)
      onlyPfsError(() => open(data, { symKey }, { provider, allowUnsigned: unsigned }))
      const asym = provider.eciesEncrypt(recipient.publicKey, raw)
      onlyPfsError(() => open(asym, { privateKey: recipient.privateKey }, { provider }))
    }),
    { numRuns: 300 },
  )
})

test('mutated sealed payloads → a result or only PfsError', () => {
  const payload = new Uint8Array(77).fill(3)
  const sym = sealSymmetric(payload, symKey, sender.privateKey, { provider })
  const asym = sealAsymmetric(payload, recipient.publicKey, sender.privateKey, { provider })
  const raw = encodeRawPayload(payload, sender.privateKey, { provider })
  fc.assert(
    fc.property(mutation, (m) => {
      onlyPfsError(() => open(mutate(sym, m), { symKey }, { provider }))
      onlyPfsError(() => open(mutate(asym, m), { privateKey: recipient.privateKey }, { provider }))
      // Mutated plaintexts encrypted validly: exercises the size/flags/signature parser.
      const data = provider.encryptSymmetric(symBytes, mutate(raw, m))
      onlyPfsError(() => open(data, { symKey }, { provider }))
    }),
    { numRuns: 300 },
  )
})

test('mutated envelopes → decode/validate give a result or only PfsError; expired is typed', () => {
  const env = createEnvelope({
    topic: topicFromHex('0badc0de'),
    data: new Uint8Array(300).fill(1),
    ttl: 50,
    now: 1_700_000_000,
  })
  const wire = encodeEnvelope(env)
  fc.assert(
    fc.property(mutation, fc.integer({ min: 1_699_999_000, max: 1_700_001_000 }), (m, now) => {
      onlyPfsError(() => {
        const e = decodeEnvelope(mutate(wire, m))
        validateEnvelope(e, { now, provider })
      })
    }),
    { numRuns: 500 },
  )
  assert.throws(() => validateEnvelope(env, { now: 1_700_000_051, provider }), {
    code: 'ENVELOPE_EXPIRED',
  })
})

test('oversized inputs are refused before work', () => {
  const big = new Uint8Array(10 * 1024 * 1024 + 1)
  assert.throws(() => open(big, { symKey }, { provider }), { code: 'WIRE_MALFORMED' })
  assert.throws(() => decodeEnvelope(big), { code: 'WIRE_MALFORMED' })
  assert.throws(() => encodeRawPayload(big, undefined, { provider }), { code: 'INVALID_ARGUMENT' })
})

test('random history queries → a page or INVALID_ARGUMENT', () => {
  const store = new MemoryEnvelopeStore({ provider })
  fc.assert(
    fc.property(fc.anything(), (q) => {
      try {
        store.query(q as HistoryQuery, 0)
      } catch (e) {
        assert.ok(e instanceof PfsError && e.code === 'INVALID_ARGUMENT')
      }
    }),
    { numRuns: 300 },
  )
})
