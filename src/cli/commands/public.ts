/**
 * `status-pfs public join NAME --peer MULTIADDR`: a named public chat (whitepaper §2.3 "public
 * chats"; PROTOCOL.md §11; issue 12). It prints the chat's history from the node's store, then
 * live messages; each line read from standard input is posted. Every message carries its
 * author's signed bundle, so a 1:1 with anyone seen here later starts with PFS. End of input,
 * `/quit`, SIGINT or SIGTERM leave.
 *
 * @module
 */
import { createInterface } from 'node:readline'
import type { Command } from 'commander'
import { PublicChats, publicChatName } from '../../messenger/index.ts'
import type { Messenger, PublicChatMessage } from '../../messenger/index.ts'
import { threeWordName } from '../../messenger/identity/index.ts'
import { Libp2pNetwork } from '../../transport/index.ts'
import { openAccount } from '../account-file.ts'
import type { OpenAccount } from '../account-file.ts'
import type { CliContext } from '../context.ts'
import { CliError, describeError } from '../errors.ts'
import { checkMultiaddr } from '../network.ts'
import type { Style } from '../style.ts'

type Ctx = (cmd: Command) => CliContext

/** How long the node is kept after the last post, so that it leaves the process. */
const LINGER_MS = 1500

/** One public message as a terminal line: `#chat name: text`. */
export function publicMessageLine(style: Style, m: PublicChatMessage): string {
  const who = m.outgoing ? 'me' : style.bold(threeWordName(m.from))
  return `${style.cyan(`#${m.chat}`)} ${who}: ${m.text}`
}

/** One public message for `--json` (one object per line, so a script can follow the chat). */
export function publicMessageJson(m: PublicChatMessage): string {
  return JSON.stringify({
    chat: m.chat,
    id: m.id,
    from: m.from,
    name: threeWordName(m.from),
    outgoing: m.outgoing,
    text: m.text,
    sentAt: m.sentAt,
  })
}

export function registerPublic(program: Command, ctx: Ctx): void {
  const pub = program
    .command('public')
    .description('public chats: named rooms anyone can join (messages carry the sender’s bundle)')
  pub
    .command('join')
    .description(
      'join a public chat: prints its history from the node, then live messages; stdin lines are posted',
    )
    .argument('<name>', 'the chat name, e.g. status (a leading # is ignored)')
    .requiredOption('--peer <multiaddr>', 'the status-pfs node to connect to')
    .option('--since <hours>', 'how much history to fetch from the store node', '24')
    .action(async (name: string, opts: { peer: string; since: string }, cmd: Command) => {
      const c = ctx(cmd)
      checkMultiaddr(opts.peer, '--peer', true)
      const hours = Number(opts.since)
      if (!Number.isFinite(hours) || hours < 0 || hours > 30 * 24) {
        throw new CliError('INVALID_ARGUMENT', '--since expects a number of hours from 0 to 720')
      }
      const net = await Libp2pNetwork.create({
        listen: ['/ip4/127.0.0.1/tcp/0'],
        bootstrap: [opts.peer],
        storePeers: [opts.peer],
      })
      let acc: OpenAccount | undefined
      let pc: PublicChats | undefined
      try {
        acc = await openAccount(c.dataDir, net, { autoStart: false, storeNodes: [opts.peer] })
        pc = new PublicChats({ network: net, store: acc.store })
        await runPublic(c, net, pc, name, hours)
        await new Promise((resolve) => setTimeout(resolve, LINGER_MS))
      } finally {
        pc?.close()
        await acc?.close()
        await net.close()
      }
    })
}

