/**
 * Catch-up benchmark (`npm run bench -- catchup [--quick]`, issue 9 "Persisted variants"): a device
 * that was away fetches what it missed from a store node. Bob (on `SqliteStore`, a temporary file,
 * WAL, synchronous=NORMAL) has three mutual contacts (on `MemoryStore`); he goes offline, they send
 * him 10,000 messages of 100 B between them (Double Ratchet sessions already established), which
 * only the store node keeps; then Bob opens his store again and `Messenger.sync()` runs until every
 * message is fetched, decrypted and stored. The network is the in-process `MemoryNetwork`, so the
 * time is the receiving stack's: envelope checks and opening, `Protocol.handle`, the application
 * message, the store writes.
 *
 * `--profile FILE` writes a V8 CPU profile of the timed `sync()` calls only (open it in Chrome
 * DevTools, or read its top frames with a script).
 *
 * Reports the sync time (wall and process CPU), messages per second, and whether all messages were
 * stored; writes `bench/results/catchup.md` with the machine line.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Messenger } from '../src/messenger/index.ts'
import { MemoryStore, SqliteStore } from '../src/store/index.ts'
import { MemoryEnvelopeStore, MemoryNetwork } from '../src/transport/index.ts'
import { fmt, machine, median, printTable } from './harness.ts'

const TEXT = 'a'.repeat(100)
const PEERS = ['alice', 'carol', 'dave'] as const

async function settle(net: MemoryNetwork): Promise<void> {
  for (let i = 0; i < 6; i++) {
    await new Promise((r) => setImmediate(r))
    await net.flush()
  }
}

interface Run {
  readonly wallMs: number
  readonly cpuMs: number
  readonly delivered: number
  readonly stored: number
}

/** The inspector's CPU profiler around the timed part, when `--profile` asks for it. */
class Profiler {
  readonly #session: Session | undefined
  #profile: unknown

  constructor(enabled: boolean) {
    if (!enabled) return
    this.#session = new Session()
    this.#session.connect()
  }

