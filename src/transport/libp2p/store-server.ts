/**
 * Server side of the Waku store v3 query protocol (`/vac/waku/store-query/3.0.0`; TRANSPORT.md
 * §4.2, §4.3) answered from an `EnvelopeStore` (SQLite or memory, which prunes by TTL):
 *
 * - both query kinds: a content filter (`pubsub_topic` + `content_topics`, optional time range,
 *   start inclusive, end exclusive, in ns) and a hash lookup (`message_hashes`); mixing them,
 *   naming neither, or a content filter without its pubsub topic is refused with 400;
 * - paging both ways by an exclusive message-hash cursor; pages are listed oldest first either
 *   way and carry a cursor iff more remain (the last entry going forward, the first going
 *   backward); page size default 20, clamped to 100; more than 100 topics or hashes, a cursor
 *   that is not 32 bytes or not known (`hash-index.ts`) are refused with 400;
 * - order is the store's `(send second, envelope hash)`; for envelopes that order equals Waku's
 *   `(timestamp, message hash)` up to ties within one second;
 * - backward pages are found by scanning the range forward (the `EnvelopeStore` interface has
 *   forward queries only), so they cost O(entries in range) rather than O(page);
 * - pages stop early (with a cursor) rather than exceed `STORE_MAX_RESPONSE_BYTES`.
 *
 * Status codes: 200, 400 (bad request), 429 (rate limited), 500 (store failure).
 *
 * @module
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf'
import type { Libp2p } from '@libp2p/interface'
import { defaultProvider } from '../../crypto/index.ts'
import type { CryptoProvider } from '../../crypto/index.ts'
import { isPfsError } from '../../errors.ts'
import {
  StoreQueryRequestSchema,
  StoreQueryResponseSchema,
  WakuMessageKeyValueSchema,
} from '../../wire/gen/waku_store_pb.ts'
import type {
  StoreQueryRequest,
  StoreQueryResponse,
  WakuMessageKeyValue,
} from '../../wire/gen/waku_store_pb.ts'
import type { Clock } from '../clock.ts'
import { envelopeHash, sentTime } from '../envelope.ts'
import type { Envelope } from '../envelope.ts'
import { MAX_PAGE_SIZE } from '../limits.ts'
import { comparePosition, encodeCursor } from '../mailserver/query.ts'
import type { EnvelopeStore } from '../mailserver/store.ts'
import type { Topic } from '../topic.ts'
import { envelopeToMessage, messageHash, topicOfContentTopic } from './codec.ts'
import {
  STORE_DEFAULT_PAGE_SIZE,
  STORE_MAX_PAGE_SIZE,
  STORE_MAX_REQUEST_BYTES,
  STORE_MAX_REQUEST_ITEMS,
  STORE_MAX_RESPONSE_BYTES,
  STORE_PROTOCOL,
} from './constants.ts'
import type { MessageHashIndex } from './hash-index.ts'
import type { PeerRateLimiter } from './rate-limit.ts'
import { serveExchange } from './request.ts'

const MAX_REQUEST_ID_LENGTH = 256
const NS = 1_000_000_000n
const UINT32_MAX = 0xffffffff

interface Position {
  readonly sent: number
  readonly hash: Uint8Array
}

interface Entry extends Position {
  readonly envelope: Envelope
}

export interface StoreEngineOptions {
  readonly store: EnvelopeStore
  readonly index: MessageHashIndex
  readonly pubsubTopic: string
  readonly clock: Clock
  readonly provider?: CryptoProvider
}

class BadRequest extends Error {}

/** Answers store v3 requests from an `EnvelopeStore`. */
export class StoreQueryEngine {
  readonly #o: StoreEngineOptions
  readonly #provider: CryptoProvider

  constructor(options: StoreEngineOptions) {
    this.#o = options
    this.#provider = options.provider ?? defaultProvider()
  }

