/**
 * The first step of the receive path (DESIGN.md "Data flow"): validate an incoming envelope (clock,
 * size, PoW; `validate.ts`) and drop duplicates by envelope hash, before anything is decrypted.
 * What passes goes on to `open` with the keys of its topic.
 *
 * @module
 */
import { defaultProvider } from '../crypto/index.ts'
import type { CryptoProvider } from '../crypto/index.ts'
import { PfsError } from '../errors.ts'
import type { Clock } from './clock.ts'
import { systemClock } from './clock.ts'
import { MemorySeenSet } from './dedup.ts'
import type { SeenSet } from './dedup.ts'
import { envelopeHash, sentTime } from './envelope.ts'
import type { Envelope } from './envelope.ts'
import { DEFAULT_MIN_POW } from './limits.ts'
import { validateEnvelope } from './validate.ts'

export interface ReceiverOptions {
  readonly seen?: SeenSet
  readonly clock?: Clock
  /** Default 0.002; 0 disables. */
  readonly minPow?: number
  readonly syncAllowance?: number
  readonly maxSize?: number
  readonly provider?: CryptoProvider
  /**
   * Seconds after its send time for which an accepted envelope stays in the seen set, even past
   * its expiry; set it to the store nodes' retention. Default 0: only until expiry — then a store
   * node (or anyone answering history queries) can hand back an expired envelope again and again,
   * and each copy is accepted (issue 10 "replayed envelope"; the Double Ratchet still refuses the
   * copy as `DUPLICATE`, the DH fallback does not). The messenger should set this and persist the
   * seen set (the store's "envelopes seen").
   */
  readonly historyRetention?: number
}

/** Validates and de-duplicates incoming envelopes. */
export class Receiver {
  readonly seen: SeenSet
  readonly #clock: Clock
  readonly #options: ReceiverOptions
  readonly #provider: CryptoProvider

  constructor(options: ReceiverOptions = {}) {
    this.#clock = options.clock ?? systemClock
    this.seen = options.seen ?? new MemorySeenSet({ clock: this.#clock })
    this.#provider = options.provider ?? defaultProvider()
    this.#options = options
    const retention = options.historyRetention ?? 0
    if (!Number.isInteger(retention) || retention < 0) {
      throw new PfsError('INVALID_ARGUMENT', '"historyRetention" must be a non-negative integer')
    }
  }

  /**
   * Checks `envelope` and records its hash until its expiry (or `historyRetention` after its send
   * time). Returns the hash when the envelope is new, undefined when it is a duplicate.
   *
   * `fromStore` accepts expired envelopes (history from a store node; geth lets trusted
   * mailservers send those) and skips the PoW check, which the store node made on arrival.
   * @throws {PfsError} code=ENVELOPE_FUTURE | ENVELOPE_EXPIRED (also: from a store, older than
   *   `historyRetention` when set) | WIRE_MALFORMED | POW_TOO_LOW
   */
  accept(envelope: Envelope, fromStore = false): Uint8Array | undefined {
    validateEnvelope(envelope, {
      now: Math.floor(this.#clock.now() / 1000),
      minPow: fromStore ? 0 : (this.#options.minPow ?? DEFAULT_MIN_POW),
      allowExpired: fromStore,
      provider: this.#provider,
      ...(this.#options.syncAllowance !== undefined && {
        syncAllowance: this.#options.syncAllowance,
      }),
      ...(this.#options.maxSize !== undefined && { maxSize: this.#options.maxSize }),
    })
    const retention = this.#options.historyRetention ?? 0
    const keep = Math.max(envelope.expiry, sentTime(envelope) + retention)
    const now = Math.floor(this.#clock.now() / 1000)
    if (retention > 0 && keep < now) {
      // Older than any store node keeps: its seen entry may be gone, so a copy cannot be told
      // from the original. Only a replay can bring it here.
      throw new PfsError('ENVELOPE_EXPIRED', 'envelope older than the history retention', {
        expiredSecondsAgo: now - keep,
      })
    }
    const hash = envelopeHash(envelope, this.#provider)
    return this.seen.add(hash, keep) ? hash : undefined
  }
}
