/**
 * `npm run bench -- compare [--quick] [--rounds N] [--only SUBSTRING] [--isolate]`: status-pfs against the Signal libraries,
 * in one process, one adapter per implementation (`bench/adapters/`), the same five measures for
 * each (issue 9). `--isolate` measures each implementation in a fresh process of its own instead
 * (each round, each adapter and the floor are one child process), the way issue 9's anchors were
 * measured ("in one process each"): code shared by several adapters in one process — the four
 * status-pfs variants share the ratchet, with two providers and two DH functions — gets JIT
 * feedback from all of them, which one application never mixes. Writes
 * bench/results/compare-isolated.md. The five measures:
 *
 * - (a) establish/s: the initiator verifies the responder's published signed key, runs X3DH and
 *   encrypts a first 100-byte message; the responder runs X3DH and decrypts it.
 * - (b) one-way msg/s: 10,000 messages of 100 B in a row, each encrypted then decrypted.
 * - (c) ping-pong msg/s: 2,000 messages alternating direction (a DH ratchet step every message).
 * - (d) 1,000 messages encrypted, then delivered in a seeded random permutation: time to decrypt
 *   them all and how many decrypted.
 * - (e) 1,000 idle sessions (500 established pairs, both ends kept): heap + external bytes per
 *   1,000 sessions after a full GC (memory a native library keeps outside V8 — libsignal-client's
 *   Rust heap — is not in it; olm's wasm memory is, as an ArrayBuffer), and the serialized bytes
 *   one end keeps per session.
 *
 * Every rate is the median of ≥ 3 rounds (5 without --quick) after a warm-up; the rounds go
 * round-robin over all implementations, so load changes on a shared machine hit all alike, and the
 * status-pfs / anchor ratios come from the same run. Beside (b) and (c), "% of floor": the rate
 * against the cost of exactly the primitives one message needs, on the fastest provider, measured
 * in every round too (`floor.ts`). Then the persisted variants of (b) and (c): `Protocol` on `SqliteStore`, one
 * transaction per encrypt and per decrypt. Prints Markdown and writes bench/results/compare.md.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import v8 from 'node:v8'
import vm from 'node:vm'
import { providers } from '../src/crypto/index.ts'
import { libsignal } from './adapters/libsignal.ts'
import { libsignalClient } from './adapters/libsignal-client.ts'
import { libsignalProtocolTypescript } from './adapters/libsignal-protocol-typescript.ts'
import { olm } from './adapters/olm.ts'
import { persistedPair, ratchetStorePair } from './adapters/persisted.ts'
import { statusPfs } from './adapters/status-pfs.ts'
import type { Adapter, MaybePromise, SessionPair } from './adapters/types.ts'
import { floors } from './floor.ts'
import type { Floor } from './floor.ts'
import { fmt, machine, median, printTable } from './harness.ts'

/** 100 ASCII bytes: every library takes them (olm takes strings). */
const PAYLOAD = new Uint8Array(100).fill(0x61)

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc') as () => void

async function settle<T>(x: MaybePromise<T>): Promise<T> {
  return x instanceof Promise ? await x : x
}

function now(): number {
  return Number(process.hrtime.bigint()) / 1e9
}

interface Sizes {
  readonly rounds: number
  readonly establishSeconds: number
  readonly oneWay: number
  readonly pingPong: number
  readonly shuffled: number
  readonly idle: number
}

/** (a): as many establishments as fit in `seconds` (at least 5), per second. */
async function establish(a: Adapter, seconds: number): Promise<number> {
  let n = 0
  const t0 = now()
  let t = t0
  while (n < 5 || t - t0 < seconds) {
    await settle(a.establish(PAYLOAD))
    n++
    t = now()
  }
  return n / (t - t0)
}

async function oneWay(a: Adapter, count: number): Promise<number> {
  const p = await settle(a.newSession())
  const t0 = now()
  for (let i = 0; i < count; i++) await settle(p.decrypt(1, await settle(p.encrypt(0, PAYLOAD))))
  return count / (now() - t0)
}

async function pingPong(a: Adapter, count: number): Promise<number> {
  const p = await settle(a.newSession())
  const t0 = now()
  for (let i = 0; i < count; i++) {
    const from = (i & 1) as 0 | 1
    await settle(p.decrypt((from ^ 1) as 0 | 1, await settle(p.encrypt(from, PAYLOAD))))
  }
  return count / (now() - t0)
}

