/**
 * `status-pfs chat --peer MULTIADDR [--with CONTACT]`: the interactive client (issue 7, issue 8).
 * It joins the relay through a `status-pfs node`, fetches what it missed from the node's store,
 * then shows incoming messages, contact requests and pairing requests as they arrive. A line of
 * text is sent to the current chat; lines starting with `/` are commands (`/help`).
 *
 * @module
 */
import { createInterface } from 'node:readline'
import type { Command } from 'commander'
import { emojiHash } from '../../messenger/identity/index.ts'
import type { ContactRequestInfo, Messenger } from '../../messenger/index.ts'
import { Libp2pNetwork } from '../../transport/index.ts'
import { openAccount } from '../account-file.ts'
import type { OpenAccount } from '../account-file.ts'
import type { CliContext } from '../context.ts'
import { findContact } from '../contact-ref.ts'
import { describeError } from '../errors.ts'
import { checkMultiaddr } from '../network.ts'
import { shortKey } from '../present.ts'
import { deviceLines } from './devices.ts'
import { ChatRooms } from './public.ts'

type Ctx = (cmd: Command) => CliContext

/** How often the chat asks the store node for envelopes the relay did not bring. */
const RESYNC_MS = 15_000

const HELP = [
  '/with NAME|KEY     chat with this contact',
  '/add CODE [text]   send a contact request (contact code, 0x04… or zQ3… key)',
  '/accept [NAME]     accept a pending contact request (the latest by default)',
  '/decline [NAME]    decline one',
  '/contacts          list contacts',
  '/devices           our devices; /pair ID confirms a new one',
  '/verify            both emoji hashes, to compare out of band',
  '/code              our contact code',
  '/sync              fetch missed messages from the store node',
  '/join NAME         join a public chat (typed lines go there until /with)',
  '/leave [NAME]      leave a public chat',
  '/quit              leave',
]

export function registerChat(program: Command, ctx: Ctx): void {
  program
    .command('chat')
    .description('interactive chat through a status-pfs node (type to send, /help for commands)')
    .requiredOption('--peer <multiaddr>', 'the status-pfs node to connect to')
    .option('--with <contact>', 'start in the chat with this contact')
    .action(async (opts: { peer: string; with?: string }, cmd: Command) => {
      const c = ctx(cmd)
      checkMultiaddr(opts.peer, '--peer', true)
      const net = await Libp2pNetwork.create({
        listen: ['/ip4/127.0.0.1/tcp/0'],
        bootstrap: [opts.peer],
        storePeers: [opts.peer],
      })
      let acc: OpenAccount | undefined
      try {
        acc = await openAccount(c.dataDir, net, { storeNodes: [opts.peer] })
        await new Chat(c, acc.m, net).run(opts.with)
      } finally {
        await acc?.close()
        await net.close()
      }
    })
}

class Chat {
  readonly #c: CliContext
  readonly #m: Messenger
  readonly #net: Libp2pNetwork
  #peer: string | undefined
  readonly #pending: ContactRequestInfo[] = []
  readonly #rooms: ChatRooms
  #print: (line: string) => void