  #post(method: string): Promise<unknown> {
    const session = this.#session
    if (session === undefined) return Promise.resolve(undefined)
    return new Promise((resolve, reject) => {
      session.post(method, (err, res) => {
        if (err === null) resolve(res)
        else reject(err)
      })
    })
  }

  async start(): Promise<void> {
    await this.#post('Profiler.enable')
    await this.#post('Profiler.start')
  }

  async stop(): Promise<void> {
    const res = (await this.#post('Profiler.stop')) as { profile?: unknown } | undefined
    if (res?.profile !== undefined) this.#profile = res.profile
  }

  write(file: string | undefined): void {
    if (file !== undefined && this.#profile !== undefined) {
      writeFileSync(file, JSON.stringify(this.#profile))
    }
    this.#session?.disconnect()
  }
}

/** One full scenario; only `sync()` is timed. */
async function run(dir: string, total: number, tag: string, profiler: Profiler): Promise<Run> {
  const net = new MemoryNetwork({ seed: 9 })
  // The store node keeps envelopes 30 days past their TTL, as store nodes do (TRANSPORT.md).
  net.attachStore('store', new MemoryEnvelopeStore({ minRetention: 30 * 24 * 60 * 60 }))
  const clock = (): number => net.clock.now()
  const path = join(dir, `bob-${tag}.sqlite`)
  const bobStore = SqliteStore.open(path)
  const bob = await Messenger.create({ network: net.node('bob'), store: bobStore, clock })
  const peers: Messenger[] = []
  for (const name of PEERS) {
    // No proof of work on the peers' envelopes (setup time only): Bob takes theirs from the
    // store node, which asks for none (TRANSPORT.md), never live.
    const m = await Messenger.create({
      network: net.node(name),
      store: new MemoryStore(),
      clock,
      minPow: 0,
    })
    await settle(net)
    await m.addContact(bob.contactCode(), 'hi')
    await settle(net)
    await bob.sync()
    await bob.acceptContact(m.publicKey)
    await settle(net)
    // A first message each way, so that the queued ones travel in confirmed sessions.
    await m.send(bob.publicKey, 'ready')
    await settle(net)
    await bob.sync()
    await bob.send(m.publicKey, 'go')
    await settle(net)
    peers.push(m)
  }
  const before = bobStore.countMessages()
  if (before !== 3 * PEERS.length)
    throw new Error(`setup: ${String(before)} messages stored, not ${String(3 * PEERS.length)}`)
  await bob.close()
  net.setOnline('bob', false)
  // Ten messages a second: the store node orders by send second, then by hash, so each peer's
  // messages of one second come back shuffled (a few skipped message keys, as in real traffic).
  for (let i = 0; i < total; i++) {
    await peers[i % peers.length]!.send(bob.publicKey, TEXT)
    if (i % 10 === 9) await net.advance(1000)
  }
  await settle(net)
  for (const p of peers) await p.close()
  net.setOnline('bob', true)
  const again = await Messenger.open({
    network: net.node('bob'),
    store: bobStore,
    clock,
    autoStart: false,
  })
  await profiler.start()
  const c0 = process.cpuUsage()
  const t0 = process.hrtime.bigint()
  const res = await again.sync()
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6
  const c = process.cpuUsage(c0)
  await profiler.stop()
  const stored = bobStore.countMessages() - before
  await again.close()
  bobStore.close()
  return { wallMs, cpuMs: (c.user + c.system) / 1000, delivered: res.delivered, stored }
}

export default async function bench(args: string[]): Promise<void> {
  const quick = args.includes('--quick')
  const total = quick ? 1_000 : 10_000
  const rounds = quick ? 1 : 3
  const at = args.indexOf('--profile')
  const profileFile = at < 0 ? undefined : (args[at + 1] ?? 'catchup.cpuprofile')
  const profiler = new Profiler(profileFile !== undefined)
  const dir = mkdtempSync(join(tmpdir(), 'pfs-bench-catchup-'))
  const runs: Run[] = []
  try {
    for (let r = 0; r < rounds; r++) runs.push(await run(dir, total, String(r), profiler))
  } finally {
    rmSync(dir, { recursive: true, force: true })
    profiler.write(profileFile)
  }
  const wall = median(runs.map((r) => r.wallMs))
  const cpu = median(runs.map((r) => r.cpuMs))
  const all = runs.every((r) => r.stored === total)
  const header = ['measure', 'value']
  const rows = [
    ['messages queued (3 peers)', fmt(total)],
    ['sync() time, wall (s)', (wall / 1000).toFixed(2)],
    ['sync() time, process CPU (s)', (cpu / 1000).toFixed(2)],
    ['messages/s (wall / CPU)', `${fmt((total * 1000) / wall)} / ${fmt((total * 1000) / cpu)}`],
    ['all decrypted and stored', all ? 'yes' : `no (${runs.map((r) => r.stored).join(', ')})`],
    ['target (issue 9)', '≤ 2 s'],
  ]
  printTable(header, rows)
  const out = [
    '# Catch-up benchmark',
    '',
    'Generated by `npm run bench -- catchup`.',
    `Median of ${String(rounds)} run(s). Bob, on SqliteStore (temporary file, WAL, ` +
      `synchronous=NORMAL), was offline while his three mutual contacts sent him ${fmt(total)} ` +
      'messages of 100 B in established Double Ratchet sessions; the in-process store node kept ' +
      'them. Timed: `Messenger.sync()` on his reopened store until every envelope is fetched, ' +
      'opened, decrypted (`Protocol.handle`) and the message stored. CPU = process user + system ' +
      'time during the sync (steadier when the machine is shared).',
    '',
    `| ${header.join(' | ')} |`,
    '|---|---|',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
    `Machine: ${machine()}.`,
    '',
  ].join('\n')
  const results = fileURLToPath(new URL('./results/', import.meta.url))
  mkdirSync(results, { recursive: true })
  writeFileSync(join(results, 'catchup.md'), out)
}