  /** Archives `envelope` and indexes its message hash; false when not new or past retention. */
  archive(envelope: Envelope): boolean {
    const now = Math.floor(this.#o.clock.now() / 1000)
    const added = this.#o.store.put(envelope, now)
    if (added) this.#indexed(envelope)
    return added
  }

  /** Prunes what is past retention. */
  prune(): number {
    return this.#o.store.prune(Math.floor(this.#o.clock.now() / 1000))
  }

  /** Decodes, answers and encodes one request frame; never throws. */
  answerBytes(request: Uint8Array): Uint8Array {
    let req: StoreQueryRequest
    try {
      req = fromBinary(StoreQueryRequestSchema, request)
    } catch {
      return encodeResponse(failure('', 400, 'request does not parse'))
    }
    return encodeResponse(this.answer(req))
  }

  /** Answers one decoded request; never throws. */
  answer(req: StoreQueryRequest): StoreQueryResponse {
    const id = req.requestId.slice(0, MAX_REQUEST_ID_LENGTH)
    try {
      return this.#answer(req, id)
    } catch (e) {
      if (e instanceof BadRequest) return failure(id, 400, e.message)
      if (isPfsError(e) && e.code === 'INVALID_ARGUMENT') return failure(id, 400, e.message)
      return failure(id, 500, 'store failure')
    }
  }

  #answer(req: StoreQueryRequest, id: string): StoreQueryResponse {
    if (req.requestId.length > MAX_REQUEST_ID_LENGTH) throw new BadRequest('request id too long')
    const byContent = req.contentTopics.length > 0 || req.pubsubTopic !== undefined
    const byHash = req.messageHashes.length > 0
    if (byContent && byHash) {
      throw new BadRequest('content filter and message hashes cannot be combined')
    }
    if (!byContent && !byHash) throw new BadRequest('no content filter and no message hashes')
    let limit = STORE_DEFAULT_PAGE_SIZE
    const asked = req.paginationLimit
    if (asked !== undefined && asked > 0n) {
      limit = asked > BigInt(STORE_MAX_PAGE_SIZE) ? STORE_MAX_PAGE_SIZE : Number(asked)
    }
    if (byHash) return this.#lookup(req, id)
    if (req.pubsubTopic === undefined || req.contentTopics.length === 0) {
      throw new BadRequest('pubsub_topic and content_topics go together')
    }
    if (req.contentTopics.length > STORE_MAX_REQUEST_ITEMS) {
      throw new BadRequest(`more than ${STORE_MAX_REQUEST_ITEMS} content topics`)
    }
    const topics = [
      ...new Map(
        req.contentTopics
          .map((c) => topicOfContentTopic(c))
          .filter((t): t is Topic => t !== undefined)
          .map((t) => [t.join(','), t] as const),
      ).values(),
    ]
    let after: Position | undefined
    if (req.paginationCursor !== undefined) {
      const c = req.paginationCursor
      if (c.length !== 32) throw new BadRequest('cursor must be a 32-byte message hash')
      const p = this.#o.index.get(c)
      if (p === undefined) throw new BadRequest('unknown cursor')
      after = { sent: p.sent, hash: p.envelopeHash }
    }
    const from = req.timeStart === undefined ? 0 : clampSeconds(ceilDiv(req.timeStart, NS))
    const to = req.timeEnd === undefined ? UINT32_MAX : clampSeconds(ceilDiv(req.timeEnd, NS) - 1n)
    if (req.pubsubTopic !== this.#o.pubsubTopic || topics.length === 0 || to < from) {
      return ok(id, [])
    }
    const forward = req.paginationForward
    const { page, more } = forward
      ? this.#forward(topics, from, to, after, limit)
      : this.#backward(topics, from, to, after, limit)
    const built = this.#entries(page, req.includeData, forward)
    const hasMore = more || built.truncated
    const edge = forward ? built.entries[built.entries.length - 1] : built.entries[0]
    return create(StoreQueryResponseSchema, {
      requestId: id,
      statusCode: 200,
      statusDesc: 'OK',
      messages: built.entries,
      ...(hasMore && edge?.messageHash !== undefined && { paginationCursor: edge.messageHash }),
    })
  }

  #lookup(req: StoreQueryRequest, id: string): StoreQueryResponse {
    if (req.messageHashes.length > STORE_MAX_REQUEST_ITEMS) {
      throw new BadRequest(`more than ${STORE_MAX_REQUEST_ITEMS} message hashes`)
    }
    const found: Entry[] = []
    for (const h of req.messageHashes) {
      if (h.length !== 32) throw new BadRequest('message hashes are 32 bytes')
      const p = this.#o.index.get(h)
      if (p === undefined) continue
      const page = this.#query([p.topic], p.sent, p.sent, undefined, MAX_PAGE_SIZE)
      const e = page.find((x) => comparePosition(x, { sent: p.sent, hash: p.envelopeHash }) === 0)
      if (e !== undefined) found.push(e)
    }
    found.sort(comparePosition)
    return ok(id, this.#entries(found, req.includeData, true).entries)
  }

