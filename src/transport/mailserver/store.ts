/**
 * The store-node (mailserver) storage interface: every envelope a store node sees is kept until its
 * expiry (or a configured longer retention) and answered from by history queries (`query.ts`).
 * Two implementations: `SqliteEnvelopeStore` (durable) and `MemoryEnvelopeStore`.
 *
 * @module
 */
import type { Envelope } from '../envelope.ts'
import type { HistoryPage, HistoryQuery } from './query.ts'

export interface EnvelopeStore {
  /**
   * Archives `envelope` (idempotent by hash); false when already stored or already past its
   * retention at `now` (unix seconds).
   */
  put(envelope: Envelope, now: number): boolean
  /** `put` for many envelopes in one transaction; returns how many were new. */
  putMany(envelopes: Iterable<Envelope>, now: number): number
  /**
   * One page of history; only envelopes still retained at `now` are returned.
   * @throws {PfsError} code=INVALID_ARGUMENT for malformed queries
   */
  query(query: HistoryQuery, now: number): HistoryPage
  /** Deletes what is past retention at `now`; returns how many. */
  prune(now: number): number
  /** Envelopes currently stored (including any not yet pruned). */
  count(): number
  close(): void
}

export interface EnvelopeStoreOptions {
  /**
   * Keep each envelope at least this many seconds after it was sent, even past its expiry (a
   * Whisper mailserver archives for a retention period). Default 0: keep for the TTL only.
   */
  readonly minRetention?: number
}

/** Unix second until which an envelope is kept. */
export function keepUntil(envelope: Envelope, options: EnvelopeStoreOptions): number {
  return Math.max(envelope.expiry, envelope.expiry - envelope.ttl + (options.minRetention ?? 0))
}
