/**
 * Whisper envelopes as Waku v2 messages (PROTOCOL.md §1, §11; TRANSPORT.md §1.8, §3.1, §4.2).
 *
 * `Envelope → WakuMessage`:
 * - `payload` = `envelope.data` (the encrypted version-1 payload), `version` = 1;
 * - `content_topic` = `/waku/1/0x<topic hex>/rfc26`;
 * - `timestamp` = send time `expiry − ttl`, in nanoseconds (Whisper times are whole seconds);
 * - `meta` = `0x01 ‖ ttl(uint32 BE) ‖ nonce(uint64 BE)` (13 bytes), so that the receiver rebuilds
 *   the very same envelope (same hash, same PoW). It is omitted when the envelope has the default
 *   TTL (50 s) and nonce 0, which is exactly what a message without it maps back to.
 *
 * `WakuMessage → Envelope`: the inverse. A message from another Waku application (no such `meta`)
 * gets `sent = ⌊timestamp / 1e9⌋` (the receive time when it has none), `ttl` = 50 s (geth
 * `DefaultTTL`), `expiry = sent + ttl` and nonce 0: Waku v2 has no TTL and no PoW, so such
 * envelopes only pass a receiver whose minimum PoW is 0. Messages whose content topic is not a
 * Waku v1-compatible one, or whose version is not 1, are valid Waku traffic but not envelopes.
 *
 * Also: bounded decoding of untrusted bytes and the deterministic message hash of 14/WAKU2-MESSAGE,
 * `sha256(pubsubTopic ‖ payload ‖ contentTopic ‖ meta ‖ int64_be(timestamp))`.
 *
 * @module
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf'
import { concatBytes, defaultProvider, utf8 } from '../../crypto/index.ts'
import type { CryptoProvider } from '../../crypto/index.ts'
import { WireError } from '../../errors.ts'
import { WakuMessageSchema } from '../../wire/gen/waku_message_pb.ts'
import type { WakuMessage } from '../../wire/gen/waku_message_pb.ts'
import { sentTime } from '../envelope.ts'
import type { Envelope } from '../envelope.ts'
import { DEFAULT_TTL } from '../limits.ts'
import { contentTopic, topicFromHex } from '../topic.ts'
import type { Topic } from '../topic.ts'
import {
  DEFAULT_MAX_PAYLOAD_SIZE,
  MAX_META_LENGTH,
  MESSAGE_OVERHEAD,
  PAYLOAD_VERSION,
} from './constants.ts'

export type { WakuMessage } from '../../wire/gen/waku_message_pb.ts'

const META_TAG = 0x01
const META_LENGTH = 13
const NS_PER_SECOND = 1_000_000_000n
const UINT32_MAX = 0xffffffff
const CONTENT_TOPIC = /^\/waku\/1\/0x([0-9a-f]{8})\/rfc26$/

/** The `WakuMessage` carrying `envelope`. */
export function envelopeToMessage(envelope: Envelope): WakuMessage {
  const withMeta = envelope.ttl !== DEFAULT_TTL || envelope.nonce !== 0n
  let meta: Uint8Array | undefined
  if (withMeta) {
    meta = new Uint8Array(META_LENGTH)
    const view = new DataView(meta.buffer)
    meta[0] = META_TAG
    view.setUint32(1, envelope.ttl)
    view.setBigUint64(5, envelope.nonce)
  }
  return create(WakuMessageSchema, {
    payload: envelope.data,
    contentTopic: contentTopic(envelope.topic),
    version: PAYLOAD_VERSION,
    timestamp: BigInt(sentTime(envelope)) * NS_PER_SECOND,
    ...(meta !== undefined && { meta }),
  })
}

/** Protobuf bytes of `message`. */
export function encodeMessage(message: WakuMessage): Uint8Array {
  return toBinary(WakuMessageSchema, message)
}

