/**
 * The demo's world: one seeded `MemoryNetwork` with a store node, and the people's devices on it,
 * each a `Messenger` on its own `MemoryStore`, with everything it receives recorded.
 *
 * @module
 */
import { Messenger } from '../../messenger/index.ts'
import type {
  ChatMessageInfo,
  ContactRequestInfo,
  MessengerOptions,
} from '../../messenger/index.ts'
import { MemoryStore } from '../../store/index.ts'
import { MemoryEnvelopeStore, MemoryNetwork } from '../../transport/index.ts'
import { LightPushNode } from './light-push.ts'
import { seededRandom } from './seeded.ts'

/** The store node keeps envelopes 30 days, as Status mailservers do. */
const STORE_RETENTION_S = 30 * 24 * 3600
export const STORE_NODE = 'store-node'

export interface DecryptionFailure {
  readonly from: string
  readonly code: string
  reestablish(): Promise<void>
}

/** One device of one person, and what it has seen. */
export interface Device {
  readonly label: string
  readonly node: string
  readonly m: Messenger
  readonly messages: ChatMessageInfo[]
  readonly requests: (ContactRequestInfo & { accept(): Promise<void> })[]
  readonly accepted: { publicKey: string; pfs: boolean }[]
  readonly ownDevicesAdded: string[]
  readonly failures: DecryptionFailure[]
  readonly partitioned: { from: string; answered: boolean }[]
}

export class Cast {
  readonly net: MemoryNetwork
  readonly archive: MemoryEnvelopeStore
  readonly devices: Device[] = []
  readonly #seed: number

  constructor(seed: number) {
    this.#seed = seed
    this.net = new MemoryNetwork({ seed: `demo:${seed}` })
    this.archive = new MemoryEnvelopeStore({ minRetention: STORE_RETENTION_S })
    this.net.attachStore(STORE_NODE, this.archive)
  }

  now(): number {
    return this.net.clock.now()
  }

  #options(node: string, deviceName: string): MessengerOptions {
    return {
      network: new LightPushNode(this.net, node, this.archive),
      store: new MemoryStore(),
      clock: () => this.net.clock.now(),
      random: seededRandom(this.#seed, node),
      deviceName,
      storeNodes: [STORE_NODE],
    }
  }

  async create(label: string, node: string, deviceName: string): Promise<Device> {
    return this.#track(label, node, await Messenger.create(this.#options(node, deviceName)))
  }

  /** The account of `phrase` as a new installation, or restoring `installationId`. */
  async recover(
    label: string,
    node: string,
    deviceName: string,
    phrase: string,
    installationId?: string,
  ): Promise<Device> {
    const opts = { ...this.#options(node, deviceName), phrase }
    return this.#track(
      label,
      node,
      await Messenger.recover(installationId === undefined ? opts : { ...opts, installationId }),
    )
  }

  #track(label: string, node: string, m: Messenger): Device {
    const d: Device = {
      label,
      node,
      m,
      messages: [],
      requests: [],
      accepted: [],
      ownDevicesAdded: [],
      failures: [],
      partitioned: [],
    }
    m.on('message', (e) => d.messages.push(e))
    m.on('contactRequest', (e) => d.requests.push(e))
    m.on('contactAccepted', (e) => d.accepted.push({ ...e }))
    m.on('deviceAdded', (e) => {
      if (e.own) d.ownDevicesAdded.push(e.installationId)
    })
    m.on('decryptionFailed', (e) => d.failures.push(e))
    m.on('partitionedDevice', (e) => d.partitioned.push({ ...e }))
    this.devices.push(d)
    return d
  }

  /**
   * Lets the network deliver everything in flight and the messengers handle it (their handlers
   * are asynchronous, and may publish answers that need delivering in turn).
   */
  async settle(): Promise<void> {
    for (let round = 0; round < 200; round++) {
      await this.net.flush()
      for (let i = 0; i < 5; i++) await macrotask()
      if (this.net.pending === 0) return
    }
  }

  /** Moves simulated time forward by `ms` (delivering what falls due on the way). */
  async advance(ms: number): Promise<void> {
    await this.settle()
    await this.net.advance(ms)
    await this.settle()
  }

  async close(): Promise<void> {
    for (const d of this.devices) {
      try {
        await d.m.close()
      } catch {
        // closing is best effort at the end of the demo
      }
    }
  }
}

function macrotask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}
