/**
 * `status-pfs contact add | list` and `status-pfs send` (whitepaper §1.5.2 contact requests,
 * §2.3 bundle exchange; issue 7). The code is checked before the database is opened, so a
 * malformed one changes nothing. Without `--peer` the request or message is stored locally only.
 *
 * @module
 */
import type { Command } from 'commander'
import { Messenger } from '../../messenger/index.ts'
import { openAccount } from '../account-file.ts'
import type { CliContext } from '../context.ts'
import { toJson } from '../context.ts'
import { findContact } from '../contact-ref.ts'
import { commandNetwork } from '../network.ts'
import { shortKey } from '../present.ts'

type Ctx = (cmd: Command) => CliContext

const OFFLINE_NOTE = 'offline: no --peer given, so it is stored here and not sent'

export function registerContact(program: Command, ctx: Ctx): void {
  const contact = program.command('contact').description('add and list contacts')

  contact
    .command('add')
    .description('send a contact request to a contact code, chat key (0x04…), zQ3… key or link')
    .argument('<code>', 'contact code (pfs1:…), chat key, zQ3… key or https://status.app/u#… link')
    .option('-m, --message <text>', 'introduction message', 'Hi! Please add me.')
    .option('--peer <multiaddr>', 'send through this status-pfs node')
    .action(async (code: string, opts: { message: string; peer?: string }, cmd: Command) => {
      const c = ctx(cmd)
      const parsed = Messenger.parseContactCode(code.trim())
      const net = await commandNetwork(opts.peer)
      try {
        const acc = await openAccount(c.dataDir, net.network, { autoStart: false })
        const m = acc.m
        try {
          const r = await m.addContact(code.trim(), opts.message)
          const info = m.contacts().find((x) => x.publicKey === parsed.publicKey)
          if (c.json) {
            c.out.line(
              toJson({ ...r, publicKey: parsed.publicKey, name: info?.name, sent: net.online }),
            )
            return
          }
          const level = r.pfs ? c.style.green('pfs') : c.style.yellow('no-pfs (DH header)')
          c.out.line(
            `Contact request to ${c.style.bold(info?.name ?? shortKey(parsed.publicKey))} ` +
              `[${level}], ${r.devices} device(s)` +
              (net.online ? '' : c.style.dim(` — ${OFFLINE_NOTE}`)),
          )
        } finally {
          await acc.close()
        }
      } finally {
        await net.close()
      }
    })

  contact
    .command('list')
    .description('list contacts and pending contact requests')
    .action(async (_opts: unknown, cmd: Command) => {
      const c = ctx(cmd)
      const net = await commandNetwork(undefined)
      const acc = await openAccount(c.dataDir, net.network, { autoStart: false })
      const m = acc.m
      try {
        const contacts = m.contacts()
        const requests = m.contactRequests().filter((r) => r.state === 'pending')
        if (c.json) {
          c.out.line(toJson({ contacts, requests }))
          return
        }
        if (contacts.length === 0 && requests.length === 0) c.out.line('No contacts yet.')
        for (const x of contacts) {
          const level = x.pfs ? c.style.green('pfs') : c.style.yellow('no-pfs')
          c.out.line(`${c.style.bold(x.name)}  ${x.publicKey}  ${x.state}  ${level}`)
        }
        for (const r of requests) {
          c.out.line(
            `${r.direction === 'incoming' ? '→ request from' : '← request to'} ` +
              `${c.style.bold(r.name)}  ${shortKey(r.publicKey)}` +
              (r.text === undefined ? '' : `  "${r.text}"`),
          )
        }
      } finally {
        await acc.close()
      }
    })

  program
    .command('send')
    .description('send a 1:1 message to a contact')
    .argument('<contact>', "contact's chat key, zQ3… key or three-word name")
    .argument('<text>', 'the message')
    .option('--peer <multiaddr>', 'send through this status-pfs node')
    .action(async (ref: string, text: string, opts: { peer?: string }, cmd: Command) => {
      const c = ctx(cmd)
      const net = await commandNetwork(opts.peer)
      try {
        const acc = await openAccount(c.dataDir, net.network, { autoStart: false })
        const m = acc.m
        try {
          const to = findContact(m, ref)
          const r = await m.send(to.publicKey, text)
          if (c.json) {
            c.out.line(toJson({ ...r, to: to.publicKey, sent: net.online }))
            return
          }
          const level = r.pfs ? c.style.green('pfs') : c.style.yellow('no-pfs')
          c.out.line(
            `Sent to ${c.style.bold(to.name)} [${level}], ${r.devices} device(s)` +
              (r.failures.length > 0 ? c.style.red(`, ${r.failures.length} failed`) : '') +
              (net.online ? '' : c.style.dim(` — ${OFFLINE_NOTE}`)),
          )
        } finally {
          await acc.close()
        }
      } finally {
        await net.close()
      }
    })
}