/** Seeded Fisher-Yates (xorshift32): every run and every library gets the same order. */
function shuffle<T>(xs: T[], seed: number): T[] {
  let x = seed >>> 0 || 1
  for (let i = xs.length - 1; i > 0; i--) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    const j = (x >>> 0) % (i + 1)
    ;[xs[i], xs[j]] = [xs[j]!, xs[i]!]
  }
  return xs
}

async function shuffled(a: Adapter, count: number): Promise<{ ms: number; ok: number }> {
  const p = await settle(a.newSession())
  const sent: unknown[] = []
  for (let i = 0; i < count; i++) sent.push(await settle(p.encrypt(0, PAYLOAD)))
  shuffle(sent, 0x5eed)
  let ok = 0
  const t0 = now()
  for (const m of sent) {
    try {
      const pt = await settle(p.decrypt(1, m))
      if (pt.length === PAYLOAD.length) ok++
    } catch {
      // not decrypted: counted below
    }
  }
  return { ms: (now() - t0) * 1000, ok }
}

interface Memory {
  /** heap + external bytes per 1,000 sessions. */
  readonly heapExternal: number
  /** Mean serialized bytes of one end of a session. */
  readonly serialized: number
}

function usage(): { he: number } {
  gc()
  gc()
  const m = process.memoryUsage()
  return { he: m.heapUsed + m.external }
}

async function memory(a: Adapter, sessions: number): Promise<Memory> {
  const pairs: SessionPair[] = []
  const before = usage()
  for (let i = 0; i < sessions / 2; i++) pairs.push(await settle(a.newSession()))
  const after = usage()
  let bytes = 0
  for (const p of pairs)
    bytes += (await settle(p.serializedBytes(0))) + (await settle(p.serializedBytes(1)))
  const per = 1000 / sessions
  const m = {
    heapExternal: (after.he - before.he) * per,
    serialized: bytes / sessions,
  }
  pairs.length = 0
  a.close?.()
  return m
}

interface Row {
  readonly adapter: Adapter
  readonly dh: 'secp256k1' | 'x25519'
  readonly establish: number
  readonly oneWay: number
  readonly pingPong: number
  readonly shuffledMs: number
  readonly shuffledOk: number
  readonly memory: Memory
}

interface Samples {
  readonly est: number[]
  readonly ow: number[]
  readonly pp: number[]
  readonly sh: number[]
  ok: number
}

/** The floor of each DH function over the rounds: medians of the per-round measurements. */
function medianFloor(samples: readonly Record<Row['dh'], Floor>[]): Record<Row['dh'], Floor> {
  const of = (dh: Row['dh']): Floor => ({
    provider: samples[0]![dh].provider,
    oneWay: median(samples.map((f) => f[dh].oneWay)),
    pingPong: median(samples.map((f) => f[dh].pingPong)),
  })
  return { secp256k1: of('secp256k1'), x25519: of('x25519') }
}

/**
 * All adapters, round-robin: round r measures every adapter once before round r + 1 starts, so a
 * change of load on the shared machine hits every implementation alike and the same-run ratios
 * stay meaningful even when absolute figures move.
 */
async function measureAll(
  list: readonly [Adapter, Row['dh']][],
  sizes: Sizes,
): Promise<{ rows: Row[]; floor: Record<Row['dh'], Floor> }> {
  const floorSamples: Record<Row['dh'], Floor>[] = []
  const samples: Samples[] = list.map(() => ({ est: [], ow: [], pp: [], sh: [], ok: Infinity }))
  for (const [a] of list) {
    // Warm-up: every path once, small.
    await establish(a, 0.05)
    await oneWay(a, 300)
    await pingPong(a, 40)
    await shuffled(a, 100)
    a.close?.()
  }
  for (let r = 0; r < sizes.rounds; r++) {
    process.stderr.write(`round ${r + 1}/${sizes.rounds}: primitives floor\n`)
    floorSamples.push(floors(true))
    for (const [i, [a]] of list.entries()) {
      process.stderr.write(`round ${r + 1}/${sizes.rounds}: ${a.name}\n`)
      const s = samples[i]!
      s.est.push(await establish(a, sizes.establishSeconds))
      s.ow.push(await oneWay(a, sizes.oneWay))
      s.pp.push(await pingPong(a, sizes.pingPong))
      const sh = await shuffled(a, sizes.shuffled)
      s.sh.push(sh.ms)
      s.ok = Math.min(s.ok, sh.ok)
      a.close?.()
    }
  }
  const rows: Row[] = []
  for (const [i, [a, dh]] of list.entries()) {
    const s = samples[i]!
    rows.push({
      adapter: a,
      dh,
      establish: median(s.est),
      oneWay: median(s.ow),
      pingPong: median(s.pp),
      shuffledMs: median(s.sh),
      shuffledOk: s.ok,
      memory: await memory(a, sizes.idle),
    })
  }
  return { rows, floor: medianFloor(floorSamples) }
}