async function runPublic(
  c: CliContext,
  net: Libp2pNetwork,
  pc: PublicChats,
  rawName: string,
  hours: number,
): Promise<void> {
  const { style } = c
  const name = pc.join(rawName)
  const print = (m: PublicChatMessage): void => {
    c.out.line(c.json ? publicMessageJson(m) : publicMessageLine(style, m))
  }
  const note = (text: string): void => {
    // Status lines go to stderr with --json, so that stdout stays one message per line.
    if (c.json) process.stderr.write(`${text}\n`)
    else c.out.line(style.dim(text))
  }
  try {
    await net.waitForPeers(1, { mesh: true, timeoutMs: 15_000 })
  } catch {
    note('no peer yet; posts will go out once the node answers')
  }
  try {
    await pc.sync({ sinceSeconds: Math.round(hours * 3600) })
  } catch (e) {
    note(`history: ${describeError(e).message}`)
  }
  if (!c.json) c.out.line(style.green(`joined #${name}`))
  for (const m of pc.messages(name)) print(m)
  pc.on('message', print)
  pc.on('error', (e) => {
    note(`${e.code}: ${e.message}`)
  })
  note('type a message to post it; end of input or /quit leaves')
  const rl = createInterface({ input: process.stdin, terminal: false })
  const stop = (): void => {
    rl.close()
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  try {
    for await (const raw of rl) {
      const line = raw.trim()
      if (line === '') continue
      if (line === '/quit' || line === '/exit') break
      try {
        print(await pc.send(name, line))
      } catch (e) {
        note(`not sent: ${describeError(e).message}`)
      }
    }
  } finally {
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
    rl.close()
  }
}

/**
 * The public chats of the interactive `status-pfs chat` (its `/join NAME`, `/leave`): one
 * `PublicChats` on the messenger's own store and network, made on the first `/join`. While a
 * public chat is selected, typed lines are posted there; `/with` selects a 1:1 chat again.
 */
export class ChatRooms {
  readonly #c: CliContext
  readonly #m: Messenger
  readonly #print: (line: string) => void
  #pc: PublicChats | undefined
  #current: string | undefined

  constructor(c: CliContext, m: Messenger, print: (line: string) => void) {
    this.#c = c
    this.#m = m
    this.#print = print
  }

  /** The selected public chat, if any. */
  get current(): string | undefined {
    return this.#current
  }

  /** Joins `name`, fetches its last day from the store node, shows the last 20 and selects it. */
  async join(rawName: string): Promise<void> {
    const { style } = this.#c
    const pc = this.#chats()
    const name = pc.join(rawName)
    try {
      await pc.sync()
    } catch (e) {
      this.#print(style.yellow(`history: ${describeError(e).message}`))
    }
    this.#current = name
    this.#print(style.cyan(`— #${name} (public: anyone who knows the name can read it) —`))
    for (const m of pc.messages(name, { limit: 20 })) this.#print(publicMessageLine(style, m))
  }

  /** Leaves `name` (default: the selected chat). */
  leave(rawName: string): void {
    const name = rawName === '' ? this.#current : publicChatName(rawName)
    if (name === undefined || this.#pc === undefined) {
      this.#print(this.#c.style.yellow('not in a public chat'))
      return
    }
    this.#pc.leave(name)
    if (this.#current === name) this.#current = undefined
    this.#print(this.#c.style.dim(`left #${name}`))
  }

  /** Selects a 1:1 chat again: typed lines no longer go to the public chat. */
  deselect(): void {
    this.#current = undefined
  }

  async send(text: string): Promise<void> {
    const name = this.#current
    if (name === undefined || this.#pc === undefined) return
    await this.#pc.send(name, text)
    this.#print(this.#c.style.dim(`posted to #${name}`))
  }

  /** Fetches what the relay did not bring (the chat's periodic resync). */
  async sync(): Promise<void> {
    await this.#pc?.sync({ sinceSeconds: 3600 })
  }

  close(): void {
    this.#pc?.close()
    this.#pc = undefined
  }

  #chats(): PublicChats {
    if (this.#pc !== undefined) return this.#pc
    const pc = new PublicChats({ network: this.#m.network, store: this.#m.store })
    pc.on('message', (msg) => {
      this.#print(publicMessageLine(this.#c.style, msg))
    })
    pc.on('error', (e) => {
      this.#print(this.#c.style.red(`${e.code}: ${e.message}`))
    })
    this.#pc = pc
    return pc
  }
}
