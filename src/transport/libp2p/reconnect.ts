/**
 * Keeps connections to configured peers (bootstrap peers, store nodes) up: dials each at start
 * and again whenever it drops or a dial fails, after an exponential backoff with jitter (500 ms
 * doubling to 30 s), reset once a dial succeeds (TRANSPORT.md §5.3 item 3: static multiaddrs, no
 * discovery service). Stopping cancels every pending timer so a closing node leaves no handles.
 *
 * @module
 */
import type { Libp2p, PeerId } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import type { Multiaddr } from '@multiformats/multiaddr'
import { RECONNECT_FACTOR, RECONNECT_INITIAL_MS, RECONNECT_MAX_MS } from './constants.ts'

export interface ReconnectOptions {
  readonly initialMs?: number
  readonly maxMs?: number
}

interface Target {
  readonly addr: Multiaddr
  readonly peer: string | undefined
  delay: number
  timer: ReturnType<typeof setTimeout> | undefined
  dialing: boolean
}

/** The last `/p2p/<id>` of a multiaddr, if any. */
export function peerIdOfMultiaddr(ma: Multiaddr): string | undefined {
  const parts = ma.getComponents()
  for (let i = parts.length - 1; i >= 0; i--) {
    const { code, value } = parts[i]!
    if (code === P2P_CODE && value !== undefined) return value
  }
  return undefined
}

const P2P_CODE = 421

export class Reconnector {
  readonly #node: Libp2p
  readonly #initial: number
  readonly #max: number
  readonly #targets: Target[] = []
  #stopped = false
  /** Dials attempted, and how many failed. */
  attempts = 0
  failures = 0

  constructor(node: Libp2p, options: ReconnectOptions = {}) {
    this.#node = node
    this.#initial = options.initialMs ?? RECONNECT_INITIAL_MS
    this.#max = options.maxMs ?? RECONNECT_MAX_MS
    node.addEventListener('peer:disconnect', this.#onDisconnect)
  }

  /** Adds `addr` (a multiaddr string, ideally with `/p2p/<id>`) and dials it now. */
  add(addr: string): void {
    const ma = multiaddr(addr)
    const target: Target = {
      addr: ma,
      peer: peerIdOfMultiaddr(ma),
      delay: this.#initial,
      timer: undefined,
      dialing: false,
    }
    this.#targets.push(target)
    this.#dial(target)
  }

  /** Dials every target once more and resolves when each attempt has settled. */
  async dialAll(): Promise<void> {
    await Promise.all(this.#targets.map((t) => this.#node.dial(t.addr).catch(() => undefined)))
  }

  stop(): void {
    this.#stopped = true
    this.#node.removeEventListener('peer:disconnect', this.#onDisconnect)
    for (const t of this.#targets) {
      if (t.timer !== undefined) clearTimeout(t.timer)
      t.timer = undefined
    }
  }

  readonly #onDisconnect = (event: CustomEvent<PeerId>): void => {
    const id = event.detail.toString()
    for (const t of this.#targets) if (t.peer === id) this.#schedule(t)
  }

  #dial(t: Target): void {
    if (this.#stopped || t.dialing) return
    t.dialing = true
    this.attempts++
    this.#node.dial(t.addr).then(
      () => {
        t.dialing = false
        t.delay = this.#initial
      },
      () => {
        t.dialing = false
        this.failures++
        this.#schedule(t)
      },
    )
  }

  #schedule(t: Target): void {
    if (this.#stopped || t.timer !== undefined) return
    const jitter = 0.8 + Math.random() * 0.4
    const wait = Math.round(t.delay * jitter)
    t.delay = Math.min(this.#max, t.delay * RECONNECT_FACTOR)
    t.timer = setTimeout(() => {
      t.timer = undefined
      this.#dial(t)
    }, wait)
  }
}
