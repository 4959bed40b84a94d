/**
 * `Libp2pNetwork`: the `Network` interface on a real peer-to-peer engine (DESIGN.md "Network";
 * TRANSPORT.md §3, §4.2, §4.3, §5): a js-libp2p node set up as a Waku relay peer, optionally a
 * Waku store node, so that status-pfs processes and machines talk to each other and to js-waku.
 *
 * - Transports TCP and WebSocket; noise; yamux and mplex; identify (§5.3 item 2).
 * - Relay: gossipsub under `/vac/waku/relay/2.0.0` only, `StrictNoSign`, message id
 *   `sha256(data)`, no floodsub fallback, one pubsub topic (default `/waku/2/rs/16/32`); frames
 *   carry `WakuMessage`s made from envelopes by `codec.ts` (§3.1).
 * - Validation before forwarding: a per-peer token bucket (excess `Ignore`d), then the Waku relay
 *   rules plus size bounds (payload > 1 MiB or unparsable → `Reject`, which also lowers the
 *   sender's gossipsub score). Frames over the bound are not even decoded.
 * - Metadata protocol: answers cluster 16 / shard 32; hangs up on identified peers of another
 *   cluster (§5.3 item 1).
 * - Store (with `store`): archives every valid, non-ephemeral envelope message whose timestamp is
 *   within ±20 s of our clock, prunes once a second, and serves store v3 (`store-server.ts`).
 * - `history` asks a store peer (`storePeers`, else any connected peer that announced the store
 *   protocol; this node itself first when it is one) through `store-client.ts`.
 * - Peers: `listen` multiaddrs, `bootstrap` multiaddrs kept connected with backoff
 *   (`reconnect.ts`); no discovery. A publish made while no peer is on the topic but one is
 *   connected or being redialled waits for it (at most `PUBLISH_PEER_WAIT_MS`) once.
 *
 * Delivery semantics are `MemoryNetwork`'s: a node does not receive its own publishes; each
 * envelope reaches a subscriber at most once per node (gossipsub de-duplicates by message id).
 *
 * @module
 */
import { gossipsub } from '@chainsafe/libp2p-gossipsub'
import type { GossipSub, GossipsubMessage } from '@chainsafe/libp2p-gossipsub'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import type { Identify } from '@libp2p/identify'
import type { IdentifyResult, Libp2p, Message, PeerId } from '@libp2p/interface'
import { TopicValidatorResult } from '@libp2p/interface'
import { mplex } from '@libp2p/mplex'
import { peerIdFromString } from '@libp2p/peer-id'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import type { Libp2pInit } from 'libp2p'
import { defaultProvider } from '../../crypto/index.ts'
import type { CryptoProvider } from '../../crypto/index.ts'
import { PfsError } from '../../errors.ts'
import type { Clock } from '../clock.ts'
import { systemClock } from '../clock.ts'
import type { Envelope } from '../envelope.ts'
import { checkQuery } from '../mailserver/query.ts'
import type { HistoryPage, HistoryQuery } from '../mailserver/query.ts'
import type { EnvelopeStore } from '../mailserver/store.ts'
import type { EnvelopeHandler, Network, Unsubscribe } from '../network.ts'
import { topicHex } from '../topic.ts'
import type { Topic } from '../topic.ts'
import { decodeMessage, encodeEnvelopeMessage, messageToEnvelope } from './codec.ts'
import type { WakuMessage } from './codec.ts'
import {
  DEFAULT_MAX_PAYLOAD_SIZE,
  DEFAULT_PEER_BURST,
  DEFAULT_PEER_RATE,
  DEFAULT_PUBSUB_TOPIC,
  DEFAULT_STORE_RATE,
  MESSAGE_OVERHEAD,
  METADATA_PROTOCOL,
  PUBLISH_PEER_WAIT_MS,
  RELAY_PROTOCOL,
  STATUS_CLUSTER_ID,
  STATUS_SHARD,
  STORE_PROTOCOL,
  STORE_TIMESTAMP_VARIANCE_MS,
} from './constants.ts'
import { MessageHashIndex } from './hash-index.ts'
import { queryMetadata, serveMetadata } from './metadata.ts'
import { decodePeerKey } from './peer-key.ts'
import { PeerRateLimiter } from './rate-limit.ts'
import { Reconnector, peerIdOfMultiaddr } from './reconnect.ts'
import type { ReconnectOptions } from './reconnect.ts'
import { queryStore } from './store-client.ts'
import { StoreQueryEngine, serveStore } from './store-server.ts'

