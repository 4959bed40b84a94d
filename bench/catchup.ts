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
 * `--negotiated`: the peers send on the negotiated topic once agreed (`negotiatedTopics: true`,
 * status-go's behaviour), so Bob opens AES-GCM envelopes rather than ECIES ones. `--dist`: the
 * compiled package (`npm run build` first) instead of the sources under tsx. `--threads`: also the
 * CPU of the sync worker and of the other threads (V8's compiler and GC threads among them), read
 * from /proc by a polling thread (Linux; off by default, since the polling takes a little CPU too).
 *
 * `--profile [FILE]` also records a V8 CPU profile of the first round's `sync()` (written to FILE
 * when given, for Chrome DevTools) and adds its top frames by self time to the results, so that a
 * missed target comes with where the time goes.
 *
 * Reports the sync time (wall and process CPU), messages per second, and whether all messages were
 * stored; writes `bench/results/catchup.md` with the machine line.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import * as messengerSrc from '../src/messenger/index.ts'
import type { Messenger } from '../src/messenger/index.ts'
import * as storeSrc from '../src/store/index.ts'
import * as transportSrc from '../src/transport/index.ts'
import type { MemoryNetwork } from '../src/transport/index.ts'
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
  /** Main-thread busy time (event-loop utilization: not idle, not waiting for the worker). */
  readonly mainMs: number
  /** Main-thread CPU time (Linux /proc; NaN elsewhere): what load on the machine does not inflate. */
  readonly mainCpuMs: number
  readonly delivered: number
  readonly stored: number
  /** CPU of threads that started during the sync (the envelope-opening worker); NaN without /proc. */
  readonly workerCpuMs: number
  /** CPU of the other threads (V8's compiler and GC threads, libuv, tsx's loader); NaN without /proc. */
  readonly otherCpuMs: number
}

/**
 * The CPU time of every thread of this process, read every 10 ms from /proc/self/task by a small
 * worker of its own (the main thread is busy during the sync), so that threads which end before
 * the sync returns — the envelope-opening worker — are counted too (up to the last 10 ms).
 * Linux only; `stop()` gives undefined elsewhere.
 */
class ThreadCpu {
  readonly #worker: Worker | undefined
  readonly #ready: Promise<void>

  constructor() {
    const code = `
      const { parentPort } = require('node:worker_threads')
      const fs = require('node:fs')
      const self = fs.readlinkSync('/proc/thread-self').split('/').pop()
      const first = new Map(), last = new Map()
      const poll = () => {
        for (const t of fs.readdirSync('/proc/self/task')) {
          try {
            const s = fs.readFileSync('/proc/self/task/' + t + '/stat', 'utf8')
            const f = s.slice(s.lastIndexOf(')') + 2).split(' ')
            const ticks = Number(f[11]) + Number(f[12])
            if (!first.has(t)) first.set(t, ticks)
            last.set(t, ticks)
          } catch {}
        }
      }
      poll()
      const timer = setInterval(poll, 10)
      parentPort.on('message', () => {
        clearInterval(timer)
        poll()
        parentPort.postMessage({ self, first: [...first], last: [...last] })
        parentPort.close()
      })
      parentPort.postMessage('ready')
    `
    let worker: Worker | undefined
    try {
      readFileSync('/proc/self/stat')
      worker = new Worker(code, { eval: true })
    } catch {
      worker = undefined
    }
    this.#worker = worker
    this.#ready =
      worker === undefined
        ? Promise.resolve()
        : new Promise((resolve) => worker.once('message', () => resolve()))
  }

  ready(): Promise<void> {
    return this.#ready
  }

  /** Per-thread CPU (ms) since the start: threads new since then, and the others. */
  async stop(before: ReadonlySet<string>): Promise<{ added: number; other: number } | undefined> {
    const w = this.#worker
    if (w === undefined) return undefined
    const got = new Promise<{ self: string; first: [string, number][]; last: [string, number][] }>(
      (resolve) => w.once('message', resolve),
    )
    w.postMessage('stop')
    const { self, first, last } = await got
    await w.terminate()
    const start = new Map(first)
    let added = 0
    let other = 0
    for (const [tid, ticks] of last) {
      if (tid === self || tid === String(process.pid)) continue
      const ms = (ticks - (start.get(tid) ?? 0)) * 10
      if (before.has(tid)) other += ms
      else added += ms
    }
    return { added, other }
  }
}

