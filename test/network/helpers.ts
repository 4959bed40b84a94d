/**
 * Shared helpers of the libp2p network tests: loopback-only nodes with a short gossipsub
 * heartbeat, polling waits with deadlines (no fixed sleeps), and small envelopes.
 */
import { createEnvelope, topicFromName } from '../../src/transport/index.ts'
import type { Envelope, Topic } from '../../src/transport/index.ts'
import { Libp2pNetwork } from '../../src/transport/libp2p/libp2p-network.ts'
import type { Libp2pNetworkOptions } from '../../src/transport/libp2p/libp2p-network.ts'

export const LOOPBACK = ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws']

/** A node listening on 127.0.0.1 only, with a 100 ms heartbeat so meshes form quickly. */
export function node(options: Libp2pNetworkOptions = {}): Promise<Libp2pNetwork> {
  return Libp2pNetwork.create({
    listen: LOOPBACK,
    heartbeatIntervalMs: 100,
    reconnect: { initialMs: 100, maxMs: 1000 },
    ...options,
  })
}

/** Polls `cond` every 10 ms until true; throws after `timeoutMs`. */
export async function until(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

export const now = (): number => Math.floor(Date.now() / 1000)

export const topicA: Topic = topicFromName('network-test-a')
export const topicB: Topic = topicFromName('network-test-b')

/** An envelope whose data starts with `i` as 3 bytes (big-endian). */
export function envelope(i: number, topic: Topic = topicA, ttl = 60, sent = now()): Envelope {
  return createEnvelope({
    topic,
    data: Uint8Array.from([i >> 16, (i >> 8) & 0xff, i & 0xff, 0xaa]),
    ttl,
    now: sent,
  })
}

export const idOf = (e: Envelope): number => (e.data[0]! << 16) | (e.data[1]! << 8) | e.data[2]!

/** Closes every node, even if some fail. */
export async function closeAll(nodes: readonly (Libp2pNetwork | undefined)[]): Promise<void> {
  await Promise.allSettled(nodes.map(async (n) => n?.close()))
}
