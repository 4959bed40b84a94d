/**
 * Protocol benchmarks (`npm run bench -- protocol [--quick]`): messages per second through the
 * whole encryption layer — `Protocol.encrypt` (our bundle signed, one Double Ratchet entry
 * per target installation, all in one store transaction) and `Protocol.handle` on every target
 * device (bundle verified and stored, ratchet decrypt, one transaction each) — for a recipient
 * with 1, 3 and 6 installations, on `MemoryStore` and on `SqliteStore` (a temporary file, WAL,
 * synchronous=NORMAL). Sessions are established and confirmed before timing, so the figures are
 * the steady state of a conversation, one direction at a time.
 *
 * One "message" = one encrypt + its handle on every target installation. Each figure is the median
 * of several rounds. Prints a Markdown table and writes it, with the machine line, to
 * `bench/results/protocol.md`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defaultProvider, utf8 } from '../src/crypto/index.ts'
import { Protocol } from '../src/protocol/index.ts'
import { MemoryStore, SqliteStore } from '../src/store/index.ts'
import type { Store } from '../src/store/index.ts'
import { Profiler, profileSection } from './catchup.ts'
import { fmt, machine, median, printTable } from './harness.ts'

const crypto = defaultProvider()
const PAYLOAD = new Uint8Array(100).fill(0x61)

interface Peer {
  readonly protocol: Protocol
  readonly store: Store
  readonly publicKey: Uint8Array
}

function peer(
  store: Store,
  name: string,
  installationId: string,
  max: number,
  resignMs: number,
): Peer {
  const identity = crypto.secp256k1PrivateKey(crypto.sha256(utf8(`bench:${name}`)))
  return {
    protocol: new Protocol({
      store,
      identity,
      installationId,
      crypto,
      maxInstallations: max,
      bundleResignIntervalMs: resignMs,
    }),
    store,
    publicKey: crypto.secp256k1PublicKey(identity, true),
  }
}

/** Alice and `n` installations of Bob, sessions established and confirmed both ways. */
function setup(makeStore: () => Store, n: number, resignMs: number): { alice: Peer; bobs: Peer[] } {
  const alice = peer(makeStore(), 'alice', 'alice-1', n, resignMs)
  const bobs = Array.from({ length: n }, (_, i) =>
    peer(makeStore(), 'bob', `bob-${String(i + 1)}`, n, resignMs),
  )
  for (const b of bobs) alice.protocol.processBundle(b.protocol.ourBundle())
  const first = alice.protocol.encrypt(bobs[0]!.publicKey, PAYLOAD)
  for (const b of bobs) {
    b.protocol.handle(alice.publicKey, first.message)
    alice.protocol.handle(b.publicKey, b.protocol.encrypt(alice.publicKey, PAYLOAD).message)
  }
  return { alice, bobs }
}

/**
 * Messages per second, Alice to all of Bob's installations: by the wall clock, and per second of
 * this process's CPU time (steadier on a shared, loaded machine).
 */
function rate(alice: Peer, bobs: readonly Peer[], count: number): { wall: number; cpu: number } {
  const c0 = process.cpuUsage()
  const t0 = process.hrtime.bigint()
  for (let i = 0; i < count; i++) {
    const sent = alice.protocol.encrypt(bobs[0]!.publicKey, PAYLOAD)
    if (sent.targets.length !== bobs.length) throw new Error('not every installation targeted')
    for (const b of bobs) {
      const r = b.protocol.handle(alice.publicKey, sent.message)
      if (r.kind !== 'message') throw new Error(`unexpected ${r.kind}`)
    }
  }
  const wall = (count * 1e9) / Number(process.hrtime.bigint() - t0)
  const c = process.cpuUsage(c0)
  return { wall, cpu: (count * 1e6) / (c.user + c.system) }
}

