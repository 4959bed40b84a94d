/**
 * Libp2pNetwork relay over loopback (TRANSPORT.md §3.1, §5.1): three nodes in a line exchange
 * envelopes both ways through the middle one, byte-identical (same hash, TTL and PoW nonce);
 * topic filters apply; a node that drops is redialled with backoff; shutdown leaves no handles.
 */
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { toHex } from '../../src/crypto/index.ts'
import { envelopeHash, seal, powOf } from '../../src/transport/index.ts'
import type { Envelope } from '../../src/transport/index.ts'
import type { Libp2pNetwork } from '../../src/transport/libp2p/libp2p-network.ts'
import { generatePeerKey } from '../../src/transport/libp2p/peer-key.ts'
import { closeAll, envelope, idOf, node, topicA, topicB, until } from './helpers.ts'

const nodes: Libp2pNetwork[] = []
after(() => closeAll(nodes))

test('three nodes in a line relay both ways through the middle one', async () => {
  const mid = await node()
  const left = await node({ bootstrap: [mid.multiaddrs[0]!] }) // TCP
  const right = await node({ bootstrap: [mid.multiaddrs[1]!] }) // WebSocket
  nodes.push(mid, left, right)
  await mid.waitForPeers(2)
  await left.waitForPeers(1)
  await right.waitForPeers(1)
  assert.equal(left.peers().includes(right.peerId), false)

  const atLeft: Envelope[] = []
  const atRight: Envelope[] = []
  const atMid: Envelope[] = []
  left.subscribe([topicA], (e) => atLeft.push(e))
  right.subscribe([topicA], (e) => atRight.push(e))
  mid.subscribe('all', (e) => atMid.push(e))

  // A sealed envelope (PoW nonce, non-default TTL) arrives byte-identical.
  const sealed = seal(envelope(1, topicA, 17), 0.002)
  await left.publish(sealed)
  for (let i = 2; i <= 20; i++) await left.publish(envelope(i))
  for (let i = 100; i < 120; i++) await right.publish(envelope(i))
  await until(() => atRight.length === 20 && atLeft.length === 20, 'relayed envelopes')
  assert.deepEqual(
    atRight.map(idOf),
    Array.from({ length: 20 }, (_, i) => i + 1),
  )
  assert.deepEqual(
    atLeft.map(idOf).sort((a, b) => a - b),
    Array.from({ length: 20 }, (_, i) => 100 + i),
  )
  const got = atRight[0]!
  assert.equal(toHex(envelopeHash(got)), toHex(envelopeHash(sealed)))
  assert.equal(got.ttl, 17)
  assert.equal(got.nonce, sealed.nonce)
  assert.equal(powOf(got), powOf(sealed))
  await until(() => atMid.length === 40, 'middle node copies')

  // Topic filter, no self-delivery, unsubscribe.
  const before = atRight.length
  const unsubscribe = right.subscribe([topicB], (e) => atRight.push(e))
  await left.publish(envelope(500, topicB))
  await left.publish(envelope(501, topicA))
  await until(() => atRight.length === before + 2, 'topic B and A copies')
  unsubscribe()
  await left.publish(envelope(502, topicB))
  await left.publish(envelope(503, topicA))
  await until(() => atRight.some((e) => idOf(e) === 503), 'the last topic A envelope')
  assert.equal(
    atRight.some((e) => idOf(e) === 502),
    false,
  )
  assert.equal(
    atLeft.some((e) => idOf(e) < 100),
    false,
    'a node does not get its own',
  )
  assert.equal(right.stats().invalid, 0)
})

/**
 * A leaf bootstrapped from a hub that then closed, once `gone(leaf)` shows the disconnect;
 * `restartHub` brings the hub back with the same key on the same port.
 */
async function leafOfClosedHub(gone: (leaf: Libp2pNetwork) => boolean): Promise<{
  leaf: Libp2pNetwork
  restartHub: () => Promise<Libp2pNetwork>
}> {
  const peerKey = await generatePeerKey()
  const hub = await node({ peerKey })
  const addr = hub.multiaddrs[0]!
  const leaf = await node({ bootstrap: [addr] })
  nodes.push(leaf)
  await leaf.waitForPeers(1)
  await hub.close()
  await until(() => gone(leaf), 'disconnect')
  const restartHub = async (): Promise<Libp2pNetwork> => {
    const again = await node({ peerKey, listen: [addr.split('/p2p/')[0]!] })
    nodes.push(again)
    return again
  }
  return { leaf, restartHub }
}

test('a dropped bootstrap peer is redialled with backoff', async () => {
  const { leaf, restartHub } = await leafOfClosedHub((l) => l.peers().length === 0)
  // Same key, same port: the leaf finds it again on its own.
  const hub = await restartHub()
  await until(() => leaf.peers().includes(hub.peerId), 'reconnection', 15_000)
  await leaf.waitForPeers(1)
  const got: Envelope[] = []
  hub.subscribe([topicA], (e) => got.push(e))
  await leaf.publish(envelope(7))
  await until(() => got.length === 1, 'delivery after reconnection')
})

test('publishing with no peers fails with NETWORK_FAILURE; close is idempotent', async () => {
  const lonely = await node()
  await assert.rejects(lonely.publish(envelope(1)), { code: 'NETWORK_FAILURE' })
  await lonely.close()
  await lonely.close()
  await assert.rejects(lonely.publish(envelope(1)), { code: 'NETWORK_FAILURE' })
})

test('a publish while the bootstrap peer is being redialled waits for it instead of failing', async () => {
  const { leaf, restartHub } = await leafOfClosedHub((l) => l.topicPeers().length === 0)
  const sent = leaf.publish(envelope(8))
  const hub = await restartHub()
  const got: Envelope[] = []
  hub.subscribe([topicA], (e) => got.push(e))
  await sent
  await until(() => got.length === 1, 'delivery of the waiting publish')
  // Without any peer or bootstrap to wait for, publishing still fails at once.
  const lonely = await node()
  nodes.push(lonely)
  const t0 = Date.now()
  await assert.rejects(lonely.publish(envelope(9)), { code: 'NETWORK_FAILURE' })
  assert.ok(Date.now() - t0 < 1000)
})
