/**
 * Client side of the Waku store v3 query protocol (TRANSPORT.md §4.2): turns a `HistoryQuery`
 * (topics, inclusive send-time range in seconds, page size, cursor) into a `StoreQueryRequest`
 * and the response back into a `HistoryPage`, so that `Network.history` and `StoreClient.sync`
 * work unchanged over libp2p.
 *
 * - content topics `/waku/1/0x<topic>/rfc26` on the configured pubsub topic;
 * - `[from, to]` seconds becomes `[from·1e9, (to+1)·1e9)` ns, which selects exactly the messages
 *   whose send second is in range;
 * - pages go forward (oldest first), `include_data` set;
 * - the page cursor handed to callers is `sent(4, BE) ‖ messageHash(32)` of the server's cursor
 *   entry: the shape of a mailserver cursor (`CURSOR_LENGTH`), with the Waku cursor in it.
 *
 * The server is not trusted: entries that are not envelopes are dropped; range checks are
 * `StoreClient.sync`'s.
 *
 * @module
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf'
import type { Libp2p, PeerId } from '@libp2p/interface'
import { toHex } from '../../crypto/index.ts'
import { PfsError, WireError } from '../../errors.ts'
import { StoreQueryRequestSchema, StoreQueryResponseSchema } from '../../wire/gen/waku_store_pb.ts'
import type { StoreQueryResponse } from '../../wire/gen/waku_store_pb.ts'
import { sentTime } from '../envelope.ts'
import type { Envelope } from '../envelope.ts'
import { checkQuery, encodeCursor } from '../mailserver/query.ts'
import type { HistoryPage, HistoryQuery } from '../mailserver/query.ts'
import { contentTopic } from '../topic.ts'
import { checkMessage, messageToEnvelope } from './codec.ts'
import {
  STORE_MAX_CLIENT_RESPONSE_BYTES,
  STORE_MAX_PAGE_SIZE,
  STORE_PROTOCOL,
} from './constants.ts'
import { exchange } from './request.ts'

const NS = 1_000_000_000n
let requestCounter = 0

/**
 * Asks `peer` for one page of history.
 * @throws {PfsError} code=INVALID_ARGUMENT (malformed query, or refused by the server with 400) |
 *   NETWORK_FAILURE (unreachable, timeout, other server status) | WIRE_MALFORMED (bad response)
 */
export async function queryStore(
  node: Libp2p,
  peer: PeerId,
  pubsubTopic: string,
  query: HistoryQuery,
  nowSeconds: number,
): Promise<HistoryPage> {
  const q = checkQuery(query)
  const requestId = `${node.peerId.toString().slice(-8)}-${Date.now()}-${++requestCounter}`
  const request = create(StoreQueryRequestSchema, {
    requestId,
    includeData: true,
    pubsubTopic,
    contentTopics: [...new Set(q.topics.map((t) => contentTopic(t)))],
    timeStart: BigInt(q.from) * NS,
    timeEnd: (BigInt(q.to) + 1n) * NS,
    paginationForward: true,
    paginationLimit: BigInt(Math.min(q.limit, STORE_MAX_PAGE_SIZE)),
    ...(query.cursor !== undefined && { paginationCursor: query.cursor.slice(4) }),
  })
  const bytes = await exchange(
    node,
    peer,
    STORE_PROTOCOL,
    toBinary(StoreQueryRequestSchema, request),
    {
      maxResponseBytes: STORE_MAX_CLIENT_RESPONSE_BYTES,
    },
  )
  let response: StoreQueryResponse
  try {
    response = fromBinary(StoreQueryResponseSchema, bytes)
  } catch (e) {
    throw new WireError('store response does not parse', {}, { cause: e })
  }
  const status = response.statusCode ?? 0
  if (status < 200 || status > 299) {
    const details = { status, description: (response.statusDesc ?? '').slice(0, 200) }
    if (status === 400) throw new PfsError('INVALID_ARGUMENT', 'store refused the query', details)
    throw new PfsError('NETWORK_FAILURE', 'store query failed', details)
  }
  if (response.requestId !== requestId) throw new WireError('store response for another request')
  const envelopes: Envelope[] = []
  for (const entry of response.messages) {
    if (entry.message === undefined) continue
    try {
      checkMessage(entry.message)
    } catch {
      continue
    }
    const envelope = messageToEnvelope(entry.message, nowSeconds)
    if (envelope !== undefined) envelopes.push(envelope)
  }
  const next = response.paginationCursor
  if (next === undefined) return { envelopes }
  if (next.length !== 32) throw new WireError('store cursor is not a message hash')
  const last = envelopes[envelopes.length - 1]
  const cursor = encodeCursor(last === undefined ? q.from : sentTime(last), next)
  if (
    query.cursor !== undefined &&
    toHex(cursor) === toHex(query.cursor) &&
    envelopes.length === 0
  ) {
    return { envelopes }
  }
  return { envelopes, cursor }
}
