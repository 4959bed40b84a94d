/**
 * Fuzz targets of the transport (TRANSPORT.md §1; issue 10 "Fuzzing"): the receive path
 * `decodeEnvelope → Receiver.accept → open` over mutated envelopes (symmetric and ECIES), `open`
 * over validly encrypted but mutated *plaintext* payloads (flags, size field, padding, signature:
 * reachable only under a valid AEAD/MAC, so byte flips of the ciphertext never get there), the
 * Waku message codec, and the store-node cursor and query checks.
 *
 * Oracle: only `PfsError`s, within the time bound. Plus a forgery check: a mutated plaintext that
 * still opens never recovers the original signer.
 *
 * @module
 */
import fc from 'fast-check'
import { SecretKey, bytesEqual, utf8 } from '../../src/crypto/index.ts'
import {
  ManualClock,
  Receiver,
  checkQuery,
  createEnvelope,
  decodeCursor,
  decodeEnvelope,
  decodeRawPayload,
  decodeWakuMessage,
  encodeEnvelope,
  encodeEnvelopeMessage,
  encodeRawPayload,
  messageToEnvelope,
  open,
  sealAsymmetric,
  sealSymmetric,
  topicFromHex,
} from '../../src/transport/index.ts'
import type { Envelope, HistoryQuery, OpenKey } from '../../src/transport/index.ts'
import type { ByteMutation, FuzzTarget } from './harness.ts'
import { FuzzFailure, assertProperty, byteMutations, guarded, mutateAll } from './harness.ts'
import { crypto, identityKey } from './protocol-fixture.ts'

const NOW_MS = 1_767_225_600_000
const NOW = NOW_MS / 1000
/** What a Status store node keeps: 30 days. */
const HISTORY_RETENTION = 30 * 24 * 3600

interface Sealed {
  readonly envelope: Envelope
  readonly key: OpenKey
}

interface TransportCorpus {
  readonly sealed: readonly Sealed[]
  readonly encoded: readonly Uint8Array[]
  readonly waku: readonly Uint8Array[]
  readonly signer: SecretKey
  readonly signerPublic: Uint8Array
  readonly symKey: SecretKey
  readonly recipient: SecretKey
  readonly recipientPublic: Uint8Array
}

let corpus: TransportCorpus | undefined

function buildCorpus(): TransportCorpus {
  const signer = identityKey('alice')
  const recipient = identityKey('bob')
  const recipientPublic = crypto.secp256k1PublicKey(recipient, false)
  const symKey = SecretKey.fromBytes(crypto.sha256(utf8('topic key')))
  const topic = topicFromHex('0xdeadbeef')
  const sealed: Sealed[] = []
  for (const [i, text] of ['hi', 'x'.repeat(300), ''].entries()) {
    const payload = utf8(text)
    const sym = sealSymmetric(payload, symKey, signer, { provider: crypto })
    const asym = sealAsymmetric(payload, recipientPublic, signer, { provider: crypto })
    const ttl = [50, 1, 0xffff][i]!
    sealed.push(
      { envelope: createEnvelope({ topic, data: sym, ttl, now: NOW }), key: { symKey } },
      {
        envelope: createEnvelope({ topic, data: asym, ttl, now: NOW }),
        key: { privateKey: recipient },
      },
    )
  }
  return {
    sealed,
    encoded: sealed.map((s) => encodeEnvelope(s.envelope)),
    waku: sealed.map((s) => encodeEnvelopeMessage(s.envelope)),
    signer,
    signerPublic: crypto.secp256k1PublicKey(signer, false),
    symKey,
    recipient,
    recipientPublic,
  }
}

function getCorpus(): TransportCorpus {
  corpus ??= buildCorpus()
  return corpus
}

interface Input {
  readonly pick: number
  readonly mutations: readonly ByteMutation[]
}

const input: fc.Arbitrary<Input> = fc.record({ pick: fc.nat(), mutations: byteMutations })

/** The receive path of one envelope, up to the opened payload. */
function receive(envelope: Envelope, key: OpenKey, fromStore: boolean): void {
  const receiver = new Receiver({
    clock: new ManualClock(NOW_MS),
    minPow: 0,
    historyRetention: HISTORY_RETENTION,
  })
  if (receiver.accept(envelope, fromStore) === undefined) {
    throw new FuzzFailure('a fresh receiver called a first envelope a duplicate')
  }
  open(envelope.data, key, { provider: crypto })
  // The same envelope again is a duplicate (issue 10 "replayed envelope").
  if (receiver.accept(envelope, fromStore) !== undefined) {
    throw new FuzzFailure('a replayed envelope was accepted twice')
  }
}

const UINT32 = [0, 1, 59, 60, 0x7fffffff, 0xffffffff]

/** Structure-aware envelope changes: times around the limits, topic, nonce, data bytes. */
const envelopeFields = fc.record(
  {
    expiry: fc.oneof(fc.constantFrom(...UINT32), fc.integer({ min: -120, max: 120 })),
    ttl: fc.oneof(fc.constantFrom(...UINT32), fc.nat(100_000)),
    topic: fc.uint8Array({ minLength: 4, maxLength: 4 }),
    nonce: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    data: fc.boolean(),
  },
  { requiredKeys: [] },
)

type EnvelopeFields = typeof envelopeFields extends fc.Arbitrary<infer T> ? T : never