/** `encodeMessage(envelopeToMessage(envelope))`. */
export function encodeEnvelopeMessage(envelope: Envelope): Uint8Array {
  return encodeMessage(envelopeToMessage(envelope))
}

/**
 * Decodes an untrusted `WakuMessage` and checks what Waku relay requires of one (js-waku
 * `messageValidator`): a content topic and a non-empty payload; plus our bounds on the payload
 * and `meta` sizes.
 * @throws {WireError} code=WIRE_MALFORMED
 */
export function decodeMessage(
  bytes: Uint8Array,
  maxPayload: number = DEFAULT_MAX_PAYLOAD_SIZE,
): WakuMessage {
  if (bytes.length > maxPayload + MESSAGE_OVERHEAD) {
    throw new WireError('WakuMessage too large', { length: bytes.length })
  }
  let message: WakuMessage
  try {
    message = fromBinary(WakuMessageSchema, bytes)
  } catch (e) {
    throw new WireError('WakuMessage does not parse', {}, { cause: e })
  }
  checkMessage(message, maxPayload)
  return message
}

/**
 * Checks an already decoded message against the same rules as `decodeMessage`.
 * @throws {WireError} code=WIRE_MALFORMED
 */
export function checkMessage(
  message: WakuMessage,
  maxPayload: number = DEFAULT_MAX_PAYLOAD_SIZE,
): void {
  if (message.contentTopic.length === 0) throw new WireError('WakuMessage without content topic')
  if (message.payload.length === 0) throw new WireError('WakuMessage without payload')
  if (message.payload.length > maxPayload) {
    throw new WireError('WakuMessage payload too large', {
      length: message.payload.length,
      max: maxPayload,
    })
  }
  if (message.meta !== undefined && message.meta.length > MAX_META_LENGTH) {
    throw new WireError('WakuMessage meta too large', { length: message.meta.length })
  }
}

/** The Whisper topic of a Waku v1-compatible content topic, or undefined. */
export function topicOfContentTopic(value: string): Topic | undefined {
  const m = CONTENT_TOPIC.exec(value)
  return m === null ? undefined : topicFromHex(m[1]!)
}

/**
 * The envelope a message carries, or undefined when it carries none (another content topic or
 * payload version, or times out of the uint32 range). `nowSeconds` dates messages without a
 * timestamp.
 */
export function messageToEnvelope(message: WakuMessage, nowSeconds: number): Envelope | undefined {
  if ((message.version ?? 0) !== PAYLOAD_VERSION) return undefined
  const topic = topicOfContentTopic(message.contentTopic)
  if (topic === undefined) return undefined
  let ttl = DEFAULT_TTL
  let nonce = 0n
  const meta = message.meta
  if (meta !== undefined && meta.length === META_LENGTH && meta[0] === META_TAG) {
    const view = new DataView(meta.buffer, meta.byteOffset, meta.byteLength)
    ttl = view.getUint32(1)
    nonce = view.getBigUint64(5)
  }
  const ts = message.timestamp ?? 0n
  const sent = ts > 0n ? Number(ts / NS_PER_SECOND) : Math.floor(nowSeconds)
  if (ttl === 0 || !Number.isSafeInteger(sent) || sent + ttl > UINT32_MAX) return undefined
  return { expiry: sent + ttl, ttl, topic, data: message.payload, nonce }
}

/** Deterministic message hash (14/WAKU2-MESSAGE): the store key and cursor. */
export function messageHash(
  pubsubTopic: string,
  message: WakuMessage,
  provider: CryptoProvider = defaultProvider(),
): Uint8Array {
  const ts = new Uint8Array(8)
  new DataView(ts.buffer).setBigInt64(0, message.timestamp ?? 0n)
  return provider.sha256(
    concatBytes(
      utf8(pubsubTopic),
      message.payload,
      utf8(message.contentTopic),
      message.meta ?? new Uint8Array(0),
      ts,
    ),
  )
}
