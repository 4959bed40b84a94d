/**
 * History queries to a store node (mailserver) and their pages, shared by every store and
 * network. Semantics follow the Whisper mailserver (TRANSPORT.md §4.1) with Waku Store v3 paging
 * (§4.2):
 *
 * - a query names 1..256 topics and an inclusive range `[from, to]` of *send times*
 *   (`expiry − ttl`, unix seconds);
 * - results come oldest first, ordered by `(sent, envelopeHash)`;
 * - a page holds at most `limit` (≤ 1000) envelopes, and carries a cursor iff more remain;
 * - the cursor is the mailserver key prefix `sent(4, BE) ‖ hash(32)` of the last envelope
 *   returned, and is exclusive.
 *
 * Malformed queries are refused with `INVALID_ARGUMENT` before any work is done.
 *
 * @module
 */
import { compareBytes } from '../../crypto/index.ts'
import { PfsError, WireError } from '../../errors.ts'
import type { Envelope } from '../envelope.ts'
import {
  CURSOR_LENGTH,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  MAX_QUERY_TOPICS,
  TOPIC_LENGTH,
} from '../limits.ts'
import type { Topic } from '../topic.ts'

export interface HistoryQuery {
  readonly topics: readonly Topic[]
  /** Earliest send time, unix seconds, inclusive. */
  readonly from: number
  /** Latest send time, unix seconds, inclusive. */
  readonly to: number
  /** Page size, 1..1000; default 100. */
  readonly limit?: number
  /** From a previous page: continue after it. */
  readonly cursor?: Uint8Array
}

export interface HistoryPage {
  /** Oldest first. */
  readonly envelopes: readonly Envelope[]
  /** Present iff more envelopes match. */
  readonly cursor?: Uint8Array
}

/** A query after validation: limit resolved, cursor split. */
export interface CheckedQuery {
  readonly topics: readonly Topic[]
  readonly from: number
  readonly to: number
  readonly limit: number
  /** Position to continue after: `(sent, hash)`, or undefined to start at `from`. */
  readonly after: { readonly sent: number; readonly hash: Uint8Array } | undefined
}

const UINT32_MAX = 0xffffffff

function refuse(message: string, details: Record<string, number> = {}): PfsError {
  return new PfsError('INVALID_ARGUMENT', `history query refused: ${message}`, details)
}

/**
 * Validates a query from an untrusted client.
 * @throws {PfsError} code=INVALID_ARGUMENT for any malformed or oversized field
 */
export function checkQuery(query: HistoryQuery): CheckedQuery {
  if (typeof query !== 'object' || query === null) throw refuse('not an object')
  const { topics, from, to } = query
  if (!Array.isArray(topics) || topics.length === 0) throw refuse('no topics')
  if (topics.length > MAX_QUERY_TOPICS) throw refuse('too many topics', { topics: topics.length })
  for (const t of topics as unknown[]) {
    if (!(t instanceof Uint8Array) || t.length !== TOPIC_LENGTH) throw refuse('bad topic')
  }
  for (const v of [from, to]) {
    if (!Number.isInteger(v) || v < 0 || v > UINT32_MAX) throw refuse('bad time range')
  }
  if (to < from) throw refuse('time range reversed')
  const limit = query.limit ?? DEFAULT_PAGE_SIZE
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw refuse('bad page size', { max: MAX_PAGE_SIZE })
  }
  let after: CheckedQuery['after']
  if (query.cursor !== undefined) {
    const c = query.cursor
    if (!(c instanceof Uint8Array) || c.length !== CURSOR_LENGTH) throw refuse('bad cursor')
    after = decodeCursor(c)
  }
  return { topics, from, to, limit, after }
}

/** `sent(4, BE) ‖ hash(32)`. */
export function encodeCursor(sent: number, hash: Uint8Array): Uint8Array {
  const out = new Uint8Array(CURSOR_LENGTH)
  new DataView(out.buffer).setUint32(0, sent >>> 0)
  out.set(hash.subarray(0, 32), 4)
  return out
}

/**
 * Splits a cursor from `encodeCursor`.
 * @throws {WireError} code=WIRE_MALFORMED for anything but 36 bytes (a hostile or corrupted
 *   cursor must not surface as a `RangeError` from `DataView`)
 */
export function decodeCursor(cursor: Uint8Array): { sent: number; hash: Uint8Array } {
  if (!(cursor instanceof Uint8Array) || cursor.length !== CURSOR_LENGTH) {
    throw new WireError('cursor has the wrong length', {
      length: cursor instanceof Uint8Array ? cursor.length : -1,
    })
  }
  const view = new DataView(cursor.buffer, cursor.byteOffset, cursor.byteLength)
  return { sent: view.getUint32(0), hash: cursor.slice(4, CURSOR_LENGTH) }
}

/** Store order: by send time, then by hash. */
export function comparePosition(
  a: { readonly sent: number; readonly hash: Uint8Array },
  b: { readonly sent: number; readonly hash: Uint8Array },
): number {
  return a.sent !== b.sent ? a.sent - b.sent : compareBytes(a.hash, b.hash)
}