/** The thread ids of this process now (empty without /proc). */
function threadIds(): Set<string> {
  try {
    return new Set(readdirSync('/proc/self/task'))
  } catch {
    return new Set()
  }
}

/** The inspector's CPU profiler around the timed part, when `--profile` asks for it. */
export class Profiler {
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

  get enabled(): boolean {
    return this.#session !== undefined && this.#profile === undefined
  }

  get profile(): CpuProfile | undefined {
    return this.#profile as CpuProfile | undefined
  }

  write(file: string | undefined): void {
    if (file !== undefined && file !== '' && this.#profile !== undefined) {
      writeFileSync(file, JSON.stringify(this.#profile))
    }
    this.#session?.disconnect()
  }
}

/** The parts of a V8 CPU profile the summary reads. */
export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number
    readonly callFrame: { readonly functionName: string; readonly url: string }
    readonly children?: readonly number[]
  }[]
  readonly samples: readonly number[]
  readonly timeDeltas: readonly number[]
}

/**
 * The `limit` frames with the most self time, and the `limit` with the most total (inclusive)
 * time, as Markdown table rows `[% self or total, frame]`. Frames are named `function file`.
 */
export function topFrames(p: CpuProfile, limit: number): { self: string[][]; total: string[][] } {
  const byId = new Map(p.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const time = new Map<number, number>()
  let sum = 0
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0
    time.set(id, (time.get(id) ?? 0) + dt)
    sum += dt
  })
  const name = (id: number): string => {
    const f = byId.get(id)!.callFrame
    const file = f.url.split('/').slice(-2).join('/')
    return `${f.functionName === '' ? '(anonymous)' : f.functionName} ${file}`.trim()
  }
  const self = new Map<string, number>()
  const total = new Map<string, number>()
  for (const [id, t] of time) {
    self.set(name(id), (self.get(name(id)) ?? 0) + t)
    const seen = new Set<string>()
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const k = name(at)
      if (seen.has(k)) continue
      seen.add(k)
      total.set(k, (total.get(k) ?? 0) + t)
    }
  }
  const rows = (m: Map<string, number>): string[][] =>
    [...m]
      // Leave out the profiler's own plumbing and the idle / root pseudo-frames.
      .filter(
        ([k]) =>
          !['(root)', '(program)', '(idle)', 'dispatch'].includes(k) &&
          !k.includes('node:inspector') &&
          !k.includes('bench/catchup.ts'),
      )
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([k, t]) => [`${((100 * t) / Math.max(sum, 1)).toFixed(1)} %`, `\`${k}\``])
  return { self: rows(self), total: rows(total) }
}

/**
 * CPU time (user + system) of this process's main thread, from /proc/self/task/<pid>/stat (clock
 * ticks, 10 ms); NaN where there is no /proc. Unlike wall or event-loop time, it does not grow when
 * other processes take the core away.
 */