interface Persisted {
  readonly variant: string
  readonly provider: string
  readonly oneWay: number
  readonly pingPong: number
}

function persisted(sizes: Sizes): Persisted[] {
  const variants = [
    ['Protocol + SqliteStore', persistedPair],
    ['ratchet + SqliteStore', ratchetStorePair],
  ] as const
  const cases = variants.flatMap(([variant, make]) =>
    Object.entries(providers).map(([provider, crypto]) => ({
      variant,
      provider,
      make: () => make(crypto),
      ow: [] as number[],
      pp: [] as number[],
    })),
  )
  const count = Math.max(200, sizes.oneWay / 5)
  const ppCount = Math.max(100, sizes.pingPong / 2)
  // Round -1 is the warm-up; then round-robin as in `measureAll`.
  for (let r = -1; r < sizes.rounds; r++) {
    for (const c of cases) {
      process.stderr.write(`persisted round ${r + 1}/${sizes.rounds}: ${c.variant} ${c.provider}\n`)
      const p = c.make()
      const n = r < 0 ? 50 : count
      let t0 = now()
      for (let i = 0; i < n; i++) p.receive(1, p.send(0, PAYLOAD))
      if (r >= 0) c.ow.push(n / (now() - t0))
      const m = r < 0 ? 10 : ppCount
      t0 = now()
      for (let i = 0; i < m; i++) {
        const from = (i & 1) as 0 | 1
        p.receive((from ^ 1) as 0 | 1, p.send(from, PAYLOAD))
      }
      if (r >= 0) c.pp.push(m / (now() - t0))
      p.close()
    }
  }
  return cases.map((c) => ({
    variant: c.variant,
    provider: c.provider,
    oneWay: median(c.ow),
    pingPong: median(c.pp),
  }))
}

function kib(bytes: number): string {
  return `${fmt(bytes / 1024)} KiB`
}

function pct(rate: number, floor: number): string {
  return `${Math.round((100 * rate) / floor)} %`
}

function ratio(x: number, y: number): string {
  return `${(x / y).toFixed(x / y >= 10 ? 0 : 2)}×`
}

function makers(): [() => MaybePromise<Adapter>, Row['dh']][] {
  return [
    ...(['secp256k1', 'x25519'] as const).flatMap((dh) =>
      Object.entries(providers).map(
        ([name, crypto]) => [() => statusPfs(dh, name, crypto), dh] as [() => Adapter, Row['dh']],
      ),
    ),
    [libsignalClient, 'x25519'],
    [libsignalProtocolTypescript, 'x25519'],
    [olm, 'x25519'],
    [libsignal, 'x25519'],
  ]
}

async function adapters(only: string | undefined): Promise<[Adapter, Row['dh']][]> {
  const out: [Adapter, Row['dh']][] = []
  for (const [make, dh] of makers()) {
    const a = await settle(make())
    if (only === undefined || a.name.includes(only)) out.push([a, dh])
  }
  return out
}

/** What one `--child` process measured: one round of one adapter (or the floor). */
interface ChildResult {
  readonly name: string
  readonly ours: boolean
  readonly establish: number
  readonly oneWay: number
  readonly pingPong: number
  readonly shuffledMs: number
  readonly shuffledOk: number
  readonly memory?: Memory
}

