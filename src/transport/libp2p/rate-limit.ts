/**
 * Per-peer token buckets: the flood protection of the relay and store services (TRANSPORT.md
 * §4.3 item 7, §5.3). A peer may send `rate` items per second on average and `burst` at once;
 * beyond that its items are dropped (relay: gossipsub `Ignore`, so honest relayers are not
 * penalised) or refused (store: status 429), and the node keeps serving everyone else.
 *
 * @module
 */

interface Bucket {
  tokens: number
  at: number
}

/** Buckets for at most this many peers; the stalest is forgotten beyond it. */
const MAX_PEERS = 10_000

export class PeerRateLimiter {
  readonly #rate: number
  readonly #burst: number
  readonly #now: () => number
  readonly #buckets = new Map<string, Bucket>()
  /** Items refused since construction. */
  dropped = 0

  /** `rate` per second, `burst` at most; `now` in milliseconds. */
  constructor(rate: number, burst: number, now: () => number = Date.now) {
    this.#rate = rate
    this.#burst = Math.max(1, burst)
    this.#now = now
  }

  /** Takes one token for `peer`; false (and counted) when it has none left. */
  take(peer: string): boolean {
    const now = this.#now()
    let b = this.#buckets.get(peer)
    if (b === undefined) {
      if (this.#buckets.size >= MAX_PEERS) {
        const oldest = this.#buckets.keys().next().value
        if (oldest !== undefined) this.#buckets.delete(oldest)
      }
      b = { tokens: this.#burst, at: now }
    } else {
      this.#buckets.delete(peer)
      b.tokens = Math.min(this.#burst, b.tokens + ((now - b.at) / 1000) * this.#rate)
      b.at = now
    }
    // Re-inserted so that map order is least recently used first.
    this.#buckets.set(peer, b)
    if (b.tokens < 1) {
      this.dropped++
      return false
    }
    b.tokens -= 1
    return true
  }

  /** Forgets `peer` (on disconnect). */
  forget(peer: string): void {
    this.#buckets.delete(peer)
  }
}