export interface Libp2pNetworkOptions {
  /** Listen multiaddrs; default TCP and WS on 127.0.0.1, OS-chosen ports. */
  readonly listen?: readonly string[]
  /** Peers to connect to and keep connected (multiaddrs with `/p2p/<peer id>`). */
  readonly bootstrap?: readonly string[]
  /** libp2p transports; default TCP and WebSocket (a browser page passes WebSocket only). */
  readonly transports?: Libp2pInit['transports']
  /** Store nodes `history` asks (multiaddrs with `/p2p/<id>`); default any connected store peer. */
  readonly storePeers?: readonly string[]
  /** Makes this node a store node archiving into `store` (which it prunes and closes on close). */
  readonly store?: EnvelopeStore
  /** Protobuf-encoded libp2p private key (`generatePeerKey`); default a fresh one. */
  readonly peerKey?: Uint8Array
  /** Default `/waku/2/rs/16/32`. */
  readonly pubsubTopic?: string
  /** Metadata protocol answer; default cluster 16, shards [32]. */
  readonly clusterId?: number
  readonly shards?: readonly number[]
  /** Largest WakuMessage payload relayed, published or stored; default 1 MiB. */
  readonly maxPayloadSize?: number
  /** Per-peer relay limit: messages per second and burst; default 200/s, burst 400. */
  readonly peerRate?: { readonly rate: number; readonly burst: number }
  /** Per-peer store queries per second (burst twice that); default 50. */
  readonly storeRate?: number
  /** Gossipsub heartbeat; default 1000 ms (mesh maintenance; tests may shorten it). */
  readonly heartbeatIntervalMs?: number
  /** Backoff for bootstrap peers; `false` dials them once only. */
  readonly reconnect?: ReconnectOptions | false
  /** Store retention checks run this often; default 1000 ms. */
  readonly pruneIntervalMs?: number
  readonly clock?: Clock
  readonly provider?: CryptoProvider
}

/** Counters since start. */
export interface Libp2pNetworkStats {
  published: number
  /** Relay frames received from peers and accepted. */
  received: number
  /** Envelope copies handed to subscribers. */
  delivered: number
  /** Frames rejected as malformed or oversized. */
  invalid: number
  /** Frames ignored because their sender was over its rate. */
  rateLimited: number
  /** Valid Waku messages that carry no envelope (other content topic or payload version). */
  foreign: number
  /** Envelopes archived (store nodes). */
  stored: number
  /** Store queries served, and those that failed or were refused by the transport layer. */
  queriesServed: number
  queriesFailed: number
  handlerErrors: number
}

interface Subscription {
  readonly topics: ReadonlySet<string> | 'all'
  readonly handler: EnvelopeHandler
}

type Node = Libp2p<{ pubsub: GossipSub; identify: Identify }>

