/**
 * Receive-side checks of an envelope against a clock and a PoW minimum, in geth's `add()` order
 * (TRANSPORT.md §1.2), each failure a typed error:
 *
 * - claimed send time more than the sync allowance (10 s) ahead → `ENVELOPE_FUTURE`;
 * - past its expiry → `ENVELOPE_EXPIRED` (geth drops these silently for 20 s, then errors; a
 *   receiver that wants geth's silence catches this code);
 * - `size()` above the maximum → `WIRE_MALFORMED`;
 * - PoW below the minimum → `POW_TOO_LOW`; for envelopes dated up to the allowance ahead, PoW is
 *   computed with `TTL + (sent − now + 1)` as geth does.
 *
 * @module
 */
import { defaultProvider } from '../crypto/index.ts'
import type { CryptoProvider } from '../crypto/index.ts'
import { PfsError, WireError } from '../errors.ts'
import { envelopeSize, sentTime } from './envelope.ts'
import type { Envelope } from './envelope.ts'
import {
  DEFAULT_MAX_ENVELOPE_SIZE,
  DEFAULT_MIN_POW,
  DEFAULT_SYNC_ALLOWANCE,
  MAX_ENVELOPE_SIZE,
} from './limits.ts'
import { powOf } from './pow.ts'

export interface ValidateOptions {
  /** Current unix time in seconds. */
  readonly now: number
  /** Minimum PoW; default 0.002. 0 disables the check. */
  readonly minPow?: number
  /** Seconds an envelope may be dated ahead of `now`; default 10. */
  readonly syncAllowance?: number
  /** Largest `size()`; default 1 MiB. */
  readonly maxSize?: number
  /** Accept envelopes past their expiry (mailserver history replies, geth P2P messages). */
  readonly allowExpired?: boolean
  readonly provider?: CryptoProvider
}

/**
 * Validates `envelope`; returns its PoW (as computed for the check, or 0 when skipped).
 * @throws {PfsError} code=ENVELOPE_FUTURE | ENVELOPE_EXPIRED | WIRE_MALFORMED | POW_TOO_LOW
 */
export function validateEnvelope(envelope: Envelope, options: ValidateOptions): number {
  const now = Math.floor(options.now)
  const allowance = options.syncAllowance ?? DEFAULT_SYNC_ALLOWANCE
  const maxSize = Math.min(options.maxSize ?? DEFAULT_MAX_ENVELOPE_SIZE, MAX_ENVELOPE_SIZE)
  const minPow = options.minPow ?? DEFAULT_MIN_POW
  if (envelope.ttl <= 0 || envelope.expiry < envelope.ttl) {
    throw new WireError('envelope TTL and expiry inconsistent')
  }
  const sent = sentTime(envelope)
  if (sent > now + allowance) {
    throw new PfsError('ENVELOPE_FUTURE', 'envelope dated in the future', {
      aheadSeconds: sent - now,
    })
  }
  if (envelope.expiry < now && options.allowExpired !== true) {
    throw new PfsError('ENVELOPE_EXPIRED', 'envelope expired', {
      expiredSecondsAgo: now - envelope.expiry,
    })
  }
  if (envelopeSize(envelope) > maxSize) {
    throw new WireError('envelope too large', { length: envelopeSize(envelope), max: maxSize })
  }
  if (!(minPow > 0)) return 0
  const extraTtl = sent > now ? sent - now + 1 : 0
  const pow = powOf(envelope, options.provider ?? defaultProvider(), extraTtl)
  if (pow < minPow) throw new PfsError('POW_TOO_LOW', 'envelope PoW below the minimum')
  return pow
}