  constructor(c: CliContext, m: Messenger, net: Libp2pNetwork) {
    this.#c = c
    this.#m = m
    this.#net = net
    this.#print = (line) => {
      c.out.line(line)
    }
    this.#rooms = new ChatRooms(c, m, (line) => {
      this.#print(line)
    })
  }

  async run(withRef: string | undefined): Promise<void> {
    const { style } = this.#c
    const m = this.#m
    this.#print(`${style.bold(m.name)} ${m.emojiHash}`)
    this.#print(style.dim(`${m.publicKey}  installation ${m.installationId}`))
    try {
      // In the relay mesh, not merely connected: until then the node would not forward to us.
      await this.#net.waitForPeers(1, { mesh: true, timeoutMs: 15_000 })
      this.#print(style.dim('connected to the node'))
    } catch {
      this.#print(style.yellow('no peer yet; messages will be sent once the node answers'))
    }
    this.#listen()
    try {
      const r = await m.sync()
      if (r.fetched > 0) this.#print(style.dim(`synced: ${r.delivered} new from the store node`))
    } catch (e) {
      this.#print(style.yellow(`sync: ${describeError(e).message}`))
    }
    for (const r of m.contactRequests()) {
      if (r.direction === 'incoming' && r.state === 'pending') {
        this.#pending.push(r)
        this.#print(`${style.magenta('contact request')} from ${style.bold(r.name)}: /accept`)
      }
    }
    if (withRef !== undefined) this.#peer = findContact(m, withRef).publicKey
    else this.#peer = m.contacts().find((x) => x.state === 'mutual')?.publicKey
    if (this.#peer !== undefined) this.#showHistory()
    this.#print(style.dim('type a message, or /help'))
    // Relay delivery is best effort: ask the store node now and then for anything missed.
    const timer = setInterval(() => {
      m.sync().catch(() => undefined)
      this.#rooms.sync().catch(() => undefined)
    }, RESYNC_MS)
    try {
      await this.#loop()
    } finally {
      clearInterval(timer)
      this.#rooms.close()
    }
  }

  #listen(): void {
    const { style } = this.#c
    const m = this.#m
    m.on('message', (msg) => {
      if (msg.outgoing) {
        this.#print(style.dim(`(me on another device) ${msg.text}`))
        return
      }
      const who = m.contacts().find((x) => x.publicKey === msg.from)?.name ?? shortKey(msg.from)
      this.#peer ??= msg.from
      const lock = msg.pfs ? style.green('🔒') : style.yellow('🔓')
      this.#print(`${lock} ${style.bold(who)}: ${msg.text}`)
    })
    m.on('contactRequest', (r) => {
      this.#pending.push(r)
      const level = r.pfs ? style.green('pfs') : style.yellow('no-pfs')
      this.#print(
        `${style.magenta('contact request')} from ${style.bold(r.name)} [${level}]` +
          (r.text === undefined ? '' : `: "${r.text}"`) +
          style.dim('  (/accept or /decline)'),
      )
    })
    m.on('contactAccepted', (e) => {
      const who =
        m.contacts().find((x) => x.publicKey === e.publicKey)?.name ?? shortKey(e.publicKey)
      this.#peer ??= e.publicKey
      this.#print(
        `${style.green('✓')} ${style.bold(who)} accepted` +
          (e.pfs ? style.green(' — chat is now PFS') : ''),
      )
    })
    m.on('deviceAdded', (d) => {
      if (d.own) {
        this.#print(
          `${style.magenta('new device')} of ours: ${d.name ?? '?'} ${d.installationId}` +
            style.dim(`  (/pair ${d.installationId} to confirm)`),
        )
      } else if (m.peerDevices(d.publicKey).length > 1) {
        // A contact's first device is the contact itself; only later ones are news.
        this.#print(
          style.dim(`contact ${shortKey(d.publicKey)} has a new device ${d.installationId}`),
        )
      }
    })
    m.on('decryptionFailed', (e) => {
      this.#print(
        style.yellow(
          `could not decrypt a message from ${shortKey(e.from)} (${e.code}); re-establishing`,
        ),
      )
      e.reestablish().catch((err: unknown) => {
        this.#print(style.red(`re-establish failed: ${describeError(err).message}`))
      })
    })
    m.on('error', (e) => {
      this.#print(style.red(`${e.code}: ${e.message}`))
    })
  }

  #showHistory(): void {
    const peer = this.#peer
    if (peer === undefined) return
    const name = this.#m.contacts().find((x) => x.publicKey === peer)?.name ?? shortKey(peer)
    this.#print(this.#c.style.cyan(`— chat with ${name} —`))
    for (const msg of this.#m.messages(peer, { limit: 20 })) {
      this.#print(`${msg.outgoing ? 'me' : this.#c.style.bold(name)}: ${msg.text}`)
    }
  }

  async #loop(): Promise<void> {
    const rl = createInterface({
      input: process.stdin,
      output: process.stdout,
      terminal: process.stdin.isTTY && process.stdout.isTTY,
    })
    if (process.stdout.isTTY) {
      this.#print = (line) => {
        process.stdout.write('\r\u001b[K')
        this.#c.out.line(line)
        rl.prompt(true)
      }
      rl.setPrompt('> ')
      rl.prompt()
    }
    try {
      for await (const raw of rl) {
        const line = raw.trim()
        if (line === '') continue
        try {
          if (line.startsWith('/')) {
            if (!(await this.#command(line))) break
          } else {
            await this.#send(line)
          }
        } catch (e) {
          this.#print(this.#c.style.red(describeError(e).message))
        }
        if (process.stdout.isTTY) rl.prompt()
      }
    } finally {
      rl.close()
    }
  }

  async #send(text: string): Promise<void> {
    if (this.#rooms.current !== undefined) {
      await this.#rooms.send(text)
      return
    }
    if (this.#peer === undefined) {
      this.#print(this.#c.style.yellow('no chat selected: /with NAME, or /add CODE first'))
      return
    }
    const r = await this.#m.send(this.#peer, text)
    const level = r.pfs ? 'pfs' : 'no-pfs'
    this.#print(this.#c.style.dim(`sent (${level}, ${r.devices} device(s))`))
  }

  /** Runs one slash command; false means quit. */
  async #command(line: string): Promise<boolean> {
    const { style } = this.#c
    const m = this.#m
    const [name = '', ...rest] = line.slice(1).split(/\s+/)
    const arg = rest.join(' ')
    switch (name) {
      case 'quit':
      case 'exit':
        return false
      case 'join':
        await this.#rooms.join(arg)
        return true
      case 'leave':
        this.#rooms.leave(arg)
        return true
      case 'help':
        for (const h of HELP) this.#print(h)
        return true
      case 'with':
        this.#peer = findContact(m, arg).publicKey
        this.#rooms.deselect()
        this.#showHistory()
        return true
      case 'add': {
        const [code = '', ...words] = rest
        const r = await m.addContact(code, words.length > 0 ? words.join(' ') : 'Hi!')
        this.#print(`contact request sent [${r.pfs ? style.green('pfs') : style.yellow('no-pfs')}]`)
        return true
      }
      case 'accept':
      case 'decline': {
        const r = this.#pickRequest(arg)
        if (r === undefined) {
          this.#print(style.yellow('no pending contact request'))
          return true
        }
        if (name === 'accept') {
          await m.acceptContact(r.publicKey)
          this.#peer = r.publicKey
          // The acceptance carries our bundle and theirs came with the request: say so here too.
          const pfs = m.contacts().find((x) => x.publicKey === r.publicKey)?.pfs === true
          this.#print(
            `${style.green('accepted')} ${style.bold(r.name)}; now chatting with them` +
              (pfs ? style.green(' — chat is now PFS') : ''),
          )
        } else {
          await m.declineContact(r.publicKey)
          this.#print(`declined ${r.name}`)
        }
        this.#pending.splice(this.#pending.indexOf(r), 1)
        return true
      }
      case 'contacts':
        for (const x of m.contacts()) {
          this.#print(
            `${style.bold(x.name)} ${shortKey(x.publicKey)} ${x.state} ${x.pfs ? 'pfs' : 'no-pfs'}`,
          )
        }
        return true
      case 'devices':
        for (const l of deviceLines(style, m.devices())) this.#print(l)
        if (this.#peer !== undefined) {
          this.#print(style.dim('their devices:'))
          for (const l of deviceLines(style, m.peerDevices(this.#peer))) this.#print(l)
        }
        return true
      case 'pair':
        await m.enableDevice(arg)
        this.#print(style.green(`paired ${arg}`))
        return true
      case 'verify': {
        this.#print(`you:  ${style.bold(m.name)}  ${m.emojiHash}`)
        if (this.#peer !== undefined) {
          const them = m.contacts().find((x) => x.publicKey === this.#peer)
          this.#print(`them: ${style.bold(them?.name ?? '?')}  ${emojiHash(this.#peer).join('')}`)
        }
        this.#print(style.dim('compare these over another channel (in person, a call)'))
        return true
      }
      case 'code':
        this.#print(m.contactCode())
        return true
      case 'sync': {
        const r = await m.sync()
        this.#print(`fetched ${r.fetched}, delivered ${r.delivered}, failed ${r.failed}`)
        return true
      }
      default:
        this.#print(style.yellow(`unknown command /${name} (see /help)`))
        return true
    }
  }

  #pickRequest(ref: string): ContactRequestInfo | undefined {
    if (ref === '') return this.#pending[this.#pending.length - 1]
    const want = ref.toLowerCase()
    return this.#pending.find(
      (r) => r.name.toLowerCase().startsWith(want) || r.publicKey.toLowerCase() === want,
    )
  }
}
