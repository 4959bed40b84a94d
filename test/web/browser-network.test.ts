/**
 * The browser's libp2p network (src/transport/libp2p/browser.ts), exercised on Node: it only
 * accepts WebSocket addresses, listens on nothing, and relays envelopes both ways with a
 * TCP+WS node through that node's /ws address, as the web client does with `status-pfs node`.
 *
 * @module
 */
import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createBrowserNetwork, isWebSocketAddr } from '../../src/transport/libp2p/browser.ts'
import type { Libp2pNetwork } from '../../src/transport/libp2p/browser.ts'
import type { Envelope } from '../../src/transport/index.ts'
import { closeAll, envelope, idOf, node, topicA, until } from '../network/helpers.ts'

describe('createBrowserNetwork', () => {
  const nodes: Libp2pNetwork[] = []
  after(async () => {
    await closeAll(nodes)
  })

  test('tells WebSocket multiaddrs from the rest', () => {
    assert.equal(isWebSocketAddr('/ip4/127.0.0.1/tcp/60001/ws/p2p/12D3KooWabc'), true)
    assert.equal(isWebSocketAddr('/ip4/127.0.0.1/tcp/60001/ws'), true)
    assert.equal(isWebSocketAddr('/dns4/node.example/tcp/443/wss/p2p/12D3KooWabc'), true)
    assert.equal(isWebSocketAddr('/dns4/node.example/tcp/443/tls/ws'), true)
    assert.equal(isWebSocketAddr('/ip4/127.0.0.1/tcp/60000/p2p/12D3KooWabc'), false)
    assert.equal(isWebSocketAddr('/ip4/127.0.0.1/tcp/60000/wsx'), false)
  })

  test('refuses a TCP bootstrap or store peer before starting anything', async () => {
    const tcp = '/ip4/127.0.0.1/tcp/60000/p2p/12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'
    await assert.rejects(createBrowserNetwork({ bootstrap: [tcp] }), { code: 'INVALID_ARGUMENT' })
    await assert.rejects(createBrowserNetwork({ storePeers: [tcp] }), { code: 'INVALID_ARGUMENT' })
  })

  test('listens on nothing and relays both ways through a node /ws address', async () => {
    const relay = await node()
    nodes.push(relay)
    const ws = relay.multiaddrs.find((a) => a.includes('/ws/'))!
    const page = await createBrowserNetwork({
      bootstrap: [ws],
      heartbeatIntervalMs: 100,
      reconnect: { initialMs: 100, maxMs: 1000 },
    })
    nodes.push(page)
    assert.deepEqual(page.multiaddrs, [], 'a page accepts no connections')
    await page.waitForPeers(1, { mesh: true })
    await relay.waitForPeers(1, { mesh: true })
    const atRelay: Envelope[] = []
    const atPage: Envelope[] = []
    relay.subscribe([topicA], (e) => atRelay.push(e))
    page.subscribe([topicA], (e) => atPage.push(e))
    await page.publish(envelope(1))
    await relay.publish(envelope(2))
    await until(() => atRelay.length === 1 && atPage.length === 1, 'both envelopes')
    assert.equal(idOf(atRelay[0]!), 1)
    assert.equal(idOf(atPage[0]!), 2)
    const conns = page.libp2p.getConnections()
    assert.ok(conns.length > 0)
    for (const c of conns) assert.match(c.remoteAddr.toString(), /\/ws(\/|$)/)
  })
})
