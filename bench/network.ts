/**
 * `npm run bench -- network`: the libp2p network (TRANSPORT.md §3, §4.2) on loopback, as issue 8
 * asks: a relay chain of three processes, sender → relay/store → receiver, each a Libp2pNetwork in
 * its own process (this one sends; two children relay+store and receive), so every message
 * crosses two real TCP hops and two process boundaries. Sender and receiver are not connected to
 * each other. Measures relayed messages per second (200-byte payloads, published as fast as
 * accepted), one-at-a-time latency p50/p99, and store v3 queries per second (20-entry pages,
 * sender → store node). Latency is read across processes on the host's wall clock at
 * sub-millisecond resolution (`performance.timeOrigin + performance.now()` in both processes).
 * Per-peer rate limits are raised for the run: with the defaults (200/s per peer, burst 400) the
 * relay would cap the sender. Writes bench/results/network.md with the machine line.
 */
import { spawn } from 'node:child_process'
import type { ChildProcessByStdio } from 'node:child_process'
import type { Readable, Writable } from 'node:stream'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { MemoryEnvelopeStore, createEnvelope, topicFromName } from '../src/transport/index.ts'
import type { Envelope } from '../src/transport/index.ts'
import { Libp2pNetwork } from '../src/transport/libp2p/libp2p-network.ts'
import { fmt, machine, printTable } from './harness.ts'

const topic = topicFromName('bench-network')
const LOOPBACK = ['/ip4/127.0.0.1/tcp/0']
const UNLIMITED = { rate: 1e9, burst: 1e9 }

/** Milliseconds since the epoch, sub-millisecond, comparable between processes on one host. */
const wallNow = (): number => performance.timeOrigin + performance.now()

const idOf = (e: Envelope): number => new DataView(e.data.buffer, e.data.byteOffset).getUint32(0)

/** The relay child: a relay + store node; prints its multiaddr, exits when stdin closes. */
async function relay(): Promise<void> {
  const net = await Libp2pNetwork.create({
    listen: LOOPBACK,
    store: new MemoryEnvelopeStore(),
    peerRate: UNLIMITED,
    storeRate: 1e9,
    heartbeatIntervalMs: 200,
  })
  process.stdout.write(`${net.multiaddrs[0]!}\n`)
  process.stdin.resume()
  process.stdin.on('end', () => {
    void net.close().then(() => process.exit(0))
  })
}

/**
 * The receiver child: bootstraps from the relay only, records each arrival's wall-clock time and
 * answers one request per stdin line: `count LO HI MS` (waits up to MS for every id in [LO, HI),
 * answers `got lastArrival`) and `at ID MS` (waits for one id, answers its arrival or -1).
 */
async function receiver(addr: string): Promise<void> {
  const net = await Libp2pNetwork.create({
    listen: LOOPBACK,
    bootstrap: [addr],
    peerRate: UNLIMITED,
    heartbeatIntervalMs: 200,
  })
  const arrivals = new Map<number, number>()
  net.subscribe([topic], (e) => {
    arrivals.set(idOf(e), wallNow())
  })
  await net.waitForPeers(1)
  process.stdout.write(`${net.peerId}\n`)
  const waitFor = async (pred: () => boolean, ms: number): Promise<void> => {
    const end = Date.now() + ms
    while (!pred() && Date.now() < end) await new Promise((r) => setTimeout(r, 1))
  }
  let queue = Promise.resolve()
  const rl = createInterface({ input: process.stdin })
  rl.on('line', (line) => {
    const [cmd, ...nums] = line.split(' ')
    const [x = 0, y = 0, z = 0] = nums.map(Number)
    queue = queue.then(async () => {
      if (cmd === 'count') {
        const got = (): number[] => [...arrivals].filter(([k]) => k >= x && k < y).map(([, t]) => t)
        await waitFor(() => got().length >= y - x, z)
        const times = got()
        process.stdout.write(`${String(times.length)} ${String(Math.max(0, ...times))}\n`)
      } else {
        await waitFor(() => arrivals.has(x), y)
        process.stdout.write(`${String(arrivals.get(x) ?? -1)}\n`)
      }
    })
  })
  rl.on('close', () => {
    void queue.then(() => net.close()).then(() => process.exit(0))
  })
}

