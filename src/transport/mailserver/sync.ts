/**
 * Client side of store-node history (TRANSPORT.md §4): `StoreClient.sync(since)` pages through a
 * store node's history for a set of topics, oldest first, drops what the receive path has already
 * seen (same `SeenSet`), and hands each new envelope to the handler in order. It returns a cursor
 * to resume from, and keeps `checkpoint` current after every handled envelope, so an interrupted
 * sync (handler error, network failure, page budget) continues exactly where it stopped.
 *
 * A store node is not trusted for content: envelopes outside the requested topics or time range
 * are discarded and counted, and a page that does not advance ends the sync.
 *
 * @module
 */
import { defaultProvider, toHex } from '../../crypto/index.ts'
import type { CryptoProvider } from '../../crypto/index.ts'
import type { Clock } from '../clock.ts'
import { systemClock } from '../clock.ts'
import { MemorySeenSet } from '../dedup.ts'
import type { SeenSet } from '../dedup.ts'
import { envelopeHash, sentTime } from '../envelope.ts'
import type { Envelope } from '../envelope.ts'
import { DEFAULT_PAGE_SIZE } from '../limits.ts'
import type { HistorySource } from '../network.ts'
import { topicHex } from '../topic.ts'
import type { Topic } from '../topic.ts'
import { comparePosition, encodeCursor } from './query.ts'

/** Receives one history envelope; may be async (awaited before the next). */
export type HistoryHandler = (envelope: Envelope, hash: Uint8Array) => void | Promise<void>

export interface StoreClientOptions {
  readonly topics: readonly Topic[]
  readonly handler: HistoryHandler
  /** Shared with the live receive path so nothing is handled twice. */
  readonly seen?: SeenSet
  readonly pageSize?: number
  readonly clock?: Clock
  readonly provider?: CryptoProvider
}

export interface SyncOptions {
  /** Latest send time to fetch (inclusive); default now. */
  readonly until?: number
  /** Resume after this cursor (from a previous `SyncResult` or `checkpoint`). */
  readonly cursor?: Uint8Array
  /** Stop after this many pages (the result then has a cursor). */
  readonly maxPages?: number
}

export interface SyncResult {
  /** Envelopes handed to the handler. */
  readonly delivered: number
  /** Envelopes skipped as already seen. */
  readonly duplicates: number
  /** Envelopes discarded as outside the query (misbehaving store). */
  readonly rejected: number
  readonly pages: number
  /** True when the store has nothing more in the range. */
  readonly complete: boolean
  /** Where to resume; undefined when complete. */
  readonly cursor: Uint8Array | undefined
}

export class StoreClient {
  readonly #source: HistorySource
  readonly #options: StoreClientOptions
  readonly #seen: SeenSet
  readonly #clock: Clock
  readonly #provider: CryptoProvider
  readonly #topics: ReadonlySet<string>
  #checkpoint: Uint8Array | undefined

  constructor(source: HistorySource, options: StoreClientOptions) {
    this.#source = source
    this.#options = options
    this.#clock = options.clock ?? systemClock
    this.#seen = options.seen ?? new MemorySeenSet({ clock: this.#clock })
    this.#provider = options.provider ?? defaultProvider()
    this.#topics = new Set(options.topics.map((t) => topicHex(t)))
  }

  /** Position of the last envelope handled (or skipped) by the latest sync: resume from here. */
  get checkpoint(): Uint8Array | undefined {
    return this.#checkpoint
  }

  /**
   * Fetches everything sent from `since` (unix seconds, inclusive) to `until`, oldest first.
   * @throws {PfsError} from the source (NETWORK_FAILURE, INVALID_ARGUMENT); handler errors propagate
   *   unchanged, with `checkpoint` at the last envelope fully handled
   */
  async sync(since: number, options: SyncOptions = {}): Promise<SyncResult> {
    const until = options.until ?? Math.floor(this.#clock.now() / 1000)
    let cursor = options.cursor
    this.#checkpoint = cursor
    let delivered = 0
    let duplicates = 0
    let rejected = 0
    let pages = 0
    let last: { sent: number; hash: Uint8Array } | undefined
    for (;;) {
      if (options.maxPages !== undefined && pages >= options.maxPages) {
        return { delivered, duplicates, rejected, pages, complete: false, cursor }
      }
      const page = await this.#source.history({
        topics: this.#options.topics,
        from: since,
        to: until,
        limit: this.#options.pageSize ?? DEFAULT_PAGE_SIZE,
        ...(cursor !== undefined && { cursor }),
      })
      pages++
      for (const envelope of page.envelopes) {
        const hash = envelopeHash(envelope, this.#provider)
        const pos = { sent: sentTime(envelope), hash }
        const inRange =
          this.#topics.has(topicHex(envelope.topic)) && pos.sent >= since && pos.sent <= until
        if (!inRange || (last !== undefined && comparePosition(pos, last) <= 0)) {
          rejected++
          continue
        }
        last = pos
        if (this.#seen.has(hash)) {
          duplicates++
        } else {
          // Recorded as seen only once handled, so a failed handler sees it again on resume.
          await this.#options.handler(envelope, hash)
          this.#seen.add(hash, envelope.expiry)
          delivered++
        }
        this.#checkpoint = encodeCursor(pos.sent, hash)
      }
      const next = page.cursor
      if (next === undefined) {
        this.#checkpoint = undefined
        return { delivered, duplicates, rejected, pages, complete: true, cursor: undefined }
      }
      if (cursor !== undefined && toHex(next) === toHex(cursor)) {
        // A store that does not advance would loop forever.
        return { delivered, duplicates, rejected, pages, complete: false, cursor }
      }
      cursor = next
    }
  }
}