/** `--child I`: warms up adapter I alone, measures one round (and memory), prints JSON. */
async function child(
  index: string,
  sizes: Sizes,
  withMemory: boolean,
  only: string | undefined,
): Promise<void> {
  if (index === 'floor') {
    console.log(`RESULT ${JSON.stringify(floors(true))}`)
    return
  }
  const entry = makers()[Number(index)]
  if (entry === undefined) throw new Error(`no adapter ${index}`)
  const a = await settle(entry[0]())
  if (only !== undefined && !a.name.includes(only)) {
    console.log(`RESULT ${JSON.stringify({ name: a.name, skip: true })}`)
    return
  }
  await establish(a, 0.05)
  await oneWay(a, 300)
  await pingPong(a, 40)
  await shuffled(a, 100)
  a.close?.()
  const est = await establish(a, sizes.establishSeconds)
  const ow = await oneWay(a, sizes.oneWay)
  const pp = await pingPong(a, sizes.pingPong)
  const sh = await shuffled(a, sizes.shuffled)
  a.close?.()
  const result: ChildResult = {
    name: a.name,
    ours: a.ours,
    establish: est,
    oneWay: ow,
    pingPong: pp,
    shuffledMs: sh.ms,
    shuffledOk: sh.ok,
    ...(withMemory ? { memory: await memory(a, sizes.idle) } : {}),
  }
  console.log(`RESULT ${JSON.stringify(result)}`)
}

/** Runs this program again as `--child` and returns what it printed after `RESULT `. */
function runChild(extra: readonly string[]): unknown {
  const script = process.argv[1]
  if (script === undefined) throw new Error('no script path')
  const out = execFileSync(process.execPath, [...process.execArgv, script, 'compare', ...extra], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  })
  const line = out.split('\n').find((l) => l.startsWith('RESULT '))
  if (line === undefined) throw new Error(`child ${extra.join(' ')} printed no result`)
  return JSON.parse(line.slice('RESULT '.length)) as unknown
}

/**
 * `--isolate`: every round runs the floor and then each adapter in a child process of its own,
 * round-robin as in `measureAll`; medians over the rounds; memory from the first round's child.
 */
function measureIsolated(
  only: string | undefined,
  sizes: Sizes,
  quick: boolean,
): { rows: Row[]; floor: Record<Row['dh'], Floor> } {
  const list = makers()
  const base = [...(quick ? ['--quick'] : []), ...(only === undefined ? [] : ['--only', only])]
  const floorSamples: Record<Row['dh'], Floor>[] = []
  const samples = list.map(() => [] as ChildResult[])
  for (let r = 0; r < sizes.rounds; r++) {
    process.stderr.write(`round ${r + 1}/${sizes.rounds}: primitives floor (own process)\n`)
    floorSamples.push(runChild([...base, '--child', 'floor']) as Record<Row['dh'], Floor>)
    for (let i = 0; i < list.length; i++) {
      if (r > 0 && samples[i]!.length === 0) continue
      const res = runChild([...base, '--child', String(i), ...(r === 0 ? ['--memory'] : [])])
      if ((res as { skip?: boolean }).skip === true) continue
      const c = res as ChildResult
      process.stderr.write(`round ${r + 1}/${sizes.rounds}: ${c.name} (own process)\n`)
      samples[i]!.push(c)
    }
  }
  const rows: Row[] = []
  for (const [i, [, dh]] of list.entries()) {
    const s = samples[i]!
    if (s.length === 0) continue
    rows.push({
      adapter: { name: s[0]!.name, ours: s[0]!.ours } as Adapter,
      dh,
      establish: median(s.map((x) => x.establish)),
      oneWay: median(s.map((x) => x.oneWay)),
      pingPong: median(s.map((x) => x.pingPong)),
      shuffledMs: median(s.map((x) => x.shuffledMs)),
      shuffledOk: Math.min(...s.map((x) => x.shuffledOk)),
      memory: s[0]!.memory ?? { heapExternal: NaN, serialized: NaN },
    })
  }
  return { rows, floor: medianFloor(floorSamples) }
}

