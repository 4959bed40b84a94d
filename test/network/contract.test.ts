/**
 * The shared `Network` contract (contract.ts) against both backends: `MemoryNetwork` in
 * real-clock mode, and three `Libp2pNetwork` nodes on loopback (a store node in the middle).
 */
import { MemoryEnvelopeStore, MemoryNetwork } from '../../src/transport/index.ts'
import { networkContract } from './contract.ts'
import { closeAll, node } from './helpers.ts'

networkContract('MemoryNetwork', () => {
  const net = new MemoryNetwork({ clock: 'real' })
  net.attachStore('store', new MemoryEnvelopeStore())
  return Promise.resolve({
    a: net.node('a'),
    b: net.node('b'),
    close: () => net.flush(),
  })
})

networkContract(
  'Libp2pNetwork',
  async () => {
    const store = await node({ store: new MemoryEnvelopeStore() })
    const a = await node({ bootstrap: [store.multiaddrs[0]!] })
    const b = await node({ bootstrap: [store.multiaddrs[1]!] })
    await Promise.all([store.waitForPeers(2), a.waitForPeers(1), b.waitForPeers(1)])
    return { a, b, close: () => closeAll([a, b, store]) }
  },
  { relayDedup: true },
)
