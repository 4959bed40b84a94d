/**
 * Message-hash index of a store node: Waku store v3 names entries and cursors by the deterministic
 * message hash (TRANSPORT.md §4.2), while `EnvelopeStore` orders and pages by `(sent,
 * envelopeHash)` (the Whisper mailserver key, §4.1). This maps the former to the latter for every
 * message the node archived or served, bounded in size (least recently used forgotten first).
 *
 * After a restart on a durable store the index starts empty and fills as pages are served: a
 * cursor from a page served before the restart is unknown and refused (status 400), and a hash
 * lookup finds only indexed messages.
 *
 * @module
 */
import { toHex } from '../../crypto/index.ts'
import type { Topic } from '../topic.ts'

export interface IndexedPosition {
  readonly topic: Topic
  readonly sent: number
  readonly envelopeHash: Uint8Array
}

/** Entries kept by default (about 100 bytes each). */
export const DEFAULT_INDEX_SIZE = 500_000

export class MessageHashIndex {
  readonly #max: number
  readonly #map = new Map<string, IndexedPosition>()

  constructor(max: number = DEFAULT_INDEX_SIZE) {
    this.#max = Math.max(1, max)
  }

  set(messageHash: Uint8Array, position: IndexedPosition): void {
    const key = toHex(messageHash)
    this.#map.delete(key)
    this.#map.set(key, position)
    if (this.#map.size > this.#max) {
      const oldest = this.#map.keys().next().value
      if (oldest !== undefined) this.#map.delete(oldest)
    }
  }

  get(messageHash: Uint8Array): IndexedPosition | undefined {
    return this.#map.get(toHex(messageHash))
  }

  get size(): number {
    return this.#map.size
  }
}
