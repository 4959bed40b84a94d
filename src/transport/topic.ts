/**
 * The 4-byte Whisper topic type and its Waku v2 content-topic string (TRANSPORT.md §1.4, §1.8;
 * PROTOCOL.md §11.2). Derivations of specific Status topics live in `topics.ts`.
 *
 * @module
 */
import type { Brand } from '../crypto/index.ts'
import { fromHex, toHex } from '../crypto/index.ts'
import { PfsError } from '../errors.ts'
import { TOPIC_LENGTH } from './limits.ts'

/** A Whisper topic: 4 raw bytes, in Status always `keccak256(name)[0:4]`. */
export type Topic = Brand<Uint8Array, 'Topic'>

/**
 * Checks and brands 4 bytes as a topic (a copy, so later changes to `bytes` do not leak in).
 * @throws {PfsError} code=INVALID_ARGUMENT when `bytes` is not 4 bytes long
 */
export function asTopic(bytes: Uint8Array): Topic {
  if (!(bytes instanceof Uint8Array) || bytes.length !== TOPIC_LENGTH) {
    throw new PfsError('INVALID_ARGUMENT', 'topic must be 4 bytes')
  }
  return Uint8Array.from(bytes) as Topic
}

/** A topic from 8 hex digits (with or without `0x`). */
export function topicFromHex(hex: string): Topic {
  return asTopic(fromHex(hex, 'topic'))
}

/** Lowercase hex of a topic, no `0x`: the key used in maps and SQL. */
export function topicHex(topic: Uint8Array): string {
  return toHex(topic)
}

/** Waku v2 content topic of a Whisper topic: `/waku/1/0x<hex>/rfc26` (PROTOCOL.md §1, §11.2). */
export function contentTopic(topic: Topic): string {
  return `/waku/1/0x${toHex(topic)}/rfc26`
}

/**
 * Inverse of `contentTopic`.
 * @throws {PfsError} code=INVALID_ARGUMENT for any other string
 */
export function topicFromContentTopic(value: string): Topic {
  const m = /^\/waku\/1\/0x([0-9a-f]{8})\/rfc26$/.exec(value)
  if (m === null) throw new PfsError('INVALID_ARGUMENT', 'not a Waku v1-compatible content topic')
  return topicFromHex(m[1]!)
}
