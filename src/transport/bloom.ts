/**
 * Whisper v6 topic bloom filters (TRANSPORT.md §1.4), with geth's quirk: bits are *assigned*
 * (`b[idx/8] = 1 << (idx%8)`), not OR-ed, so indexes sharing a byte keep only the last bit. Needed
 * to match what geth nodes and mailservers compute; our own routing uses topics directly.
 *
 * @module
 */
import type { Topic } from './topic.ts'

/** Bloom filter length in bytes. */
export const BLOOM_LENGTH = 64

/** geth `TopicToBloom`. */
export function topicBloom(topic: Topic): Uint8Array {
  const b = new Uint8Array(BLOOM_LENGTH)
  for (let j = 0; j < 3; j++) {
    let idx = topic[j]!
    if ((topic[3]! & (1 << j)) !== 0) idx += 256
    b[idx >> 3] = 1 << (idx & 7)
  }
  return b
}

/** OR of the topics' blooms: a node's filter. */
export function bloomOf(topics: readonly Topic[]): Uint8Array {
  const out = new Uint8Array(BLOOM_LENGTH)
  for (const t of topics) {
    const b = topicBloom(t)
    for (let i = 0; i < BLOOM_LENGTH; i++) out[i]! |= b[i]!
  }
  return out
}

/** `(filter | sample) == filter`: the sample's bits are all in the filter. */
export function bloomMatches(filter: Uint8Array, sample: Uint8Array): boolean {
  if (filter.length !== BLOOM_LENGTH || sample.length !== BLOOM_LENGTH) return false
  for (let i = 0; i < BLOOM_LENGTH; i++) if ((filter[i]! | sample[i]!) !== filter[i]) return false
  return true
}
