/**
 * The `Network` interface every backend implements (DESIGN.md "Network"; TRANSPORT.md §5.1): publish
 * an envelope, subscribe to topics, and ask store nodes for history. Delivery is Whisper's:
 * best-effort broadcast, no acknowledgements, possibly duplicated, late or reordered; only key
 * holders can open what they receive. Backends: `MemoryNetwork` (in-process, seeded faults); a
 * libp2p one is a later layer.
 *
 * @module
 */
import type { Envelope } from './envelope.ts'
import type { HistoryPage, HistoryQuery } from './mailserver/query.ts'
import type { Topic } from './topic.ts'

/** Called once per delivered copy; must not throw (errors are counted and swallowed). */
export type EnvelopeHandler = (envelope: Envelope) => void

/** Stops a subscription; calling it twice is harmless. */
export type Unsubscribe = () => void

/** Where history comes from: a store node, reached over some network. */
export interface HistorySource {
  /**
   * One page of stored envelopes.
   * @throws {PfsError} code=INVALID_ARGUMENT (malformed query) | NETWORK_FAILURE (no store reachable)
   */
  history(query: HistoryQuery): Promise<HistoryPage>
}

export interface Network extends HistorySource {
  /**
   * Broadcasts `envelope` (already sealed with PoW). Resolves once handed to the network, not
   * when delivered: Whisper has no delivery receipts.
   * @throws {PfsError} code=NETWORK_FAILURE when this node cannot send (offline)
   */
  publish(envelope: Envelope): Promise<void>
  /** Receives envelopes on `topics` (`'all'` for every topic, as store nodes do). */
  subscribe(topics: readonly Topic[] | 'all', handler: EnvelopeHandler): Unsubscribe
}