export class Libp2pNetwork implements Network {
  readonly #node: Node
  readonly #pubsub: GossipSub
  readonly #topic: string
  readonly #clock: Clock
  readonly #maxPayload: number
  readonly #limiter: PeerRateLimiter
  readonly #storeLimiter: PeerRateLimiter
  readonly #engine: StoreQueryEngine | undefined
  readonly #store: EnvelopeStore | undefined
  readonly #storePeers: PeerId[]
  readonly #subs = new Set<Subscription>()
  readonly #decoded = new WeakMap<Message, WakuMessage>()
  readonly #shardInfo: { clusterId: number; shards: readonly number[] }
  #reconnector: Reconnector | undefined
  #pruneTimer: ReturnType<typeof setInterval> | undefined
  #closed = false
  readonly #stats: Libp2pNetworkStats = {
    published: 0,
    received: 0,
    delivered: 0,
    invalid: 0,
    rateLimited: 0,
    foreign: 0,
    stored: 0,
    queriesServed: 0,
    queriesFailed: 0,
    handlerErrors: 0,
  }

  private constructor(node: Node, options: Libp2pNetworkOptions) {
    this.#node = node
    this.#pubsub = node.services.pubsub
    this.#topic = options.pubsubTopic ?? DEFAULT_PUBSUB_TOPIC
    this.#clock = options.clock ?? systemClock
    this.#maxPayload = options.maxPayloadSize ?? DEFAULT_MAX_PAYLOAD_SIZE
    const rate = options.peerRate ?? { rate: DEFAULT_PEER_RATE, burst: DEFAULT_PEER_BURST }
    this.#limiter = new PeerRateLimiter(rate.rate, rate.burst)
    const storeRate = options.storeRate ?? DEFAULT_STORE_RATE
    this.#storeLimiter = new PeerRateLimiter(storeRate, storeRate * 2)
    this.#store = options.store
    this.#shardInfo = {
      clusterId: options.clusterId ?? STATUS_CLUSTER_ID,
      shards: options.shards ?? [STATUS_SHARD],
    }
    this.#engine =
      options.store === undefined
        ? undefined
        : new StoreQueryEngine({
            store: options.store,
            index: new MessageHashIndex(),
            pubsubTopic: this.#topic,
            clock: this.#clock,
            provider: options.provider ?? defaultProvider(),
          })
    this.#storePeers = (options.storePeers ?? []).map((a) => {
      const id = peerIdOfMultiaddr(multiaddr(a))
      if (id === undefined)
        throw new PfsError('INVALID_ARGUMENT', 'store peer multiaddr without /p2p/')
      return peerIdFromString(id)
    })
  }

  /**
   * Creates and starts a node: listening, subscribed to the pubsub topic, dialing `bootstrap`.
   * @throws {PfsError} code=INVALID_ARGUMENT (bad multiaddr or key) | NETWORK_FAILURE (cannot listen)
   */
  static async create(options: Libp2pNetworkOptions = {}): Promise<Libp2pNetwork> {
    const provider = options.provider ?? defaultProvider()
    const maxPayload = options.maxPayloadSize ?? DEFAULT_MAX_PAYLOAD_SIZE
    let node: Node
    try {
      // The gossipsub factory is typed as a generic PubSub; the instance is a GossipSub.
      node = (await createLibp2p({
        ...(options.peerKey !== undefined && { privateKey: decodePeerKey(options.peerKey) }),
        start: false,
        addresses: {
          listen: [...(options.listen ?? ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws'])],
        },
        transports: options.transports ?? [tcp(), webSockets()],
        connectionEncrypters: [noise()],
        // mplex is deprecated upstream but is what js-waku and nwaku speak (TRANSPORT.md §5.3).
        // eslint-disable-next-line @typescript-eslint/no-deprecated
        streamMuxers: [yamux(), mplex()],
        services: {
          identify: identify(),
          pubsub: gossipsub({
            globalSignaturePolicy: 'StrictNoSign',
            msgIdFn: (msg) => provider.sha256(msg.data),
            fallbackToFloodsub: false,
            emitSelf: false,
            ignoreDuplicatePublishError: true,
            maxInboundDataLength: maxPayload + MESSAGE_OVERHEAD + 1024,
            heartbeatInterval: options.heartbeatIntervalMs ?? 1000,
          }),
        },
      })) as unknown as Node
    } catch (e) {
      throw new PfsError('INVALID_ARGUMENT', 'libp2p node could not be created', {}, { cause: e })
    }
    // Waku relay speaks gossipsub under its own protocol id only (TRANSPORT.md §3.1).
    node.services.pubsub.multicodecs = [RELAY_PROTOCOL]
    const net = new Libp2pNetwork(node, options)
    try {
      await net.#start(options)
    } catch (e) {
      await net.close()
      throw new PfsError('NETWORK_FAILURE', 'libp2p node could not start', {}, { cause: e })
    }
    return net
  }

  async #start(options: Libp2pNetworkOptions): Promise<void> {
    const pubsub = this.#pubsub
    pubsub.topicValidators.set(this.#topic, (peer, msg) => this.#validate(peer, msg))
    pubsub.addEventListener('gossipsub:message', this.#onMessage)
    this.#node.addEventListener('peer:identify', this.#onIdentify)
    this.#node.addEventListener('peer:disconnect', this.#onDisconnect)
    await serveMetadata(this.#node, this.#shardInfo)
    if (this.#engine !== undefined) {
      await serveStore(this.#node, this.#engine, this.#storeLimiter, (ok) => {
        if (ok) this.#stats.queriesServed++
        else this.#stats.queriesFailed++
      })
      const engine = this.#engine
      this.#pruneTimer = setInterval(() => {
        try {
          engine.prune()
        } catch {
          this.#stats.handlerErrors++
        }
      }, options.pruneIntervalMs ?? 1000)
      this.#pruneTimer.unref()
    }
    await this.#node.start()
    pubsub.subscribe(this.#topic)
    if (options.bootstrap !== undefined && options.bootstrap.length > 0) {
      this.#reconnector = new Reconnector(
        this.#node,
        options.reconnect === false ? { initialMs: 2 ** 31 - 1 } : (options.reconnect ?? {}),
      )
      for (const addr of options.bootstrap) this.#reconnector.add(addr)
    }
  }

  /** This node's peer id (`12D3Koo…`). */
  get peerId(): string {
    return this.#node.peerId.toString()
  }

  /** Listening multiaddrs, each ending in `/p2p/<peer id>`: what others bootstrap from. */
  get multiaddrs(): string[] {
    return this.#node.getMultiaddrs().map((m) => m.toString())
  }

  /** The pubsub topic relayed. */
  get pubsubTopic(): string {
    return this.#topic
  }

  /** True when this node archives and serves history. */
  get isStore(): boolean {
    return this.#engine !== undefined
  }

  /** The underlying libp2p node (for diagnostics and tests; do not reconfigure it). */
  get libp2p(): Libp2p {
    return this.#node
  }

  stats(): Libp2pNetworkStats {
    return { ...this.#stats }
  }

  /** Peer ids of open connections. */
  peers(): string[] {
    return this.#node.getPeers().map((p) => p.toString())
  }

  /** Peers in our gossipsub mesh for the pubsub topic (those we forward to). */
  meshPeers(): string[] {
    return this.#pubsub.getMeshPeers(this.#topic)
  }

  /** Peers known to be subscribed to the pubsub topic. */
  topicPeers(): string[] {
    return this.#pubsub.getSubscribers(this.#topic).map((p) => p.toString())
  }

  /**
   * Connects to `addr` once (no reconnection; use `bootstrap` for that).
   * @throws {PfsError} code=NETWORK_FAILURE
   */
  async dial(addr: string): Promise<void> {
    try {
      await this.#node.dial(multiaddr(addr), { signal: AbortSignal.timeout(10_000) })
    } catch (e) {
      throw new PfsError('NETWORK_FAILURE', 'dial failed', {}, { cause: e })
    }
  }

  /**
   * Resolves once at least `n` peers are in our mesh (or, with `mesh: false`, subscribed to the
   * topic), polling every 25 ms.
   * @throws {PfsError} code=NETWORK_FAILURE after `timeoutMs` (default 10 s)
   */
  async waitForPeers(
    n: number,
    options: { readonly mesh?: boolean; readonly timeoutMs?: number } = {},
  ): Promise<void> {
    const deadline = Date.now() + (options.timeoutMs ?? 10_000)
    const count = (): number =>
      options.mesh === false ? this.topicPeers().length : this.meshPeers().length
    while (count() < n) {
      if (this.#closed || Date.now() > deadline) {
        throw new PfsError('NETWORK_FAILURE', 'peers did not join in time', {
          want: n,
          have: count(),
        })
      }
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
  }

  publish(envelope: Envelope): Promise<void> {
    return this.#publish(envelope)
  }

  async #publish(envelope: Envelope): Promise<void> {
    if (this.#closed) throw new PfsError('NETWORK_FAILURE', 'network closed')
    if (envelope.data.length === 0 || envelope.data.length > this.#maxPayload) {
      throw new PfsError('INVALID_ARGUMENT', 'envelope data empty or over the payload limit', {
        length: envelope.data.length,
        max: this.#maxPayload,
      })
    }
    const data = encodeEnvelopeMessage(envelope)
    if (this.#engine !== undefined) this.#archive(envelope)
    let recipients: number
    try {
      recipients = await this.#send(data)
    } catch (e) {
      throw new PfsError('NETWORK_FAILURE', 'publish failed', {}, { cause: e })
    }
    this.#stats.published++
    // A duplicate of an envelope already sent is not an error (Whisper de-duplicates anyway);
    // a node with no peers on the topic has sent nothing.
    if (recipients === 0 && this.topicPeers().length === 0) {
      throw new PfsError('NETWORK_FAILURE', 'no peers on the pubsub topic')
    }
  }

  /**
   * Hands `data` to gossipsub. When it knows no peer on the topic although we are connected or
   * reconnecting to one (a subscription not yet exchanged, a bootstrap peer being redialled), the
   * gap is waited out for up to `PUBLISH_PEER_WAIT_MS` once, rather than losing the message.
   */
  async #send(data: Uint8Array): Promise<number> {
    try {
      return (await this.#pubsub.publish(this.#topic, data)).recipients.length
    } catch (e) {
      const noPeers = e instanceof Error && e.message.includes('NoPeersSubscribedToTopic')
      if (!noPeers || (this.#reconnector === undefined && this.#node.getPeers().length === 0)) {
        throw e
      }
      await this.waitForPeers(1, { mesh: false, timeoutMs: PUBLISH_PEER_WAIT_MS }).catch(
        () => undefined,
      )
      if (this.#closed) throw e
      return (await this.#pubsub.publish(this.#topic, data)).recipients.length
    }
  }

  subscribe(topics: readonly Topic[] | 'all', handler: EnvelopeHandler): Unsubscribe {
    const sub: Subscription = {
      topics: topics === 'all' ? 'all' : new Set(topics.map((t) => topicHex(t))),
      handler,
    }
    this.#subs.add(sub)
    return () => {
      this.#subs.delete(sub)
    }
  }

  async history(query: HistoryQuery): Promise<HistoryPage> {
    checkQuery(query)
    if (this.#closed) throw new PfsError('NETWORK_FAILURE', 'network closed')
    const now = Math.floor(this.#clock.now() / 1000)
    if (this.#store !== undefined) {
      this.#engine?.prune()
      return this.#store.query(query, now)
    }
    const candidates =
      this.#storePeers.length > 0 ? this.#storePeers : await this.#connectedStores()
    let last: unknown
    // Each candidate twice: a connection that died unnoticed fails once, then is redialled.
    for (const peer of candidates.flatMap((p) => [p, p])) {
      try {
        return await queryStore(this.#node, peer, this.#topic, query, now)
      } catch (e) {
        if (e instanceof PfsError && e.code !== 'NETWORK_FAILURE') throw e
        last = e
      }
    }
    // A store that answered with a status (429 when we are over our query rate) says so.
    const status = last instanceof PfsError ? last.details['status'] : undefined
    if (typeof status === 'number') {
      throw new PfsError(
        'NETWORK_FAILURE',
        status === 429 ? 'store node rate limited the query' : 'store node failed the query',
        { status },
        { cause: last },
      )
    }
    throw new PfsError('NETWORK_FAILURE', 'no store node reachable', {}, { cause: last })
  }

  async #connectedStores(): Promise<PeerId[]> {
    const out: PeerId[] = []
    for (const peer of this.#node.getPeers()) {
      try {
        const p = await this.#node.peerStore.get(peer)
        if (p.protocols.includes(STORE_PROTOCOL)) out.push(peer)
      } catch {
        // not in the peer store any more
      }
    }
    return out
  }

  /** Stops everything: no timers, sockets or streams are left behind. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#reconnector?.stop()
    if (this.#pruneTimer !== undefined) clearInterval(this.#pruneTimer)
    this.#pubsub.removeEventListener('gossipsub:message', this.#onMessage)
    this.#node.removeEventListener('peer:identify', this.#onIdentify)
    this.#node.removeEventListener('peer:disconnect', this.#onDisconnect)
    this.#subs.clear()
    try {
      await this.#node.stop()
    } finally {
      this.#store?.close()
    }
  }

  #validate(peer: PeerId, msg: Message): TopicValidatorResult {
    if (!this.#limiter.take(peer.toString())) {
      this.#stats.rateLimited++
      return TopicValidatorResult.Ignore
    }
    try {
      this.#decoded.set(msg, decodeMessage(msg.data, this.#maxPayload))
      return TopicValidatorResult.Accept
    } catch {
      this.#stats.invalid++
      return TopicValidatorResult.Reject
    }
  }

  readonly #onMessage = (event: CustomEvent<GossipsubMessage>): void => {
    const { msg } = event.detail
    if (msg.topic !== this.#topic) return
    let message = this.#decoded.get(msg)
    if (message === undefined) {
      try {
        message = decodeMessage(msg.data, this.#maxPayload)
      } catch {
        this.#stats.invalid++
        return
      }
    }
    this.#stats.received++
    const nowMs = this.#clock.now()
    const envelope = messageToEnvelope(message, Math.floor(nowMs / 1000))
    if (envelope === undefined) {
      this.#stats.foreign++
      return
    }
    if (this.#engine !== undefined && message.ephemeral !== true) {
      const ts = Number((message.timestamp ?? 0n) / 1_000_000n)
      if (Math.abs(ts - nowMs) <= STORE_TIMESTAMP_VARIANCE_MS) this.#archive(envelope)
    }
    this.#deliver(envelope)
  }

  #archive(envelope: Envelope): void {
    try {
      if (this.#engine!.archive(envelope)) this.#stats.stored++
    } catch {
      this.#stats.handlerErrors++
    }
  }

  #deliver(envelope: Envelope): void {
    const hex = topicHex(envelope.topic)
    for (const sub of [...this.#subs]) {
      if (sub.topics !== 'all' && !sub.topics.has(hex)) continue
      this.#stats.delivered++
      try {
        sub.handler(envelope)
      } catch {
        this.#stats.handlerErrors++
      }
    }
  }

  readonly #onIdentify = (event: CustomEvent<IdentifyResult>): void => {
    const { peerId, protocols, connection } = event.detail
    if (this.#closed || !protocols.includes(METADATA_PROTOCOL)) return
    queryMetadata(this.#node, peerId, this.#shardInfo).then(
      (info) => {
        if (info.clusterId !== undefined && info.clusterId !== this.#shardInfo.clusterId) {
          void connection.close().catch(() => undefined)
        }
      },
      () => undefined,
    )
  }

  readonly #onDisconnect = (event: CustomEvent<PeerId>): void => {
    const id = event.detail.toString()
    this.#limiter.forget(id)
  }
}
