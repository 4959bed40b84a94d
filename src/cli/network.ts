/**
 * The network a one-shot command runs on: with `--peer MULTIADDR`, a libp2p node that dials that
 * peer (a `status-pfs node`), waits for the relay mesh and, on close, lingers briefly so that
 * what was published leaves the process; without, a private `MemoryNetwork` node that reaches
 * no one (the command works on the local database only and says so).
 *
 * @module
 */
import { multiaddr } from '@multiformats/multiaddr'
import { Libp2pNetwork, MemoryNetwork } from '../transport/index.ts'
import type { Network } from '../transport/index.ts'
import { CliError } from './errors.ts'

export interface CommandNetwork {
  readonly network: Network
  /** False for the private offline node. */
  readonly online: boolean
  /** Lets published messages leave, then stops the node. */
  close(): Promise<void>
}

/** Multicodec of the `/p2p/<peer id>` component. */
const P2P_CODE = 421

/** How long a one-shot command keeps its libp2p node after its last publish. */
const LINGER_MS = 1500

/**
 * `addr` when it parses as a multiaddr (with `/p2p/<id>` when `needPeerId`).
 * @throws {CliError} INVALID_ARGUMENT naming the option
 */
export function checkMultiaddr(addr: string, option: string, needPeerId = false): string {
  let ok: boolean
  try {
    const parts = multiaddr(addr).getComponents()
    ok = !needPeerId || parts.some((p) => p.code === P2P_CODE && p.value !== undefined)
  } catch {
    ok = false
  }
  if (!ok) {
    throw new CliError(
      'INVALID_ARGUMENT',
      needPeerId
        ? `${option} expects a multiaddr ending in /p2p/<peer id>, as "status-pfs node" prints`
        : `${option} expects a multiaddr such as /ip4/127.0.0.1/tcp/60000`,
    )
  }
  return addr
}

export async function commandNetwork(peer: string | undefined): Promise<CommandNetwork> {
  if (peer !== undefined) checkMultiaddr(peer, '--peer', true)
  if (peer === undefined) {
    const net = new MemoryNetwork()
    return { network: net.node('offline'), online: false, close: () => Promise.resolve() }
  }
  const net = await Libp2pNetwork.create({
    listen: ['/ip4/127.0.0.1/tcp/0'],
    bootstrap: [peer],
    storePeers: [peer],
  })
  try {
    await net.waitForPeers(1, { mesh: true, timeoutMs: 15_000 })
  } catch (e) {
    await net.close()
    throw e
  }
  return {
    network: net,
    online: true,
    close: async () => {
      await new Promise((resolve) => setTimeout(resolve, LINGER_MS))
      await net.close()
    },
  }
}
