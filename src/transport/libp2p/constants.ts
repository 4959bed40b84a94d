/**
 * Protocol ids, topics and limits of the libp2p network (TRANSPORT.md §3.1, §4.2, §4.3, §5.3):
 * what makes a js-libp2p node a Waku relay / store / metadata peer, and the bounds this node puts
 * on what it accepts from others (STYLE.md §7 "Bounds").
 *
 * @module
 */

/** Waku relay: gossipsub v1.1 under this protocol id only (TRANSPORT.md §3.1). */
export const RELAY_PROTOCOL = '/vac/waku/relay/2.0.0'
/** Waku store v3 query protocol (TRANSPORT.md §4.2). */
export const STORE_PROTOCOL = '/vac/waku/store-query/3.0.0'
/** Waku metadata protocol (TRANSPORT.md §3.1, §5.3). */
export const METADATA_PROTOCOL = '/vac/waku/metadata/1.0.0'

/** status-go `MainStatusShardCluster` (TRANSPORT.md §1.8). */
export const STATUS_CLUSTER_ID = 16
/** status-go `DefaultShardIndex` (TRANSPORT.md §1.8). */
export const STATUS_SHARD = 32
/** The reference's default pubsub topic, `/waku/2/rs/<cluster>/<shard>` (PROTOCOL.md §1). */
export const DEFAULT_PUBSUB_TOPIC = `/waku/2/rs/${STATUS_CLUSTER_ID}/${STATUS_SHARD}`

/** `WakuMessage.version` of a version-1 (Whisper v6) payload (PROTOCOL.md §1). */
export const PAYLOAD_VERSION = 1
/** Largest `WakuMessage.payload` relayed or stored by default: 1 MiB (gossipsub's default). */
export const DEFAULT_MAX_PAYLOAD_SIZE = 1024 * 1024
/** Room for the other WakuMessage fields around a maximal payload. */
export const MESSAGE_OVERHEAD = 1024
/** nwaku's bound on `WakuMessage.meta` (14/WAKU2-MESSAGE). */
export const MAX_META_LENGTH = 64

/** Store: page size when a request names none (nwaku default). */
export const STORE_DEFAULT_PAGE_SIZE = 20
/** Store: pages are clamped to this many entries (nwaku maximum). */
export const STORE_MAX_PAGE_SIZE = 100
/** Store: content topics or message hashes per request; more is refused with 400. */
export const STORE_MAX_REQUEST_ITEMS = 100
/** Store: largest request frame read; larger requests are refused before decoding. */
export const STORE_MAX_REQUEST_BYTES = 64 * 1024
/** Store: a message is admitted only if its timestamp is within this of our clock (TRANSPORT.md §4.2). */
export const STORE_TIMESTAMP_VARIANCE_MS = 20_000
/** Store: largest response frame a server builds (pages stop early, with a cursor, before it). */
export const STORE_MAX_RESPONSE_BYTES = 16 * 1024 * 1024
/** Store: largest response frame a client reads (a maximal page plus one maximal message). */
export const STORE_MAX_CLIENT_RESPONSE_BYTES =
  STORE_MAX_RESPONSE_BYTES + 2 * DEFAULT_MAX_PAYLOAD_SIZE
/** Store and metadata: a request/response exchange is abandoned after this long. */
export const REQUEST_TIMEOUT_MS = 10_000

/** Per-peer relay rate limit: sustained messages per second a peer may send us. */
export const DEFAULT_PEER_RATE = 200
/** Per-peer relay rate limit: burst above the sustained rate. */
export const DEFAULT_PEER_BURST = 400
/** Per-peer store rate limit: queries per second. */
export const DEFAULT_STORE_RATE = 50

/** How long a publish waits for a peer on the topic while connected or reconnecting to one. */
export const PUBLISH_PEER_WAIT_MS = 3000

/** Reconnect backoff: first delay, cap, and factor (with ±20 % jitter). */
export const RECONNECT_INITIAL_MS = 500
export const RECONNECT_MAX_MS = 30_000
export const RECONNECT_FACTOR = 2
