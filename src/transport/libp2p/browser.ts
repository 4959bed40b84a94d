/**
 * The libp2p network of a browser page (issue 11; TRANSPORT.md §5.3): a `Libp2pNetwork` that dials
 * out over WebSockets only and listens on nothing, so it reaches a `status-pfs node` through the
 * node's `/ws` address. A page cannot open TCP sockets (and `@libp2p/tcp`'s browser build throws
 * when constructed) nor accept connections, so both are left out; relay, store queries, noise,
 * the muxers and identify are the Node network's, unchanged.
 *
 * The browser's own connection gater (libp2p's `browser` build) lets plain `ws://` to a loopback
 * or LAN node through, which is what `status-pfs web` on localhost needs.
 *
 * @module
 */
import { webSockets } from '@libp2p/websockets'
import { PfsError } from '../../errors.ts'
import { Libp2pNetwork } from './libp2p-network.ts'
import type { Libp2pNetworkOptions } from './libp2p-network.ts'

export { Libp2pNetwork } from './libp2p-network.ts'
export type { Libp2pNetworkOptions, Libp2pNetworkStats } from './libp2p-network.ts'

/** `Libp2pNetworkOptions` a page may set: no listening, no archive, no transport choice. */
export type BrowserNetworkOptions = Omit<Libp2pNetworkOptions, 'listen' | 'store' | 'transports'>

/** True for a multiaddr a browser can dial: WebSockets (`/ws`, `/wss`, `/tls/ws`). */
export function isWebSocketAddr(addr: string): boolean {
  return /\/(ws|wss)(\/|$)/.test(addr)
}

/**
 * Starts a WebSocket-only libp2p node that keeps `bootstrap` connected.
 * @throws {PfsError} code=INVALID_ARGUMENT (a bootstrap or store peer that is not a WebSocket
 *   multiaddr, or a bad one) | NETWORK_FAILURE (the node could not start)
 */
export async function createBrowserNetwork(
  options: BrowserNetworkOptions = {},
): Promise<Libp2pNetwork> {
  for (const addr of [...(options.bootstrap ?? []), ...(options.storePeers ?? [])]) {
    if (!isWebSocketAddr(addr)) {
      throw new PfsError('INVALID_ARGUMENT', 'a browser can only dial WebSocket (/ws) multiaddrs')
    }
  }
  return Libp2pNetwork.create({ ...options, listen: [], transports: [webSockets()] })
}