/** A child process of this benchmark, asked one line at a time. */
class Child {
  readonly #proc: ChildProcessByStdio<Writable, Readable, null>
  readonly #lines: string[] = []
  readonly #waiters: {
    resolve: (line: string) => void
    reject: (e: Error) => void
  }[] = []
  #exited = false

  constructor(args: readonly string[]) {
    const runFile = fileURLToPath(new URL('./run.ts', import.meta.url))
    this.#proc = spawn(process.execPath, ['--import', 'tsx', runFile, 'network', ...args], {
      stdio: ['pipe', 'pipe', 'inherit'],
    })
    createInterface({ input: this.#proc.stdout }).on('line', (line) => {
      const w = this.#waiters.shift()
      if (w !== undefined) w.resolve(line)
      else this.#lines.push(line)
    })
    this.#proc.once('exit', () => {
      this.#exited = true
      for (const w of this.#waiters.splice(0)) w.reject(new Error('bench child exited'))
    })
  }

  /** The next line the child prints. */
  line(): Promise<string> {
    const l = this.#lines.shift()
    if (l !== undefined) return Promise.resolve(l)
    if (this.#exited) return Promise.reject(new Error('bench child exited'))
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }))
  }

  ask(request: string): Promise<string> {
    this.#proc.stdin.write(`${request}\n`)
    return this.line()
  }

  end(): void {
    this.#proc.stdin.end()
  }
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

export default async function main(args: string[]): Promise<void> {
  if (args.includes('--relay')) return relay()
  const r = args.indexOf('--receiver')
  if (r >= 0) return receiver(args[r + 1]!)
  const quick = args.includes('--quick')
  const relayChild = new Child(['--relay'])
  let receiverChild: Child | undefined
  let sender: Libp2pNetwork | undefined
  try {
    const addr = await relayChild.line()
    receiverChild = new Child(['--receiver', addr])
    sender = await Libp2pNetwork.create({
      listen: LOOPBACK,
      bootstrap: [addr],
      storePeers: [addr],
      peerRate: UNLIMITED,
      heartbeatIntervalMs: 200,
    })
    const receiverId = await receiverChild.line()
    await sender.waitForPeers(1)
    if (sender.peers().includes(receiverId)) throw new Error('sender and receiver connected')
    const rx = receiverChild
    const net = sender
    const make = (i: number): Envelope => {
      const data = new Uint8Array(200).fill(1)
      new DataView(data.buffer).setUint32(0, i)
      return createEnvelope({ topic, data, ttl: 600 })
    }

    // Warm-up.
    for (let i = 0; i < 50; i++) await net.publish(make(1_000_000 + i))
    await rx.ask(`count 1000000 1000050 5000`)

    // Throughput.
    const n = quick ? 1000 : 5000
    const t0 = wallNow()
    for (let i = 0; i < n; i++) await net.publish(make(i))
    const [got = 0, last = 0] = (await rx.ask(`count 0 ${String(n)} 60000`)).split(' ').map(Number)
    const throughput = (got * 1000) / (last - t0)

    // Latency, one message in flight.
    const lat: number[] = []
    const m = quick ? 100 : 500
    for (let i = 0; i < m; i++) {
      const id = 2_000_000 + i
      const s = wallNow()
      await net.publish(make(id))
      const at = Number(await rx.ask(`at ${String(id)} 5000`))
      if (at >= 0) lat.push(at - s)
    }
    lat.sort((a, b) => a - b)

    // Store queries: 20-entry pages out of everything stored.
    const now = Math.floor(Date.now() / 1000)
    const q = { topics: [topic], from: 0, to: now + 10, limit: 20 }
    for (let i = 0; i < 20; i++) await net.history(q)
    const qn = quick ? 200 : 1000
    const q0 = performance.now()
    for (let i = 0; i < qn; i++) await net.history(q)
    const qps = (qn * 1000) / (performance.now() - q0)

    const rows = [
      [
        'relay throughput (200 B payload, 2 hops)',
        `${fmt(throughput)} msg/s`,
        `${String(got)}/${String(n)} delivered`,
      ],
      [
        'relay latency p50 (one in flight)',
        `${lat.length > 0 ? percentile(lat, 50).toFixed(2) : '-'} ms`,
        `${String(lat.length)}/${String(m)} delivered`,
      ],
      [
        'relay latency p99 (one in flight)',
        `${lat.length > 0 ? percentile(lat, 99).toFixed(2) : '-'} ms`,
        '',
      ],
      [
        'store v3 queries (20-entry pages, memory store)',
        `${fmt(qps)} queries/s`,
        `${String(qn)} sequential`,
      ],
    ]
    printTable(['measure', 'value', 'note'], rows)
    const header = '| measure | value | note |\n|---|---|---|\n'
    const md = `# Network benchmarks

Generated by \`npm run bench -- network${quick ? ' --quick' : ''}\`. A relay chain of three
processes on 127.0.0.1, sender → relay+store → receiver, each a Libp2pNetwork node over TCP
(noise, yamux, gossipsub as Waku relay); sender and receiver are connected to the middle node
only. Latency is read across processes on the host's wall clock (sub-millisecond). Store queries
go from the sender to the store node. Per-peer rate limits raised for the run.

Machine: ${machine()}

${header}${rows.map((row) => `| ${row.join(' | ')} |`).join('\n')}
`
    const out = fileURLToPath(new URL('./results/', import.meta.url))
    mkdirSync(out, { recursive: true })
    writeFileSync(join(out, 'network.md'), md)
  } finally {
    await sender?.close()
    receiverChild?.end()
    relayChild.end()
  }
}
