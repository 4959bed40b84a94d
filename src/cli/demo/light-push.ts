/**
 * A demo participant's link to the network: publishes on its `MemoryNetwork` node and also hands
 * each envelope straight to the store node, as a Waku light-push client hands messages to its
 * service node. The relay copies may be lost, duplicated or reordered by the fault model; the
 * store node's copy is not, which is what lets `sync()` recover every lost message.
 *
 * @module
 */
import { PfsError } from '../../errors.ts'
import type {
  Envelope,
  EnvelopeHandler,
  EnvelopeStore,
  HistoryPage,
  HistoryQuery,
  MemoryNetwork,
  MemoryNode,
  Network,
  Topic,
  Unsubscribe,
} from '../../transport/index.ts'

export class LightPushNode implements Network {
  readonly #net: MemoryNetwork
  readonly #node: MemoryNode
  readonly #store: EnvelopeStore

  constructor(net: MemoryNetwork, name: string, store: EnvelopeStore) {
    this.#net = net
    this.#node = net.node(name)
    this.#store = store
  }

  get name(): string {
    return this.#node.name
  }

  publish(envelope: Envelope): Promise<void> {
    if (!this.#net.isOnline(this.#node.name)) {
      return Promise.reject(new PfsError('NETWORK_FAILURE', 'node is offline'))
    }
    this.#store.put(envelope, Math.floor(this.#net.clock.now() / 1000))
    return this.#node.publish(envelope)
  }

  subscribe(topics: readonly Topic[] | 'all', handler: EnvelopeHandler): Unsubscribe {
    return this.#node.subscribe(topics, handler)
  }

  history(query: HistoryQuery): Promise<HistoryPage> {
    return this.#node.history(query)
  }
}
