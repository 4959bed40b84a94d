/**
 * `MemoryNetwork`: the embedded, in-process `Network` (DESIGN.md "Network") used by the demo, the
 * tests and the simulator. Named nodes exchange envelopes through a scheduler that applies a
 * seeded fault model, so one seed gives one run:
 *
 * - per recipient copy, in this order: loss (drop), duplication (a second copy), delay (fixed,
 *   uniform or exponential), reordering (an extra hold-back delay that lets later envelopes
 *   overtake);
 * - partitions between named nodes and nodes going offline drop copies at delivery time;
 * - store nodes (mailservers) are nodes that archive every envelope they receive and answer
 *   history queries from reachable nodes.
 *
 * With the default simulated clock nothing happens until `advance(ms)` or `flush()` runs the
 * schedule; with `clock: 'real'` copies are delivered by timers.
 *
 * @module
 */
import { PfsError } from '../errors.ts'
import type { Clock } from './clock.ts'
import { systemClock } from './clock.ts'
import type { Envelope } from './envelope.ts'
import { checkQuery } from './mailserver/query.ts'
import type { HistoryPage, HistoryQuery } from './mailserver/query.ts'
import type { EnvelopeStore } from './mailserver/store.ts'
import type { EnvelopeHandler, Network, Unsubscribe } from './network.ts'
import { Prng } from './prng.ts'
import { topicHex } from './topic.ts'
import type { Topic } from './topic.ts'

/** Delivery delay of one copy. */
export type DelayModel =
  | { readonly kind: 'fixed'; readonly ms: number }
  | { readonly kind: 'uniform'; readonly minMs: number; readonly maxMs: number }
  | { readonly kind: 'exponential'; readonly meanMs: number; readonly maxMs?: number }

/** Probabilities are per recipient copy, in [0, 1]. */
export interface FaultModel {
  readonly loss?: number
  /**
   * Loss of the copies that reach store nodes (default: `loss`). Waku store nodes sit on
   * well-connected relays, so simulations of "lost, recovered from the store" set this to 0.
   */
  readonly storeNodeLoss?: number
  readonly duplicate?: number
  readonly reorder?: number
  /** Extra delay of a reordered copy; default 100 ms. */
  readonly reorderDelayMs?: number
  /** Default: fixed 1 ms. */
  readonly delay?: DelayModel
}

export interface MemoryNetworkOptions {
  /** PRNG seed; default 1. */
  readonly seed?: number | string
  /** `'simulated'` (default): time moves with `advance`/`flush`. `'real'`: timers. */
  readonly clock?: 'simulated' | 'real'
  /** Simulated start time, ms since the epoch; default 1_700_000_000_000. */
  readonly startTime?: number
  readonly faults?: FaultModel
}

/** Counters since construction (or `resetStats`). */
export interface NetworkStats {
  /** `publish` calls accepted. */
  published: number
  /** Recipient copies considered (one per other node per publish). */
  copies: number
  /** Copies dropped by the loss model. */
  lost: number
  /** Extra copies added by the duplication model. */
  duplicated: number
  /** Copies held back by the reordering model. */
  reorderDelayed: number
  /** Copies that reached an online, reachable node. */
  delivered: number
  /** Delivered copies that arrived after a later envelope of the same sender. */
  outOfOrder: number
  /** Copies dropped because sender and recipient were partitioned at delivery time. */
  blocked: number
  /** Copies dropped because the recipient was offline at delivery time. */
  offline: number
  /** Handler exceptions swallowed. */
  handlerErrors: number
  /** History queries answered. */
  queries: number
}

function emptyStats(): NetworkStats {
  return {
    published: 0,
    copies: 0,
    lost: 0,
    duplicated: 0,
    reorderDelayed: 0,
    delivered: 0,
    outOfOrder: 0,
    blocked: 0,
    offline: 0,
    handlerErrors: 0,
    queries: 0,
  }
}

interface Subscription {
  readonly topics: ReadonlySet<string> | 'all'
  readonly handler: EnvelopeHandler
}