export default async function bench(args: string[]): Promise<void> {
  const quick = args.includes('--quick')
  const onlyAt = args.indexOf('--only')
  const only = onlyAt >= 0 ? args[onlyAt + 1] : undefined
  let sizes: Sizes = quick
    ? {
        rounds: 3,
        establishSeconds: 0.3,
        oneWay: 2_000,
        pingPong: 400,
        shuffled: 1_000,
        idle: 1_000,
      }
    : {
        rounds: 5,
        establishSeconds: 1,
        oneWay: 10_000,
        pingPong: 2_000,
        shuffled: 1_000,
        idle: 1_000,
      }
  const roundsAt = args.indexOf('--rounds')
  if (roundsAt >= 0) sizes = { ...sizes, rounds: Math.max(3, Number(args[roundsAt + 1])) }
  const childAt = args.indexOf('--child')
  if (childAt >= 0) {
    await child(args[childAt + 1] ?? '', sizes, args.includes('--memory'), only)
    return
  }
  const isolate = args.includes('--isolate')
  const { rows, floor } = isolate
    ? measureIsolated(only, sizes, quick)
    : await measureAll(await adapters(only), sizes)
  const header = [
    'implementation',
    '(a) establish/s',
    '(b) one-way msg/s',
    '(b) % of floor',
    '(c) ping-pong msg/s',
    '(c) % of floor',
    `(d) ${sizes.shuffled} shuffled`,
    '(e) heap+ext / 1k sessions',
    '(e) serialized B / session',
  ]
  const table = rows.map((r) => [
    r.adapter.name,
    fmt(r.establish),
    fmt(r.oneWay),
    pct(r.oneWay, floor[r.dh].oneWay),
    fmt(r.pingPong),
    pct(r.pingPong, floor[r.dh].pingPong),
    `${fmt(r.shuffledMs)} ms, ${r.shuffledOk}/${sizes.shuffled}`,
    kib(r.memory.heapExternal),
    fmt(r.memory.serialized),
  ])
  printTable(header, table)

  const anchors = rows.filter((r) => !r.adapter.ours)
  const ours = rows.filter((r) => r.adapter.ours)
  const ratioHeader = [
    'status-pfs / anchor',
    '(a) establish',
    '(b) one-way',
    '(c) ping-pong',
    '(e) serialized',
  ]
  const ratioRows: string[][] = []
  for (const o of ours) {
    for (const an of anchors) {
      ratioRows.push([
        `${o.adapter.name} / ${an.adapter.name}`,
        ratio(o.establish, an.establish),
        ratio(o.oneWay, an.oneWay),
        ratio(o.pingPong, an.pingPong),
        ratio(o.memory.serialized, an.memory.serialized),
      ])
    }
  }
  console.log('')
  printTable(ratioHeader, ratioRows)

  const floorHeader = ['floor (fastest provider)', 'one-way msg/s', 'ping-pong msg/s']
  const floorRows = (['secp256k1', 'x25519'] as const).map((dh) => [
    `${dh} (${floor[dh].provider})`,
    fmt(floor[dh].oneWay),
    fmt(floor[dh].pingPong),
  ])
  console.log('')
  printTable(floorHeader, floorRows)

  const pers =
    !isolate && (only === undefined || 'status-pfs'.includes(only)) ? persisted(sizes) : []
  const persHeader = [
    'status-pfs secp256k1, persisted',
    'provider',
    'one-way msg/s',
    'ping-pong msg/s',
  ]
  const persRows = pers.map((p) => [p.variant, p.provider, fmt(p.oneWay), fmt(p.pingPong)])
  if (pers.length > 0) {
    console.log('')
    printTable(persHeader, persRows)
  }

  const md = [
    '# Against the Signal libraries',
    '',
    `Generated by \`npm run bench -- compare${quick ? ' --quick' : ''}${isolate ? ' --isolate' : ''}\`; medians of ${sizes.rounds} rounds${isolate ? ', each implementation (and the floor) in a fresh process of its own every round' : ''}.`,
    '',
    markdown(header, table),
    '',
    markdown(ratioHeader, ratioRows),
    '',
    markdown(floorHeader, floorRows),
    '',
    ...(pers.length > 0 ? [markdown(persHeader, persRows), ''] : []),
    `Machine: ${machine()}; ${new Date().toISOString()}`,
    '',
  ].join('\n')
  const out = fileURLToPath(new URL('./results/', import.meta.url))
  mkdirSync(out, { recursive: true })
  const file = `compare${isolate ? '-isolated' : ''}${only === undefined ? '' : '-partial'}.md`
  writeFileSync(`${out}${file}`, md)
  console.log(`\nwritten to bench/results/${file}`)
}

function markdown(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`
  return [line(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n')
}
