/**
 * Shared helpers of the messenger tests: a simulated `MemoryNetwork`, messengers on its clock, and
 * a way to let the network and the messengers' background work settle.
 *
 * @module
 */
import { Messenger } from '../../src/messenger/index.ts'
import type { MessengerEvents, MessengerOptions } from '../../src/messenger/index.ts'
import { MemoryStore } from '../../src/store/index.ts'
import type { Store } from '../../src/store/index.ts'
import { MemoryEnvelopeStore, MemoryNetwork, Prng } from '../../src/transport/index.ts'
import type { FaultModel } from '../../src/transport/index.ts'

export interface World {
  readonly net: MemoryNetwork
  /** Options for a messenger on node `name`. */
  opts(name: string, store?: Store): MessengerOptions
  /** Delivers everything scheduled, several rounds (answers trigger more traffic). */
  settle(): Promise<void>
}

export function world(
  options: {
    seed?: number
    faults?: FaultModel
    storeNode?: boolean
    /** Seconds the store node keeps envelopes past their TTL (default: until expiry). */
    storeRetention?: number
  } = {},
): World {
  const net = new MemoryNetwork({
    seed: options.seed ?? 1,
    ...(options.faults ? { faults: options.faults } : {}),
  })
  if (options.storeNode === true) {
    const retention = options.storeRetention
    net.attachStore(
      'store',
      new MemoryEnvelopeStore(retention === undefined ? {} : { minRetention: retention }),
    )
  }
  const prng = new Prng(`random-${String(options.seed ?? 1)}`)
  return {
    net,
    opts: (name, store) => ({
      network: net.node(name),
      store: store ?? new MemoryStore(),
      clock: () => net.clock.now(),
      random: (n) => {
        const out = new Uint8Array(n)
        for (let i = 0; i < n; i++) out[i] = prng.nextUint32() & 255
        return out
      },
      deviceName: name,
    }),
    settle: async () => {
      for (let i = 0; i < 6; i++) {
        await new Promise((r) => setImmediate(r))
        await net.flush()
      }
    },
  }
}

/** Records every event of a messenger. */
export function recorder(m: Messenger): {
  readonly events: { [E in keyof MessengerEvents]: MessengerEvents[E][] }
} {
  const events = {
    message: [],
    contactRequest: [],
    contactAccepted: [],
    deviceAdded: [],
    decryptionFailed: [],
    partitionedDevice: [],
    downgrade: [],
    delivery: [],
    syncProgress: [],
    error: [],
  } as { [E in keyof MessengerEvents]: MessengerEvents[E][] }
  for (const key of Object.keys(events) as (keyof MessengerEvents)[]) {
    m.on(key, (e) => {
      ;(events[key] as unknown[]).push(e)
    })
  }
  return { events }
}

/** `a` adds `b` by its contact code (with `intro`) and `b` accepts: mutual contacts. */
export async function befriend(w: World, a: Messenger, b: Messenger, intro = 'hi'): Promise<void> {
  await w.settle()
  await a.addContact(b.contactCode(), intro)
  await w.settle()
  await b.acceptContact(a.publicKey)
  await w.settle()
}

/** Alice and Bob, mutual contacts through a contact code. */
export async function pair(w: World): Promise<{ alice: Messenger; bob: Messenger }> {
  const alice = await Messenger.create(w.opts('alice'))
  const bob = await Messenger.create(w.opts('bob'))
  await befriend(w, alice, bob, 'hi Bob')
  return { alice, bob }
}
