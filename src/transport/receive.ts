/**
 * The first step of the receive path (DESIGN.md "Data flow"): validate an incoming envelope (clock,
 * size, PoW; `validate.ts`) and drop duplicates by envelope hash, before anything is decrypted.
 * What passes goes on to `open` with the keys of its topic.
 *
 * @module
 */
import { defaultProvider } from '../crypto/index.ts'
import type { CryptoProvider } from '../crypto/index.ts'
import type { Clock } from './clock.ts'
import { systemClock } from './clock.ts'
import { MemorySeenSet } from './dedup.ts'
import type { SeenSet } from './dedup.ts'
import { envelopeHash } from './envelope.ts'
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
  }

  /**
   * Checks `envelope` and records its hash until its expiry. Returns the hash when the envelope is
   * new, undefined when it is a duplicate.
   *
   * `fromStore` accepts expired envelopes (history from a store node; geth lets trusted
   * mailservers send those) and skips the PoW check, which the store node made on arrival.
   * @throws {PfsError} code=ENVELOPE_FUTURE | ENVELOPE_EXPIRED | WIRE_MALFORMED | POW_TOO_LOW
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
    const hash = envelopeHash(envelope, this.#provider)
    return this.seen.add(hash, envelope.expiry) ? hash : undefined
  }
}
