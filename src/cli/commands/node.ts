/**
 * `status-pfs node --listen MULTIADDR [--store]`: a Waku relay node (and store node) on libp2p
 * (issue 8; TRANSPORT.md §3, §4.3). Its peer key lives in `--data DIR/node.key`, so its multiaddr
 * survives restarts; the store archive in `DIR/store.db`, kept 30 days like a Status mailserver.
 * It prints its multiaddrs, then runs until SIGINT or SIGTERM.
 *
 * @module
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Command } from 'commander'
import { Libp2pNetwork, SqliteEnvelopeStore, generatePeerKey } from '../../transport/index.ts'
import type { CliContext } from '../context.ts'
import { checkMultiaddr } from '../network.ts'
import { checkWebhook, startPushRole } from '../push-role.ts'
import type { PushRole } from '../push-role.ts'
import { untilStopped } from '../signals.ts'

type Ctx = (cmd: Command) => CliContext

/** Status mailservers keep envelopes for 30 days. */
const RETENTION_S = 30 * 24 * 3600

export function registerNode(program: Command, ctx: Ctx): void {
  program
    .command('node')
    .description(
      'run a relay (and with --store, store) node for status-pfs chats; prints its address',
    )
    .option('--listen <multiaddr...>', 'address(es) to listen on, e.g. /ip4/127.0.0.1/tcp/60000', [
      '/ip4/127.0.0.1/tcp/0',
    ])
    .option('--store', 'also archive envelopes and answer history queries (a store node)')
    .option('--bootstrap <multiaddr...>', 'other nodes to connect to and stay connected with')
    .option('--push', 'also be a push-notification server (key in DATA/push.key); needs --webhook')
    .option('--webhook <url>', 'where the push server delivers notifications (http or https)')
    .action(
      async (
        opts: {
          listen: string[]
          store?: boolean
          bootstrap?: string[]
          push?: boolean
          webhook?: string
        },
        cmd: Command,
      ) => {
        const c = ctx(cmd)
        const webhook = opts.push === true ? checkWebhook(opts.webhook) : undefined
        for (const a of opts.listen) checkMultiaddr(a, '--listen')
        for (const a of opts.bootstrap ?? []) checkMultiaddr(a, '--bootstrap', true)
        mkdirSync(c.dataDir, { recursive: true, mode: 0o700 })
        const peerKey = await loadPeerKey(join(c.dataDir, 'node.key'))
        const store =
          opts.store === true
            ? new SqliteEnvelopeStore(join(c.dataDir, 'store.db'), { minRetention: RETENTION_S })
            : undefined
        const net = await Libp2pNetwork.create({
          listen: opts.listen,
          peerKey,
          ...(store !== undefined && { store }),
          ...(opts.bootstrap !== undefined && { bootstrap: opts.bootstrap }),
        })
        let push: PushRole | undefined
        try {
          if (webhook !== undefined) push = startPushRole(c.dataDir, net, webhook)
        } catch (e) {
          await net.close()
          throw e
        }
        if (c.json) {
          // One line, so that a script can read the address as soon as it appears.
          c.out.line(
            JSON.stringify({
              peerId: net.peerId,
              multiaddrs: net.multiaddrs,
              store: net.isStore,
              ...(push !== undefined && { pushServer: push.publicKey }),
            }),
          )
        } else {
          c.out.line(
            c.style.green(`status-pfs ${net.isStore ? 'relay + store' : 'relay'} node running`),
          )
          for (const a of net.multiaddrs) c.out.line(a)
          if (push !== undefined) c.out.line(`push server ${push.publicKey} → ${webhook ?? ''}`)
          c.out.line(
            c.style.dim('Connect with: status-pfs chat --peer <one of the above> --data DIR'),
          )
        }
        await untilStopped()
        await push?.close()
        await net.close()
        if (!c.json) c.out.line(c.style.dim('node stopped'))
      },
    )
}

/** The node's libp2p key, created on first run (file mode 0600). */
async function loadPeerKey(path: string): Promise<Uint8Array> {
  if (existsSync(path)) return new Uint8Array(readFileSync(path))
  const key = await generatePeerKey()
  writeFileSync(path, key, { mode: 0o600 })
  return key
}