function mainThreadCpuMs(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${String(process.pid)}/stat`, 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(f[11]) + Number(f[12])) * 10
  } catch {
    return NaN
  }
}

/** One full scenario; only `sync()` is timed. */
/** The library under test: the sources (under tsx), or the compiled package (`--dist`). */
interface Lib {
  readonly Messenger: typeof messengerSrc.Messenger
  readonly MemoryStore: typeof storeSrc.MemoryStore
  readonly SqliteStore: typeof storeSrc.SqliteStore
  readonly MemoryEnvelopeStore: typeof transportSrc.MemoryEnvelopeStore
  readonly MemoryNetwork: typeof transportSrc.MemoryNetwork
}

/**
 * `--dist`: `dist/` as an application runs it (`npm run build` first). The difference is the
 * sync worker, which from the sources starts through tsx's loader (its own thread, and every
 * module transpiled on the way in); the main thread's code is the same JavaScript either way.
 */
async function library(dist: boolean): Promise<Lib> {
  if (!dist) return { ...messengerSrc, ...storeSrc, ...transportSrc }
  const url = (path: string): string => new URL(`../dist/${path}`, import.meta.url).href
  const m = (await import(url('messenger/index.js'))) as typeof messengerSrc
  const st = (await import(url('store/index.js'))) as typeof storeSrc
  const t = (await import(url('transport/index.js'))) as typeof transportSrc
  return { ...m, ...st, ...t }
}

async function run(
  lib: Lib,
  dir: string,
  total: number,
  tag: string,
  profiler: Profiler,
  negotiated: boolean,
  perThreadCpu: boolean,
): Promise<Run> {
  const { Messenger, MemoryStore, SqliteStore, MemoryEnvelopeStore, MemoryNetwork } = lib
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
      negotiatedTopics: negotiated,
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
  const profiling = profiler.enabled
  if (profiling) await profiler.start()
  const threads = perThreadCpu ? new ThreadCpu() : undefined
  await threads?.ready()
  const threadsBefore = threadIds()
  const c0 = process.cpuUsage()
  const e0 = performance.eventLoopUtilization()
  const m0 = mainThreadCpuMs()
  const t0 = process.hrtime.bigint()
  const res = await again.sync()
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6
  const c = process.cpuUsage(c0)
  const elu = performance.eventLoopUtilization(e0)
  const mainCpuMs = mainThreadCpuMs() - m0
  const perThread = await threads?.stop(threadsBefore)
  if (profiling) await profiler.stop()
  const stored = bobStore.countMessages() - before
  await again.close()
  bobStore.close()
  return {
    wallMs,
    cpuMs: (c.user + c.system) / 1000,
    mainMs: elu.active,
    mainCpuMs,
    delivered: res.delivered,
    stored,
    workerCpuMs: perThread?.added ?? NaN,
    otherCpuMs: perThread?.other ?? NaN,
  }
}

export default async function bench(args: string[]): Promise<void> {
  const quick = args.includes('--quick')
  // The peers send on the negotiated topic once agreed (status-go's choice, PROTOCOL.md §11.3):
  // Bob opens AES-GCM envelopes instead of ECIES ones (no ECDH each).
  const negotiated = args.includes('--negotiated')
  // `--threads`: CPU per thread from /proc (a polling thread of its own, so off by default).
  const threads = args.includes('--threads')
  const dist = args.includes('--dist')
  const lib = await library(dist)
  const total = quick ? 1_000 : 10_000
  const rounds = quick ? 1 : 3
  const at = args.indexOf('--profile')
  const next = at < 0 ? undefined : args[at + 1]
  const profileFile = at < 0 ? undefined : next !== undefined && !next.startsWith('--') ? next : ''
  const profiler = new Profiler(profileFile !== undefined)
  const dir = mkdtempSync(join(tmpdir(), 'pfs-bench-catchup-'))
  const runs: Run[] = []
  try {
    for (let r = 0; r < rounds; r++)
      runs.push(await run(lib, dir, total, String(r), profiler, negotiated, threads))
  } finally {
    rmSync(dir, { recursive: true, force: true })
    profiler.write(profileFile)
  }
  const wall = median(runs.map((r) => r.wallMs))
  const cpu = median(runs.map((r) => r.cpuMs))
  const main = median(runs.map((r) => r.mainMs))
  const mainCpu = median(runs.map((r) => r.mainCpuMs))
  const workerCpu = median(runs.map((r) => r.workerCpuMs))
  const otherCpu = median(runs.map((r) => r.otherCpuMs))
  const secs = (ms: number): string => (Number.isNaN(ms) ? 'n/a' : (ms / 1000).toFixed(2))
  const all = runs.every((r) => r.stored === total)
  const header = ['measure', 'value']
  const rows = [
    ['messages queued (3 peers)', fmt(total)],
    ['library', dist ? 'compiled package (dist/)' : 'sources under tsx'],
    [
      'envelopes',
      negotiated ? 'negotiated topic (AES-GCM)' : 'partitioned topic (ECIES), the default',
    ],
    ['sync() time, wall (s)', (wall / 1000).toFixed(2)],
    ['sync() time, process CPU, all threads (s)', (cpu / 1000).toFixed(2)],
    ['main thread busy, wall (s)', (main / 1000).toFixed(2)],
    ['main thread CPU (s)', secs(mainCpu)],
    ...(threads
      ? [
          ['sync worker CPU (s)', secs(workerCpu)],
          ['other threads CPU: V8 compiler and GC, libuv, loader (s)', secs(otherCpu)],
        ]
      : []),
    ['messages/s (wall / CPU)', `${fmt((total * 1000) / wall)} / ${fmt((total * 1000) / cpu)}`],
    ['all decrypted and stored', all ? 'yes' : `no (${runs.map((r) => r.stored).join(', ')})`],
    ['target (issue 9)', '≤ 2 s'],
  ]
  printTable(header, rows)
  const out = [
    '# Catch-up benchmark',
    '',
    `Generated by \`npm run bench -- catchup${negotiated ? ' --negotiated' : ''}${dist ? ' --dist' : ''}${threads ? ' --threads' : ''}\`.`,
    `Median of ${String(rounds)} run(s). Bob, on SqliteStore (temporary file, WAL, ` +
      `synchronous=NORMAL), was offline while his three mutual contacts sent him ${fmt(total)} ` +
      'messages of 100 B in established Double Ratchet sessions; the in-process store node kept ' +
      'them. Timed: `Messenger.sync()` on his reopened store until every envelope is fetched, ' +
      'opened, decrypted (`Protocol.handle`) and the message stored. CPU = process user + system ' +
      'time during the sync, all threads (the envelope-opening worker included); main thread ' +
      'busy = event-loop active time (`performance.eventLoopUtilization`), the part that cannot ' +
      'overlap with the worker; main thread CPU = the CPU time of that thread alone (/proc), which ' +
      'other processes on the machine do not inflate' +
      (threads
        ? '; sync worker CPU = threads started during the sync; other threads = the rest (V8 ' +
          'compiles optimized code and collects garbage on its own threads), both read from /proc ' +
          'every 10 ms by a small polling thread that is not counted.'
        : '.'),
    '',
    `| ${header.join(' | ')} |`,
    '|---|---|',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
    `Machine: ${machine()}.`,
    '',
    ...profileSection(
      profiler.profile,
      "Where the time goes (CPU profile of the first round's `sync()`)",
      'Recorded with `--profile` (the profiler slows that round down somewhat; the figures ' +
        'above are medians over all rounds).',
    ),
  ].join('\n')
  const results = fileURLToPath(new URL('./results/', import.meta.url))
  mkdirSync(results, { recursive: true })
  const name = `catchup${negotiated ? '-negotiated' : ''}${dist ? '-dist' : ''}.md`
  writeFileSync(join(results, name), out)
}

/** The profile's top frames as Markdown under `title`, when one was recorded. */
export function profileSection(
  profile: CpuProfile | undefined,
  title: string,
  note: string,
): string[] {
  if (profile === undefined) return []
  const { self, total } = topFrames(profile, 25)
  const table = (rows: string[][], what: string): string[] => [
    `| ${what} | frame |`,
    '|---|---|',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ]
  return [
    `## ${title}`,
    '',
    `${note} Native code appears as native frames: better-sqlite3 as \`run\` / \`get\` / ` +
      "`all`, the secp256k1 addon under one binding's name whatever the call (e.g. " +
      '`Secp256k1Addon`, `publicKeyCreate`); the total-time table shows which calls reach it ' +
      '(`ecdsaRecover`, `ecdh`).',
    '',
    ...table(self, 'self time'),
    '',
    ...table(total, 'total time'),
    '',
  ]
}
