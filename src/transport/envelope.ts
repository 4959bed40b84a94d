/**
 * Whisper v6 envelopes (TRANSPORT.md §1.2): `RLP([Expiry, TTL, Topic, Data, Nonce])`, their hash
 * `keccak256(rlp)` and `size() = 20 + len(Data)`. Pure codec: validity against a clock and a PoW
 * minimum is `validate.ts`, the nonce search is `pow.ts`.
 *
 * @module
 */
import { defaultProvider } from '../crypto/index.ts'
import type { CryptoProvider } from '../crypto/index.ts'
import { PfsError, WireError } from '../errors.ts'
import {
  DEFAULT_MAX_ENVELOPE_SIZE,
  DEFAULT_TTL,
  ENVELOPE_HEADER_LENGTH,
  MAX_ENVELOPE_SIZE,
  TOPIC_LENGTH,
} from './limits.ts'
import { decodeFlatList, decodeUint, encodeList } from './rlp.ts'
import { asTopic } from './topic.ts'
import type { Topic } from './topic.ts'

/** A Whisper envelope. Treat as immutable: hashes are cached per object. */
export interface Envelope {
  /** Unix seconds after which the envelope is dropped; `sent + ttl` (uint32). */
  readonly expiry: number
  /** Time to live in seconds (uint32). */
  readonly ttl: number
  readonly topic: Topic
  /** The encrypted payload (`payload.ts`). */
  readonly data: Uint8Array
  /** Proof-of-work nonce (uint64). */
  readonly nonce: bigint
}

export interface CreateEnvelopeOptions {
  readonly topic: Topic
  readonly data: Uint8Array
  /** Seconds; default 50 (geth `DefaultTTL`). */
  readonly ttl?: number
  /** Send time in unix seconds; default now. */
  readonly now?: number
}

const UINT32_MAX = 0xffffffff
const UINT64_MAX = (1n << 64n) - 1n

function checkUint32(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 0 || value > UINT32_MAX) {
    throw new PfsError('INVALID_ARGUMENT', `"${name}" must be a uint32`)
  }
}

/**
 * A new, unsealed envelope: `expiry = now + ttl`, nonce 0 (status-go `NewEnvelope`).
 * @throws {PfsError} code=INVALID_ARGUMENT for out-of-range times or an oversized payload
 */
export function createEnvelope(options: CreateEnvelopeOptions): Envelope {
  const ttl = options.ttl ?? DEFAULT_TTL
  const now = options.now ?? Math.floor(Date.now() / 1000)
  checkUint32(ttl, 'ttl')
  checkUint32(now + ttl, 'expiry')
  if (ttl === 0) throw new PfsError('INVALID_ARGUMENT', '"ttl" must be positive')
  if (ENVELOPE_HEADER_LENGTH + options.data.length > MAX_ENVELOPE_SIZE) {
    throw new PfsError('INVALID_ARGUMENT', 'envelope data too large', {
      length: options.data.length,
    })
  }
  return { expiry: now + ttl, ttl, topic: asTopic(options.topic), data: options.data, nonce: 0n }
}

/** A copy of `envelope` with another nonce. */
export function withNonce(envelope: Envelope, nonce: bigint): Envelope {
  if (nonce < 0n || nonce > UINT64_MAX) throw new PfsError('INVALID_ARGUMENT', 'nonce out of range')
  return { ...envelope, nonce }
}

/** `Expiry − TTL`: the send time the envelope claims (unix seconds). */
export function sentTime(envelope: Envelope): number {
  return envelope.expiry - envelope.ttl
}

/** geth `Envelope.size()`: `20 + len(Data)`; the figure size limits and the PoW target use. */
export function envelopeSize(envelope: Envelope): number {
  return ENVELOPE_HEADER_LENGTH + envelope.data.length
}

/** `RLP([Expiry, TTL, Topic, Data])`: the envelope without its nonce, what PoW hashes. */
export function encodeEnvelopeWithoutNonce(envelope: Envelope): Uint8Array {
  return encodeList([envelope.expiry, envelope.ttl, envelope.topic, envelope.data])
}

/** The wire form `RLP([Expiry, TTL, Topic, Data, Nonce])`. */
export function encodeEnvelope(envelope: Envelope): Uint8Array {
  return encodeList([envelope.expiry, envelope.ttl, envelope.topic, envelope.data, envelope.nonce])
}

export interface DecodeEnvelopeOptions {
  /** Largest `size()` accepted; default 1 MiB, never above 10 MiB. */
  readonly maxSize?: number
}

/**
 * Parses the wire form. The length bound is checked before anything is decoded.
 * @throws {WireError} code=WIRE_MALFORMED for oversized, non-canonical or malformed input
 */
export function decodeEnvelope(bytes: Uint8Array, options: DecodeEnvelopeOptions = {}): Envelope {
  const maxSize = Math.min(options.maxSize ?? DEFAULT_MAX_ENVELOPE_SIZE, MAX_ENVELOPE_SIZE)
  if (!(bytes instanceof Uint8Array)) throw new WireError('envelope must be bytes')
  // The RLP framing adds at most 3 + 5 + 5 + 5 + 5 + 9 bytes around Data.
  if (bytes.length > maxSize + 32) {
    throw new WireError('envelope too large', { length: bytes.length, max: maxSize })
  }
  const [expiry, ttl, topic, data, nonce] = decodeFlatList(bytes, 5) as [
    Uint8Array,
    Uint8Array,
    Uint8Array,
    Uint8Array,
    Uint8Array,
  ]
  if (topic.length !== TOPIC_LENGTH) throw new WireError('envelope topic must be 4 bytes')
  const envelope: Envelope = {
    expiry: Number(decodeUint(expiry, 4, 'expiry')),
    ttl: Number(decodeUint(ttl, 4, 'ttl')),
    topic: Uint8Array.from(topic) as Topic,
    data: Uint8Array.from(data),
    nonce: decodeUint(nonce, 8, 'nonce'),
  }
  if (envelopeSize(envelope) > maxSize) {
    throw new WireError('envelope too large', { length: envelopeSize(envelope), max: maxSize })
  }
  return envelope
}

const hashCache = new WeakMap<Envelope, Uint8Array>()

/**
 * `keccak256(RLP(envelope))`, the envelope's identity for de-duplication and storage. Cached per
 * envelope object; the returned array is shared, do not modify it.
 */
export function envelopeHash(
  envelope: Envelope,
  provider: CryptoProvider = defaultProvider(),
): Uint8Array {
  let h = hashCache.get(envelope)
  if (h === undefined) {
    h = provider.keccak256(encodeEnvelope(envelope))
    hashCache.set(envelope, h)
  }
  return h
}