interface NodeState {
  readonly name: string
  online: boolean
  readonly subscriptions: Set<Subscription>
  store: EnvelopeStore | undefined
  /** Unix second of the store's last prune (pruning runs at most once per simulated second). */
  lastPrune: number
  /** Highest publish sequence delivered here, per sender. */
  readonly lastSeq: Map<string, number>
}

interface ScheduledEvent {
  readonly at: number
  readonly seq: number
  readonly run: () => void
}

function checkProbability(p: number | undefined, name: string): void {
  if (p !== undefined && !(p >= 0 && p <= 1)) {
    throw new PfsError('INVALID_ARGUMENT', `"${name}" must be a probability`)
  }
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`
}

/** Cap on events run by one `flush` (a handler that republishes forever would never end). */
const MAX_FLUSH_EVENTS = 10_000_000

export class MemoryNetwork implements Network {
  readonly #prng: Prng
  readonly #simulated: boolean
  #now: number
  #faults: FaultModel = {}
  readonly #nodes = new Map<string, NodeState>()
  readonly #partitions = new Set<string>()
  readonly #queue: ScheduledEvent[] = []
  #seq = 0
  #publishSeq = 0
  #inFlight = 0
  #idle: (() => void)[] = []
  #stats: NetworkStats = emptyStats()
  readonly #default: MemoryNode
  /** The clock every participant should use: simulated or system time. */
  readonly clock: Clock

  constructor(options: MemoryNetworkOptions = {}) {
    this.#prng = new Prng(options.seed ?? 1)
    this.#simulated = (options.clock ?? 'simulated') === 'simulated'
    this.#now = options.startTime ?? 1_700_000_000_000
    this.clock = this.#simulated ? { now: () => this.#now } : systemClock
    this.setFaults(options.faults ?? {})
    this.#default = this.node('default')
  }

  /** Replaces the fault model (applies to copies scheduled from now on). */
  setFaults(faults: FaultModel): void {
    checkProbability(faults.loss, 'loss')
    checkProbability(faults.storeNodeLoss, 'storeNodeLoss')
    checkProbability(faults.duplicate, 'duplicate')
    checkProbability(faults.reorder, 'reorder')
    this.#faults = faults
  }

  /** The node called `name`, created (online) on first use. */
  node(name: string): MemoryNode {
    if (!this.#nodes.has(name)) {
      this.#nodes.set(name, {
        name,
        online: true,
        subscriptions: new Set(),
        store: undefined,
        lastPrune: -1,
        lastSeq: new Map(),
      })
    }
    return new MemoryNode(this, name)
  }

  /** Node names, in creation order. */
  get nodes(): string[] {
    return [...this.#nodes.keys()]
  }

  /**
   * Makes `name` a store node: it archives every envelope it receives into `store` (which it
   * prunes as time passes) and answers history queries.
   */
  attachStore(name: string, store: EnvelopeStore): MemoryNode {
    const node = this.node(name)
    this.#state(name).store = store
    return node
  }

  /** Blocks delivery both ways between every node of `a` and every node of `b`. */
  partition(a: string | readonly string[], b: string | readonly string[]): void {
    for (const x of typeof a === 'string' ? [a] : a) {
      for (const y of typeof b === 'string' ? [b] : b)
        if (x !== y) this.#partitions.add(pairKey(x, y))
    }
  }

  /** Removes partitions: between `a` and `b`, or all of them when called without arguments. */
  heal(a?: string | readonly string[], b?: string | readonly string[]): void {
    if (a === undefined || b === undefined) {
      this.#partitions.clear()
      return
    }
    for (const x of typeof a === 'string' ? [a] : a) {
      for (const y of typeof b === 'string' ? [b] : b) this.#partitions.delete(pairKey(x, y))
    }
  }

  /** Takes a node offline (it neither sends nor receives) or back online. */
  setOnline(name: string, online: boolean): void {
    this.#state(name).online = online
  }

  isOnline(name: string): boolean {
    return this.#state(name).online
  }

  /** True when `a` and `b` can currently reach each other. */
  reachable(a: string, b: string): boolean {
    return !this.#partitions.has(pairKey(a, b))
  }

  stats(): NetworkStats {
    return { ...this.#stats }
  }

  resetStats(): void {
    this.#stats = emptyStats()
  }

  /** Copies scheduled and not yet delivered or dropped. */
  get pending(): number {
    return this.#simulated ? this.#queue.length : this.#inFlight
  }

  /** Simulated: runs everything due within `ms` and moves the clock by `ms`. Real: waits `ms`. */
  async advance(ms: number): Promise<void> {
    if (!this.#simulated) {
      await new Promise((resolve) => setTimeout(resolve, ms))
      return
    }
    const until = this.#now + Math.max(0, ms)
    while (this.#queue.length > 0 && this.#queue[0]!.at <= until) {
      this.#runNext()
      await Promise.resolve()
    }
    this.#now = until
  }

  /** Delivers (or drops) everything scheduled, including copies scheduled meanwhile. */
  async flush(): Promise<void> {
    if (!this.#simulated) {
      if (this.#inFlight > 0) await new Promise<void>((resolve) => this.#idle.push(resolve))
      return
    }
    for (let n = 0; this.#queue.length > 0; n++) {
      if (n >= MAX_FLUSH_EVENTS) throw new PfsError('INVALID_STATE', 'flush did not settle')
      this.#runNext()
      await Promise.resolve()
    }
  }

  // Network, as the node named "default".
  publish(envelope: Envelope): Promise<void> {
    return this.#default.publish(envelope)
  }
  subscribe(topics: readonly Topic[] | 'all', handler: EnvelopeHandler): Unsubscribe {
    return this.#default.subscribe(topics, handler)
  }
  history(query: HistoryQuery): Promise<HistoryPage> {
    return this.#default.history(query)
  }

  #state(name: string): NodeState {
    const s = this.#nodes.get(name)
    if (s === undefined) throw new PfsError('INVALID_ARGUMENT', 'unknown node')
    return s
  }

  #nowSeconds(): number {
    return Math.floor(this.clock.now() / 1000)
  }

  #sampleDelay(): number {
    const d = this.#faults.delay ?? { kind: 'fixed', ms: 1 }
    switch (d.kind) {
      case 'fixed':
        return d.ms
      case 'uniform':
        return this.#prng.uniform(d.minMs, d.maxMs)
      case 'exponential':
        return Math.min(this.#prng.exponential(d.meanMs), d.maxMs ?? Infinity)
    }
  }

  #schedule(delayMs: number, run: () => void): void {
    if (!this.#simulated) {
      this.#inFlight++
      setTimeout(() => {
        this.#inFlight--
        run()
        if (this.#inFlight === 0) {
          const idle = this.#idle
          this.#idle = []
          for (const resolve of idle) resolve()
        }
      }, delayMs)
      return
    }
    const ev: ScheduledEvent = { at: this.#now + delayMs, seq: this.#seq++, run }
    // Binary-heap push ordered by (at, seq): ties run in scheduling order.
    const q = this.#queue
    q.push(ev)
    let i = q.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (before(q[p]!, ev)) break
      q[i] = q[p]!
      i = p
    }
    q[i] = ev
  }

  #runNext(): void {
    const q = this.#queue
    const top = q[0]!
    const last = q.pop()!
    if (q.length > 0) {
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        let mv = last
        if (l < q.length && before(q[l]!, mv)) {
          m = l
          mv = q[l]!
        }
        if (r < q.length && before(q[r]!, mv)) m = r
        if (m === i) break
        q[i] = q[m]!
        i = m
      }
      q[i] = last
    }
    this.#now = Math.max(this.#now, top.at)
    top.run()
  }

  /** @internal */
  _publish(from: string, envelope: Envelope): void {
    const sender = this.#state(from)
    if (!sender.online) throw new PfsError('NETWORK_FAILURE', 'node is offline')
    this.#stats.published++
    const seq = this.#publishSeq++
    const f = this.#faults
    for (const [name, node] of this.#nodes) {
      if (name === from) continue
      this.#stats.copies++
      const loss = node.store !== undefined ? (f.storeNodeLoss ?? f.loss ?? 0) : (f.loss ?? 0)
      if (this.#prng.chance(loss)) {
        this.#stats.lost++
        continue
      }
      const copies = this.#prng.chance(f.duplicate ?? 0) ? 2 : 1
      if (copies === 2) this.#stats.duplicated++
      for (let c = 0; c < copies; c++) {
        let delay = this.#sampleDelay()
        if (this.#prng.chance(f.reorder ?? 0)) {
          delay += f.reorderDelayMs ?? 100
          this.#stats.reorderDelayed++
        }
        this.#schedule(delay, () => {
          this.#deliver(from, name, seq, envelope)
        })
      }
    }
  }

  #deliver(from: string, to: string, seq: number, envelope: Envelope): void {
    const node = this.#nodes.get(to)
    if (node === undefined) return
    if (!node.online) {
      this.#stats.offline++
      return
    }
    if (!this.reachable(from, to)) {
      this.#stats.blocked++
      return
    }
    this.#stats.delivered++
    const last = node.lastSeq.get(from)
    if (last !== undefined && seq < last) this.#stats.outOfOrder++
    if (last === undefined || seq > last) node.lastSeq.set(from, seq)
    if (node.store !== undefined) {
      const now = this.#nowSeconds()
      try {
        this.#pruneStore(node, now)
        node.store.put(envelope, now)
      } catch {
        this.#stats.handlerErrors++
      }
    }
    const hex = topicHex(envelope.topic)
    for (const sub of [...node.subscriptions]) {
      if (sub.topics !== 'all' && !sub.topics.has(hex)) continue
      try {
        sub.handler(envelope)
      } catch {
        this.#stats.handlerErrors++
      }
    }
  }

  #pruneStore(node: NodeState, now: number): void {
    if (node.store === undefined || now <= node.lastPrune) return
    node.lastPrune = now
    node.store.prune(now)
  }

  /** @internal */
  _subscribe(
    name: string,
    topics: readonly Topic[] | 'all',
    handler: EnvelopeHandler,
  ): Unsubscribe {
    const node = this.#state(name)
    const sub: Subscription = {
      topics: topics === 'all' ? 'all' : new Set(topics.map((t) => topicHex(t))),
      handler,
    }
    node.subscriptions.add(sub)
    return () => {
      node.subscriptions.delete(sub)
    }
  }

  /** @internal */
  _history(from: string, query: HistoryQuery): HistoryPage {
    checkQuery(query)
    if (!this.#state(from).online) throw new PfsError('NETWORK_FAILURE', 'node is offline')
    for (const node of this.#nodes.values()) {
      if (node.store === undefined || !node.online) continue
      if (node.name !== from && !this.reachable(from, node.name)) continue
      const now = this.#nowSeconds()
      this.#pruneStore(node, now)
      this.#stats.queries++
      return node.store.query(query, now)
    }
    throw new PfsError('NETWORK_FAILURE', 'no store node reachable')
  }
}

function before(a: ScheduledEvent, b: ScheduledEvent): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq)
}

/** One named participant of a `MemoryNetwork`; implements `Network`. */
export class MemoryNode implements Network {
  readonly #net: MemoryNetwork
  readonly name: string

  /** @internal Use `MemoryNetwork.node(name)`. */
  constructor(net: MemoryNetwork, name: string) {
    this.#net = net
    this.name = name
  }

  publish(envelope: Envelope): Promise<void> {
    try {
      this.#net._publish(this.name, envelope)
      return Promise.resolve()
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)))
    }
  }

  subscribe(topics: readonly Topic[] | 'all', handler: EnvelopeHandler): Unsubscribe {
    return this.#net._subscribe(this.name, topics, handler)
  }

  history(query: HistoryQuery): Promise<HistoryPage> {
    try {
      return Promise.resolve(this.#net._history(this.name, query))
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)))
    }
  }

  /** This node's clock (the network's). */
  get clock(): Clock {
    return this.#net.clock
  }
}