function mutateEnvelope(
  e: Envelope,
  f: EnvelopeFields,
  mutations: readonly ByteMutation[],
): Envelope {
  const small = (v: number | undefined, base: number): number | undefined =>
    v === undefined ? undefined : Math.abs(v) <= 120 ? Math.max(0, base + v) : v
  return {
    expiry: small(f.expiry, e.expiry) ?? e.expiry,
    ttl: f.ttl ?? e.ttl,
    topic: (f.topic ?? e.topic) as Envelope['topic'],
    nonce: f.nonce ?? e.nonce,
    data: f.data === true ? mutateAll(e.data, mutations) : e.data,
  }
}

export const transportTargets: readonly FuzzTarget[] = [
  {
    name: 'transport: decodeEnvelope → Receiver.accept → open (mutated envelopes)',
    weight: 1.5,
    expect: ['ok', 'WIRE_MALFORMED', 'MAC_MISMATCH', 'ENVELOPE_EXPIRED', 'ENVELOPE_FUTURE'],
    run(numRuns, seed, stats) {
      const c = getCorpus()
      assertProperty(
        fc.record({
          pick: fc.nat(),
          mutations: byteMutations,
          fields: fc.option(envelopeFields, { freq: 2 }),
          fromStore: fc.boolean(),
        }),
        ({ pick, mutations, fields, fromStore }) => {
          const i = pick % c.encoded.length
          // Either bytes of the RLP (mostly caught by the decoder), or its fields re-encoded.
          const bytes =
            fields === null
              ? mutateAll(c.encoded[i]!, mutations)
              : encodeEnvelope(mutateEnvelope(c.sealed[i]!.envelope, fields, mutations))
          guarded(stats, () => receive(decodeEnvelope(bytes), c.sealed[i]!.key, fromStore))
        },
        numRuns,
        seed,
      )
    },
  },
  {
    name: 'transport: open over validly encrypted, mutated plaintext payloads',
    weight: 1.5,
    expect: ['ok', 'WIRE_MALFORMED', 'INVALID_SIGNATURE'],
    run(numRuns, seed, stats) {
      const c = getCorpus()
      assertProperty(
        fc.record({
          symmetric: fc.boolean(),
          payload: fc.uint8Array({ maxLength: 600 }),
          signed: fc.boolean(),
          mutations: byteMutations,
        }),
        ({ symmetric, payload, signed, mutations }) => {
          const raw = encodeRawPayload(payload, signed ? c.signer : undefined, {
            provider: crypto,
          })
          const bad = mutateAll(raw, mutations)
          const data = symmetric
            ? c.symKey.use((k) => crypto.encryptSymmetric(k, bad))
            : crypto.eciesEncrypt(c.recipientPublic, bad)
          const key: OpenKey = symmetric ? { symKey: c.symKey } : { privateKey: c.recipient }
          guarded(stats, () => {
            const got = open(data, key, { provider: crypto, allowUnsigned: true })
            if (
              !bytesEqual(bad, raw) &&
              got.signer !== undefined &&
              bytesEqual(got.signer, c.signerPublic)
            ) {
              throw new FuzzFailure('a modified payload still recovers the original signer')
            }
          })
        },
        numRuns,
        seed,
      )
    },
  },
  {
    name: 'transport: decodeRawPayload (mutated and random plaintexts)',
    weight: 0.5,
    run(numRuns, seed, stats) {
      const c = getCorpus()
      const raw = encodeRawPayload(utf8('hello'), c.signer, { provider: crypto })
      assertProperty(
        input,
        ({ mutations }) => {
          guarded(stats, () => decodeRawPayload(mutateAll(raw, mutations)))
        },
        numRuns,
        seed,
      )
    },
  },
  {
    name: 'transport: decodeWakuMessage → messageToEnvelope → open',
    weight: 1,
    run(numRuns, seed, stats) {
      const c = getCorpus()
      assertProperty(
        input,
        ({ pick, mutations }) => {
          const i = pick % c.waku.length
          const bytes = mutateAll(c.waku[i]!, mutations)
          guarded(stats, () => {
            const env = messageToEnvelope(decodeWakuMessage(bytes), NOW)
            if (env !== undefined) receive(env, c.sealed[i]!.key, true)
          })
        },
        numRuns,
        seed,
      )
    },
  },
  {
    name: 'transport: store-node decodeCursor and checkQuery (hostile queries)',
    weight: 0.5,
    run(numRuns, seed, stats) {
      const hostile = fc.record(
        {
          topics: fc.oneof(
            fc.array(fc.uint8Array({ minLength: 0, maxLength: 6 }), { maxLength: 300 }),
            fc.anything(),
          ),
          from: fc.oneof(fc.integer(), fc.double(), fc.anything()),
          to: fc.oneof(fc.integer(), fc.double(), fc.anything()),
          limit: fc.oneof(fc.integer(), fc.double(), fc.anything()),
          cursor: fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.anything()),
        },
        { requiredKeys: [] },
      )
      assertProperty(
        fc.record({ query: hostile, cursor: fc.uint8Array({ maxLength: 64 }) }),
        ({ query, cursor }) => {
          guarded(stats, () => decodeCursor(cursor))
          guarded(stats, () => checkQuery(query as unknown as HistoryQuery))
        },
        numRuns,
        seed,
      )
    },
  },
]
