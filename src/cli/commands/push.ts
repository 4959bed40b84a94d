/**
 * `status-pfs push register | send`: the client side of push notifications (whitepaper §1.5.1
 * "registration with Push Notification platform"; issue 12). `register` gives a push server
 * (`status-pfs node --push`) this installation's device token, encrypted to the server, with the
 * current contacts as hashed access tokens — run it again after adding contacts; `account new
 * --push-server` does it once at creation. `send` sends a 1:1 message and asks the recipient's
 * push server to wake their devices; the server never learns who talks to whom.
 *
 * @module
 */
import type { Command } from 'commander'
import { PushClient, sendAndNotify } from '../../messenger/index.ts'
import type { NotifyReport } from '../../messenger/index.ts'
import type { Network } from '../../transport/index.ts'
import { openAccount } from '../account-file.ts'
import type { OpenAccount } from '../account-file.ts'
import { findContact } from '../contact-ref.ts'
import type { CliContext } from '../context.ts'
import { toJson } from '../context.ts'
import { CliError } from '../errors.ts'
import { commandNetwork } from '../network.ts'

type Ctx = (cmd: Command) => CliContext

/**
 * Registers the account's installation with `server` (`0x04…` key), allowing its current
 * contacts; resolves once the server confirmed. Returns how many contacts are allowed.
 * @throws {PfsError} `INVALID_ARGUMENT` (bad key or token, refused), `NETWORK_FAILURE`
 */
export async function registerWithPushServer(
  acc: OpenAccount,
  network: Network,
  server: string,
  deviceToken: string,
): Promise<number> {
  const contacts = acc.m.contacts().map((c) => c.publicKey)
  const client = new PushClient({ network, store: acc.store })
  try {
    await client.register({ server, deviceToken, contacts })
  } finally {
    client.close()
  }
  return contacts.length
}

/**
 * `--push-server` and `--push-token` given together, with `--peer` to reach the server.
 * @throws {CliError} INVALID_ARGUMENT
 */
export function checkPushOptions(o: {
  server: string | undefined
  token: string | undefined
  peer: string | undefined
  names: readonly [string, string]
}): { server: string; token: string; peer: string } | undefined {
  const [serverOpt, tokenOpt] = o.names
  if (o.server === undefined && o.token === undefined) return undefined
  if (o.server === undefined || o.token === undefined) {
    throw new CliError('INVALID_ARGUMENT', `${serverOpt} and ${tokenOpt} go together`)
  }
  if (o.token.length === 0 || o.token.length > 4096) {
    throw new CliError('INVALID_ARGUMENT', `${tokenOpt} must be 1-4096 characters`)
  }
  if (o.peer === undefined) {
    throw new CliError(
      'INVALID_ARGUMENT',
      `${serverOpt} needs --peer MULTIADDR: the push server is reached through a status-pfs node`,
    )
  }
  return { server: o.server, token: o.token, peer: o.peer }
}

export function registerPush(program: Command, ctx: Ctx): void {
  const push = program
    .command('push')
    .description('push notifications: register this device with a push server, send and notify')

  push
    .command('register')
    .description('register this device with a push server, allowing our current contacts')
    .requiredOption('--server <key>', 'the push server key ("status-pfs node --push" prints it)')
    .requiredOption('--token <token>', 'this device’s APNs/FCM token')
    .requiredOption('--peer <multiaddr>', 'the status-pfs node to reach the push server through')
    .action(async (opts: { server: string; token: string; peer: string }, cmd: Command) => {
      const c = ctx(cmd)
      const p = checkPushOptions({
        server: opts.server,
        token: opts.token,
        peer: opts.peer,
        names: ['--server', '--token'],
      })
      if (p === undefined) return
      const net = await commandNetwork(p.peer)
      try {
        const acc = await openAccount(c.dataDir, net.network, { autoStart: false })
        try {
          const allowed = await registerWithPushServer(acc, net.network, p.server, p.token)
          if (c.json) c.out.line(toJson({ registered: true, server: p.server, contacts: allowed }))
          else {
            c.out.line(
              c.style.green(
                `registered with push server; ${String(allowed)} contact(s) may notify`,
              ),
            )
          }
        } finally {
          await acc.close()
        }
      } finally {
        await net.close()
      }
    })

  push
    .command('send')
    .description('send a 1:1 message, then ask the recipient’s push server to notify them')
    .argument('<contact>', "contact's chat key, zQ3… key or three-word name")
    .argument('<text>', 'the message')
    .requiredOption('--server <key>', 'the recipient’s push server key')
    .requiredOption('--peer <multiaddr>', 'send through this status-pfs node')
    .action(
      async (
        contact: string,
        text: string,
        opts: { server: string; peer: string },
        cmd: Command,
      ) => {
        const c = ctx(cmd)
        const net = await commandNetwork(opts.peer)
        try {
          const acc = await openAccount(c.dataDir, net.network, { autoStart: false })
          const client = new PushClient({ network: net.network, store: acc.store })
          try {
            const to = findContact(acc.m, contact)
            const r = await sendAndNotify(acc.m, client, {
              to: to.publicKey,
              text,
              server: opts.server,
            })
            const notified = r.push.filter((x) => x.success).length
            if (c.json) {
              c.out.line(toJson({ id: r.id, pfs: r.pfs, devices: r.devices, push: r.push }))
            } else {
              c.out.line(
                c.style.green(`sent to ${to.name} [${r.pfs ? 'pfs' : 'no-pfs'}]`) +
                  `; push: ${pushSummary(r.push, notified)}`,
              )
            }
            if (notified === 0) {
              throw new CliError(
                'PUSH_REFUSED',
                `the message was sent, but the push server notified no device (${pushSummary(r.push, 0)})`,
                1,
              )
            }
          } finally {
            client.close()
            await acc.close()
          }
        } finally {
          await net.close()
        }
      },
    )
}

function pushSummary(reports: readonly NotifyReport[], notified: number): string {
  if (reports.length === 0) return 'no answer from the push server'
  const errors = reports.filter((r) => !r.success).map((r) => r.error ?? 'UNKNOWN')
  return (
    `${String(notified)} device(s) notified` + (errors.length > 0 ? `, ${errors.join(', ')}` : '')
  )
}