  #query(
    topics: readonly Topic[],
    from: number,
    to: number,
    after: Position | undefined,
    limit: number,
  ): Entry[] {
    const now = Math.floor(this.#o.clock.now() / 1000)
    const page = this.#o.store.query(
      {
        topics,
        from,
        to,
        limit,
        ...(after !== undefined && { cursor: encodeCursor(after.sent, after.hash) }),
      },
      now,
    )
    return page.envelopes.map((envelope) => ({
      envelope,
      sent: sentTime(envelope),
      hash: envelopeHash(envelope, this.#provider),
    }))
  }

  #forward(
    topics: readonly Topic[],
    from: number,
    to: number,
    after: Position | undefined,
    limit: number,
  ): { page: Entry[]; more: boolean } {
    const rows = this.#query(topics, from, to, after, limit + 1)
    return { page: rows.slice(0, limit), more: rows.length > limit }
  }

  #backward(
    topics: readonly Topic[],
    from: number,
    to: number,
    before: Position | undefined,
    limit: number,
  ): { page: Entry[]; more: boolean } {
    const end = before === undefined ? to : Math.min(to, before.sent)
    const window: Entry[] = []
    let seen = 0
    let cursor: Position | undefined
    for (;;) {
      const rows = this.#query(topics, from, end, cursor, MAX_PAGE_SIZE)
      for (const r of rows) {
        if (before !== undefined && comparePosition(r, before) >= 0) continue
        window.push(r)
        seen++
        if (window.length > limit) window.shift()
      }
      if (rows.length < MAX_PAGE_SIZE) break
      cursor = rows[rows.length - 1]
    }
    return { page: window, more: seen > limit }
  }

  /** Response entries for `page`, indexed; trimmed to the response size budget. */
  #entries(
    page: readonly Entry[],
    includeData: boolean,
    forward: boolean,
  ): { entries: WakuMessageKeyValue[]; truncated: boolean } {
    const entries: WakuMessageKeyValue[] = []
    let bytes = 0
    let truncated = false
    const ordered = forward ? page : [...page].reverse()
    for (const e of ordered) {
      const message = envelopeToMessage(e.envelope)
      const hash = messageHash(this.#o.pubsubTopic, message, this.#provider)
      this.#o.index.set(hash, { topic: e.envelope.topic, sent: e.sent, envelopeHash: e.hash })
      bytes += 128 + (includeData ? message.payload.length : 0)
      if (entries.length > 0 && bytes > STORE_MAX_RESPONSE_BYTES) {
        truncated = true
        break
      }
      entries.push(
        create(WakuMessageKeyValueSchema, {
          messageHash: hash,
          pubsubTopic: this.#o.pubsubTopic,
          ...(includeData && { message }),
        }),
      )
    }
    if (!forward) entries.reverse()
    return { entries, truncated }
  }

  #indexed(envelope: Envelope): void {
    const message = envelopeToMessage(envelope)
    this.#o.index.set(messageHash(this.#o.pubsubTopic, message, this.#provider), {
      topic: envelope.topic,
      sent: sentTime(envelope),
      envelopeHash: envelopeHash(envelope, this.#provider),
    })
  }
}

function ok(requestId: string, messages: WakuMessageKeyValue[]): StoreQueryResponse {
  return create(StoreQueryResponseSchema, {
    requestId,
    statusCode: 200,
    statusDesc: 'OK',
    messages,
  })
}

function failure(requestId: string, code: number, desc: string): StoreQueryResponse {
  return create(StoreQueryResponseSchema, { requestId, statusCode: code, statusDesc: desc })
}

function encodeResponse(r: StoreQueryResponse): Uint8Array {
  return toBinary(StoreQueryResponseSchema, r)
}

function ceilDiv(a: bigint, b: bigint): bigint {
  const q = a / b
  return a % b > 0n ? q + 1n : q
}

function clampSeconds(s: bigint): number {
  return s < 0n ? 0 : s > BigInt(UINT32_MAX) ? UINT32_MAX : Number(s)
}

/**
 * Registers the store v3 handler on `node`. Requests over `STORE_MAX_REQUEST_BYTES` are refused
 * unread; peers over their rate get status 429.
 */
export async function serveStore(
  node: Libp2p,
  engine: StoreQueryEngine,
  limiter: PeerRateLimiter,
  onServed: (ok: boolean) => void,
): Promise<void> {
  await node.handle(STORE_PROTOCOL, ({ stream, connection }) => {
    const allowed = limiter.take(connection.remotePeer.toString())
    void serveExchange(stream, STORE_MAX_REQUEST_BYTES, (request) => {
      if (!allowed) {
        let id = ''
        try {
          id = fromBinary(StoreQueryRequestSchema, request).requestId
        } catch {
          // answered with an empty id
        }
        return encodeResponse(failure(id.slice(0, MAX_REQUEST_ID_LENGTH), 429, 'rate limited'))
      }
      return engine.answerBytes(request)
    }).then(onServed)
  })
}