export default async function bench(args: string[]): Promise<void> {
  const quick = args.includes('--quick')
  // `--profile [FILE]`: a CPU profile of the rounds of the persisted one-way case (SqliteStore,
  // bundle reused, 1 installation), its top frames added to the results.
  const at = args.indexOf('--profile')
  const next = at < 0 ? undefined : args[at + 1]
  const profileFile = at < 0 ? undefined : next !== undefined && !next.startsWith('--') ? next : ''
  const profiler = new Profiler(profileFile !== undefined)
  const rounds = quick ? 1 : 5
  const count = quick ? 50 : 1000
  const dir = mkdtempSync(join(tmpdir(), 'pfs-bench-protocol-'))
  let files = 0
  const memory = (): Store => new MemoryStore()
  const sqlite = (): Store => SqliteStore.open(join(dir, `s${String(++files)}.sqlite`))
  // Bundle signing: 0 = signed afresh whenever the clock moved (the default, the reference's
  // behaviour, byte-exact with the vectors); 60 s = reused while unchanged (what the messenger
  // sets, `bundleResignIntervalMs`).
  const stores: readonly (readonly [string, () => Store, number])[] = [
    ['MemoryStore, bundle signed per message', memory, 0],
    ['MemoryStore, bundle reused ≤ 60 s', memory, 60_000],
    ['SqliteStore (file), bundle signed per message', sqlite, 0],
    ['SqliteStore (file), bundle reused ≤ 60 s', sqlite, 60_000],
  ]
  const header = [
    'store, bundle signing',
    '1 installation msg/s (wall / CPU)',
    '3 installations msg/s (wall / CPU)',
    '6 installations msg/s (wall / CPU)',
  ]
  const rows: string[][] = []
  try {
    for (const [name, makeStore, resignMs] of stores) {
      const row = [name]
      for (const n of [1, 3, 6]) {
        const { alice, bobs } = setup(makeStore, n, resignMs)
        rate(alice, bobs, Math.max(10, count / 10)) // warm-up
        const wall: number[] = []
        const cpu: number[] = []
        for (let r = 0; r < rounds; r++) {
          const got = rate(alice, bobs, count)
          wall.push(got.wall)
          cpu.push(got.cpu)
        }
        if (profiler.enabled && n === 1 && resignMs > 0 && name.startsWith('Sqlite')) {
          // Extra rounds under the profiler, after (and not part of) the measured ones.
          await profiler.start()
          for (let r = 0; r < rounds; r++) rate(alice, bobs, count)
          await profiler.stop()
        }
        row.push(`${fmt(median(wall))} / ${fmt(median(cpu))}`)
        for (const p of [alice, ...bobs]) p.store.close()
      }
      rows.push(row)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
    profiler.write(profileFile)
  }
  printTable(header, rows)
  const table = [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n')
  const out = [
    '# Protocol benchmarks',
    '',
    'Generated by `npm run bench -- protocol`.',
    `Medians of ${String(rounds)} round(s) of ${String(count)} messages of 100 B. One message = ` +
      '`Protocol.encrypt` (bundle signed, one Double Ratchet entry per installation, one ' +
      'transaction) + `Protocol.handle` on each target installation (bundle verified and stored, ' +
      'ratchet decrypt, one transaction each); sessions established and confirmed beforehand.',
    `Crypto provider: \`${crypto.name}\`. SqliteStore: a temporary file, WAL, synchronous=NORMAL.`,
    '"bundle signed per message": `bundleResignIntervalMs: 0` (default; the bundle is signed ' +
      'whenever the clock moved, as the reference does, and each receiver verifies it); "reused ' +
      '≤ 60 s": `bundleResignIntervalMs: 60000` (as the messenger runs it; receivers then verify ' +
      'each distinct bundle once).',
    'wall = messages per wall-clock second; CPU = messages per second of the process CPU time ' +
      '(user + system), which is steadier when the machine is shared.',
    '',
    table,
    '',
    `Machine: ${machine()}.`,
    '',
    ...profileSection(
      profiler.profile,
      'Where the time goes (CPU profile: SqliteStore, bundle reused, 1 installation)',
      'Recorded with `--profile`, over extra rounds of that case run after the measured ones.',
    ),
  ].join('\n')
  const results = fileURLToPath(new URL('./results/', import.meta.url))
  mkdirSync(results, { recursive: true })
  writeFileSync(join(results, 'protocol.md'), out)
}
