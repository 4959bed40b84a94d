/**
 * The simulated world of the chaos simulator: a `MemoryNetwork` with one store node, and devices
 * (one `Messenger` each) whose network and store are wrapped so that the oracle can follow every
 * envelope:
 *
 * - publishing records which chat message an envelope carries, and archives it on the store node
 *   over a reliable link (a client pushes to its store node directly, as Waku light push does;
 *   the relay copies still suffer the fault model, so live delivery loses, duplicates, delays and
 *   reorders while history stays complete);
 * - the store's `markEnvelopeSeen`, which the receive path calls first for every envelope (live
 *   or from history) before anything is decrypted, tells which envelope the events that follow
 *   belong to (handling is synchronous from there to the events).
 *
 * @module
 */
import { toHex } from '../../src/crypto/index.ts'
import type { Store } from '../../src/store/index.ts'
import {
  MemoryEnvelopeStore,
  MemoryNetwork,
  envelopeHash,
  limits,
  sentTime,
} from '../../src/transport/index.ts'
import type { Envelope, FaultModel, Network } from '../../src/transport/index.ts'

/** Store nodes keep history this long (devices stay offline for days). */
export const RETENTION_SECONDS = 30 * 24 * 60 * 60

export class World {
  readonly net: MemoryNetwork
  readonly archive: MemoryEnvelopeStore
  /** Node name -> the envelope it is handling now (hex hash). */
  readonly #current = new Map<string, string>()
  /** Set while a device sends a chat message: its envelopes carry `text`. */
  sending: { readonly node: string; readonly text: string } | undefined
  /** Set while a device sends a chat message or a contact request. */
  chatting: string | undefined
  readonly #onEnvelope: (hashHex: string, text: string) => void
  /** Called for each envelope a node publishes on a partitioned topic while `chatting`. */
  onChatEnvelope: ((node: string, hashHex: string) => void) | undefined
  /** Called for each envelope a node marks as seen: `fresh` false for a known duplicate. */
  onHandled: ((node: string, hashHex: string, fresh: boolean) => void) | undefined
  readonly #drops = { future: 0, expired: 0 }

  constructor(seed: number, onEnvelope: (hashHex: string, text: string) => void) {
    this.net = new MemoryNetwork({ seed: `sim-${String(seed)}` })
    this.archive = new MemoryEnvelopeStore({ minRetention: RETENTION_SECONDS })
    this.net.attachStore('store', this.archive)
    this.#onEnvelope = onEnvelope
  }

  setFaults(faults: FaultModel): void {
    this.net.setFaults(faults)
  }

  /** True (simulated) time, ms. */
  now(): number {
    return this.net.clock.now()
  }

  /** The envelope node `name` is handling now. */
  current(name: string): string | undefined {
    return this.#current.get(name)
  }

  /** `Network` of node `name`: reliable archive, attribution of outgoing chat envelopes. */
  network(name: string, skipTopics: () => ReadonlySet<string>, skewMs: number): Network {
    const node = this.net.node(name)
    const drops = this.#drops
    return {
      publish: async (e: Envelope) => {
        if (this.net.isOnline(name)) {
          const hash = toHex(envelopeHash(e))
          const s = this.sending
          const partitioned = !skipTopics().has(toHex(e.topic))
          if (s !== undefined && s.node === name && partitioned) this.#onEnvelope(hash, s.text)
          if (this.chatting === name && partitioned) this.onChatEnvelope?.(name, hash)
          this.archive.put(e, Math.floor(this.now() / 1000))
        }
        await node.publish(e)
      },
      subscribe: (topics, handler) =>
        node.subscribe(topics, (e) => {
          const now = Math.floor((this.now() + skewMs) / 1000)
          if (sentTime(e) > now + limits.DEFAULT_SYNC_ALLOWANCE) drops.future++
          else if (e.expiry < now) drops.expired++
          handler(e)
        }),
      history: (q) => node.history(q),
    }
  }

  liveDrops(): { future: number; expired: number } {
    return { ...this.#drops }
  }

  /** `store`, with every `markEnvelopeSeen` noted as the envelope node `name` handles now. */
  watch(name: string, store: Store): Store {
    const current = this.#current
    const handled = (hex: string, fresh: boolean) => this.onHandled?.(name, hex, fresh)
    return new Proxy(store, {
      get(target, prop) {
        if (prop === 'markEnvelopeSeen') {
          return (hash: Uint8Array, expiresAt: number) => {
            const hex = toHex(hash)
            current.set(name, hex)
            const fresh = target.markEnvelopeSeen(hash, expiresAt)
            handled(hex, fresh)
            return fresh
          }
        }
        const v: unknown = Reflect.get(target, prop, target)
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v
      },
    })
  }

  /** Moves simulated time by `ms`, running what falls due, and lets async work settle. */
  async advance(ms: number): Promise<void> {
    await this.net.advance(ms)
    await this.settle()
  }

  /** Lets background work (answers, advertisements, enabling) run without moving time. */
  async settle(): Promise<void> {
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setImmediate(r))
      await this.net.advance(0)
    }
  }
}
