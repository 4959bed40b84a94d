/**
 * `npm run bench -- network`: the libp2p network (TRANSPORT.md §3, §4.2) on loopback. Three
 * Libp2pNetwork nodes in a line, sender → relay/store → receiver, where the middle node runs in a
 * child process (so every message crosses two real TCP hops and a process boundary; sender and
 * receiver share this process so that latency is read on one clock). Measures relayed messages
 * per second (200-byte payloads, publish as fast as accepted), one-at-a-time latency p50/p99, and
 * store v3 queries per second (20-entry pages, receiver → store node). Per-peer rate limits are
 * raised for the run: with the defaults (200/s per peer, burst 400) the relay would cap the
 * sender. Writes bench/results/network.md with the machine line.
 */
import { spawn } from 'node:child_process'
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

/** The child: a relay + store node; prints its multiaddr, exits when stdin closes. */
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

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

export default async function main(args: string[]): Promise<void> {
  if (args.includes('--relay')) return relay()
  const quick = args.includes('--quick')
  const runFile = fileURLToPath(new URL('./run.ts', import.meta.url))
  const child = spawn(process.execPath, ['--import', 'tsx', runFile, 'network', '--relay'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const addr = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve)
    child.once('exit', () => reject(new Error('relay process exited')))
  })
  const opts = {
    listen: LOOPBACK,
    bootstrap: [addr],
    peerRate: UNLIMITED,
    heartbeatIntervalMs: 200,
  }
  const sender = await Libp2pNetwork.create({ ...opts, storePeers: [addr] })
  const receiver = await Libp2pNetwork.create({ ...opts, storePeers: [addr] })
  try {
    await sender.waitForPeers(1)
    await receiver.waitForPeers(1)
    if (sender.peers().includes(receiver.peerId)) throw new Error('sender and receiver connected')
    const arrivals = new Map<number, number>()
    receiver.subscribe([topic], (e: Envelope) => {
      arrivals.set(new DataView(e.data.buffer, e.data.byteOffset).getUint32(0), performance.now())
    })
    const make = (i: number): Envelope => {
      const data = new Uint8Array(200).fill(1)
      new DataView(data.buffer).setUint32(0, i)
      return createEnvelope({ topic, data, ttl: 600 })
    }
    const waitFor = async (pred: () => boolean, ms: number): Promise<void> => {
      const end = Date.now() + ms
      while (!pred() && Date.now() < end) await new Promise((r) => setTimeout(r, 1))
    }

    // Warm-up.
    for (let i = 0; i < 50; i++) await sender.publish(make(1_000_000 + i))
    await waitFor(() => arrivals.size >= 50, 5000)

    // Throughput.
    const n = quick ? 1000 : 5000
    const t0 = performance.now()
    for (let i = 0; i < n; i++) await sender.publish(make(i))
    await waitFor(() => [...arrivals.keys()].filter((k) => k < n).length >= n, 60_000)
    const got = [...arrivals.keys()].filter((k) => k < n).length
    const last = Math.max(...[...arrivals.entries()].filter(([k]) => k < n).map(([, t]) => t))
    const throughput = (got * 1000) / (last - t0)

    // Latency, one message in flight.
    const lat: number[] = []
    const m = quick ? 100 : 500
    for (let i = 0; i < m; i++) {
      const id = 2_000_000 + i
      const s = performance.now()
      await sender.publish(make(id))
      await waitFor(() => arrivals.has(id), 5000)
      if (arrivals.has(id)) lat.push(arrivals.get(id)! - s)
    }
    lat.sort((a, b) => a - b)

    // Store queries: 20-entry pages out of everything stored.
    const now = Math.floor(Date.now() / 1000)
    const q = { topics: [topic], from: 0, to: now + 10, limit: 20 }
    for (let i = 0; i < 20; i++) await receiver.history(q)
    const qn = quick ? 200 : 1000
    const q0 = performance.now()
    for (let i = 0; i < qn; i++) await receiver.history(q)
    const qps = (qn * 1000) / (performance.now() - q0)

    const rows = [
      [
        'relay throughput (200 B payload, 2 hops)',
        `${fmt(throughput)} msg/s`,
        `${got}/${n} delivered`,
      ],
      [
        'relay latency p50 (one in flight)',
        `${lat.length > 0 ? percentile(lat, 50).toFixed(2) : '-'} ms`,
        `${lat.length}/${m} delivered`,
      ],
      [
        'relay latency p99 (one in flight)',
        `${lat.length > 0 ? percentile(lat, 99).toFixed(2) : '-'} ms`,
        '',
      ],
      [
        'store v3 queries (20-entry pages, memory store)',
        `${fmt(qps)} queries/s`,
        `${qn} sequential`,
      ],
    ]
    printTable(['measure', 'value', 'note'], rows)
    const header = '| measure | value | note |\n|---|---|---|\n'
    const md = `# Network benchmarks

Generated by \`npm run bench -- network${quick ? ' --quick' : ''}\`. Three Libp2pNetwork nodes on
127.0.0.1 in a line, sender → relay+store → receiver, over TCP (noise, yamux, gossipsub as Waku
relay). The middle node runs in its own process; sender and receiver share the bench process so
latency is read on one clock (2 processes, 3 nodes). Per-peer rate limits raised for the run.

Machine: ${machine()}

${header}${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}
`
    const out = fileURLToPath(new URL('./results/', import.meta.url))
    mkdirSync(out, { recursive: true })
    writeFileSync(join(out, 'network.md'), md)
  } finally {
    await Promise.allSettled([sender.close(), receiver.close()])
    child.stdin.end()
  }
}
