/**
 * `npm run bench -- transport`: Whisper payload seal/open per second (symmetric and ECIES, signed,
 * both crypto providers), PoW cost per envelope at the default target, and store-node (SQLite and
 * memory) insert and query throughput. Prints a Markdown table and writes it, with the machine
 * line, to bench/results/transport.md.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { SecretKey, providers } from '../src/crypto/index.ts'
import {
  MemoryEnvelopeStore,
  SqliteEnvelopeStore,
  createEnvelope,
  limits,
  open,
  sealAsymmetric,
  sealSymmetric,
  seal,
  topicFromName,
} from '../src/transport/index.ts'
import type { Envelope, EnvelopeStore } from '../src/transport/index.ts'
import { fmt, machine, median, opsPerSecond, printTable } from './harness.ts'

export default async function main(args: string[]): Promise<void> {
  const quick = args.includes('--quick')
  const rows: string[][] = []
  const payload = new Uint8Array(200).fill(42)

  for (const [name, p] of Object.entries(providers)) {
    const sender = p.generateKeyPair()
    const recipient = p.generateKeyPair()
    const key = SecretKey.fromBytes(p.randomBytes(32))
    const n = quick ? 50 : 300
    const sym = sealSymmetric(payload, key, sender.privateKey, { provider: p })
    const asym = sealAsymmetric(payload, recipient.publicKey, sender.privateKey, { provider: p })
    rows.push([
      `seal symmetric, signed, 200 B`,
      name,
      fmt(opsPerSecond(() => sealSymmetric(payload, key, sender.privateKey, { provider: p }), n)),
      'ops/s',
    ])
    rows.push([
      `open symmetric, signed, 200 B`,
      name,
      fmt(opsPerSecond(() => open(sym, { symKey: key }, { provider: p }), n)),
      'ops/s',
    ])
    rows.push([
      `seal ECIES, signed, 200 B`,
      name,
      fmt(
        opsPerSecond(
          () => sealAsymmetric(payload, recipient.publicKey, sender.privateKey, { provider: p }),
          n,
        ),
      ),
      'ops/s',
    ])
    rows.push([
      `open ECIES, signed, 200 B`,
      name,
      fmt(opsPerSecond(() => open(asym, { privateKey: recipient.privateKey }, { provider: p }), n)),
      'ops/s',
    ])

    // PoW at the default target over distinct envelopes (cost varies per envelope).
    const topic = topicFromName('bench')
    const envs = Array.from({ length: quick ? 20 : 100 }, (_, i) =>
      createEnvelope({
        topic,
        data: Uint8Array.from({ length: 284 }, (_, j) => (i + j) & 0xff),
        ttl: 50,
        now: 1_700_000_000 + i,
      }),
    )
    const times: number[] = []
    for (const e of envs) {
      const t0 = process.hrtime.bigint()
      seal(e, limits.DEFAULT_POW_TARGET, { provider: p })
      times.push(Number(process.hrtime.bigint() - t0) / 1e6)
    }
    rows.push([
      `PoW seal, target ${limits.DEFAULT_POW_TARGET}, 284 B data, TTL 50`,
      name,
      median(times).toFixed(3),
      'ms/envelope (median)',
    ])
  }

  const count = quick ? 10_000 : 100_000
  const topics = [0, 1, 2, 3].map((i) => topicFromName(`bench-${i}`))
  const envs: Envelope[] = []
  for (let i = 0; i < count; i++) {
    const data = new Uint8Array(300)
    new DataView(data.buffer).setUint32(0, i)
    envs.push(
      createEnvelope({
        topic: topics[i % 4]!,
        data,
        ttl: 3600,
        now: 1_700_000_000 + Math.floor(i / 100),
      }),
    )
  }
  const dir = mkdtempSync(join(tmpdir(), 'pfs-bench-'))
  try {
    for (const [name, make] of [
      [
        'SQLite (WAL)',
        () => new SqliteEnvelopeStore(join(dir, 'bench.sqlite3'), { provider: providers.native }),
      ],
      ['memory', () => new MemoryEnvelopeStore({ provider: providers.native })],
    ] as const) {
      const store: EnvelopeStore = make()
      const t0 = process.hrtime.bigint()
      store.putMany(envs, 1_700_000_000)
      const insertS = Number(process.hrtime.bigint() - t0) / 1e9
      rows.push([
        `store insert (batched), ${count} envelopes`,
        name,
        fmt(count / insertS),
        'envelopes/s',
      ])
      const q0 = process.hrtime.bigint()
      let pages = 0
      let got = 0
      let cursor: Uint8Array | undefined
      do {
        const page = store.query(
          {
            topics: [topics[0]!, topics[1]!],
            from: 0,
            to: 2 ** 32 - 1,
            limit: 100,
            ...(cursor !== undefined && { cursor }),
          },
          1_700_000_000,
        )
        pages++
        got += page.envelopes.length
        cursor = page.cursor
      } while (cursor !== undefined)
      const qs = Number(process.hrtime.bigint() - q0) / 1e9
      rows.push([
        `store query, 2 topics, pages of 100 (${got} envelopes)`,
        name,
        fmt(pages / qs),
        `pages/s (${fmt(got / qs)} envelopes/s)`,
      ])
      store.close()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }

  const header = ['operation', 'provider / store', 'result', 'unit']
  printTable(header, rows)
  const m = machine()
  console.log(`\nmachine: ${m}`)
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`
  const md = [
    '# Transport benchmarks',
    '',
    'Generated by `npm run bench -- transport`. Payload seal/open include signing/recovery; PoW is',
    'the median over distinct envelopes; store figures are one run over the stated count.',
    '',
    line(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(line),
    '',
    `Machine: ${m}`,
    '',
  ].join('\n')
  const out = fileURLToPath(new URL('./results/', import.meta.url))
  mkdirSync(out, { recursive: true })
  writeFileSync(join(out, 'transport.md'), md)
  await Promise.resolve()
}
