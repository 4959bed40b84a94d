/**
 * De-duplication of envelopes by hash, before anything is decrypted (DESIGN.md "Data flow":
 * "drop duplicates by envelope hash"). An entry is kept until the envelope's expiry: after that a
 * copy would be rejected as expired anyway, so the set never needs to outlive TTLs.
 *
 * `SeenSet` is the seam for a persistent implementation (the store layer's "envelopes seen");
 * `MemorySeenSet` is the in-process one, bounded in size.
 *
 * @module
 */
import { toHex } from '../crypto/index.ts'
import { PfsError } from '../errors.ts'
import type { Clock } from './clock.ts'
import { systemClock } from './clock.ts'
import { DEFAULT_MAX_SEEN } from './limits.ts'

/** Hashes seen, each until an expiry in unix seconds. */
export interface SeenSet {
  /** Records `hash` until `expiry`; false when it was already present and unexpired. */
  add(hash: Uint8Array, expiry: number): boolean
  has(hash: Uint8Array): boolean
  /** Drops entries whose expiry is before `now` (unix seconds); returns how many. */
  prune(now: number): number
  readonly size: number
}

export interface MemorySeenSetOptions {
  readonly clock?: Clock
  /** Entries kept at most; the soonest-expiring go first. Default 1,000,000. */
  readonly maxEntries?: number
}

/** In-memory `SeenSet`: a map hash → expiry, pruned lazily once a second. */
export class MemorySeenSet implements SeenSet {
  readonly #clock: Clock
  readonly #max: number
  readonly #expiry = new Map<string, number>()
  #lastPrune = -Infinity

  constructor(options: MemorySeenSetOptions = {}) {
    this.#clock = options.clock ?? systemClock
    this.#max = options.maxEntries ?? DEFAULT_MAX_SEEN
    if (!(this.#max >= 1)) throw new PfsError('INVALID_ARGUMENT', '"maxEntries" must be ≥ 1')
  }

  #now(): number {
    return Math.floor(this.#clock.now() / 1000)
  }

  #maybePrune(): void {
    const now = this.#now()
    if (now > this.#lastPrune) {
      this.#lastPrune = now
      this.prune(now)
    }
  }

  add(hash: Uint8Array, expiry: number): boolean {
    this.#maybePrune()
    const id = toHex(hash)
    const known = this.#expiry.get(id)
    if (known !== undefined && known >= this.#now()) {
      if (expiry > known) this.#expiry.set(id, expiry)
      return false
    }
    this.#expiry.set(id, expiry)
    if (this.#expiry.size > this.#max) this.#evict()
    return true
  }

  has(hash: Uint8Array): boolean {
    const known = this.#expiry.get(toHex(hash))
    return known !== undefined && known >= this.#now()
  }

  prune(now: number): number {
    let n = 0
    for (const [id, expiry] of this.#expiry) {
      if (expiry < now) {
        this.#expiry.delete(id)
        n++
      }
    }
    return n
  }

  /** Over the bound: drop the soonest-expiring tenth, so eviction is amortised. */
  #evict(): void {
    const sorted = [...this.#expiry].sort((a, b) => a[1] - b[1])
    const drop = Math.max(1, Math.floor(this.#max / 10))
    for (let i = 0; i < drop && i < sorted.length; i++) this.#expiry.delete(sorted[i]![0])
  }

  get size(): number {
    return this.#expiry.size
  }
}
