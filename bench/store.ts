/**
 * `npm run bench -- store [--quick]`: transactions/s of the per-message store work — load the
 * session, save its new ratchet state, delete the used message key, insert the message — in one
 * `transaction`, for `MemoryStore` and `SqliteStore` (synchronous NORMAL and FULL, plain and
 * encrypted at rest), on a file in a temporary directory. Median of 5 rounds of ~300 ms after a
 * warm-up. Prints a Markdown table and writes it, with the machine line, to bench/results/store.md.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { MemoryStore, SqliteStore } from '../src/store/index.ts'
import type { Store } from '../src/store/index.ts'
import { fmt, machine, median, printTable } from './harness.ts'

const SESSION = Uint8Array.from([1, 2, 3, 4])
const PEER = new Uint8Array(33).fill(0xb0)
const RATCHET = new Uint8Array(33).fill(0x4a)
/** About the size of a serialized ratchet state with a few skipped keys. */
const STATE_BYTES = 512

function setup(store: Store): void {
  store.transaction(() => {
    store.putInstallation({
      identity: PEER,
      installationId: 'peer-1',
      enabled: true,
      version: 1,
      firstSeen: 1n,
      lastSeen: 1n,
      stale: false,
    })
    store.putSession({
      id: SESSION,
      identity: PEER,
      installationId: 'peer-1',
      bundleId: new Uint8Array(33).fill(3),
      sk: new Uint8Array(32).fill(7),
      state: new Uint8Array(STATE_BYTES).fill(1),
      createdAt: 0,
      expiresAt: Number.MAX_SAFE_INTEGER,
    })
  })
}

/** Stores message keys [from, to) outside the timed region (each transaction uses one). */
function addKeys(store: Store, from: number, to: number): void {
  store.transaction(() => {
    for (let n = from; n < to; n++) {
      store.putSkippedKey({
        sessionId: SESSION,
        ratchetPublic: RATCHET,
        n,
        key: new Uint8Array(32).fill(n & 0xff),
        storedAt: n,
      })
    }
  })
}

function measure(store: Store, roundMs: number): number {
  setup(store)
  let n = 0
  let keys = 0
  const body = () => {
    const session = store.getSession(SESSION)!
    const state = session.state
    state[0] = n & 0xff
    store.updateSessionState(SESSION, state)
    if (store.takeSkippedKey(RATCHET, n) === undefined) throw new Error('key missing')
    store.addMessage({
      id: `m-${n}`,
      chatId: 'bench',
      direction: 'incoming',
      sender: PEER,
      text: 'a typical short chat message, about sixty characters long',
      sentAt: n,
      receivedAt: n,
      pfs: true,
    })
    n++
  }
  const tx = () => store.transaction(body)
  // Warm-up, and a first estimate of the rate to size the key pool of each round.
  keys = 200
  addKeys(store, 0, keys)
  let t0 = process.hrtime.bigint()
  for (let i = 0; i < 200; i++) tx()
  let rate = 200 / (Number(process.hrtime.bigint() - t0) / 1e9)
  const rates: number[] = []
  for (let round = 0; round < 5; round++) {
    const need = Math.ceil((rate * roundMs) / 1000) * 2 + 100
    addKeys(store, keys, keys + need)
    keys += need
    let done = 0
    t0 = process.hrtime.bigint()
    let elapsed = 0
    while (elapsed < roundMs && done < need) {
      for (let i = 0; i < 50 && done < need; i++, done++) tx()
      elapsed = Number(process.hrtime.bigint() - t0) / 1e6
    }
    rate = (done * 1000) / elapsed
    rates.push(rate)
  }
  return median(rates)
}

export default async function main(args: string[]): Promise<void> {
  await Promise.resolve()
  const roundMs = args.includes('--quick') ? 100 : 300
  const dir = mkdtempSync(join(tmpdir(), 'pfs-bench-store-'))
  const configs: [string, string, () => Store][] = [
    ['MemoryStore', '—', () => new MemoryStore()],
    ['SqliteStore', 'NORMAL', () => SqliteStore.open(join(dir, 'normal.sqlite'))],
    [
      'SqliteStore',
      'FULL',
      () => SqliteStore.open(join(dir, 'full.sqlite'), { synchronous: 'FULL' }),
    ],
    [
      'SqliteStore, encrypted at rest',
      'NORMAL',
      () => SqliteStore.open(join(dir, 'enc-normal.sqlite'), { passphrase: 'bench passphrase' }),
    ],
    [
      'SqliteStore, encrypted at rest',
      'FULL',
      () =>
        SqliteStore.open(join(dir, 'enc-full.sqlite'), {
          synchronous: 'FULL',
          passphrase: 'bench passphrase',
        }),
    ],
  ]
  const rows: string[][] = []
  try {
    for (const [name, sync, make] of configs) {
      const store = make()
      try {
        const rate = measure(store, roundMs)
        rows.push([name, sync, fmt(rate), `${(1e6 / rate).toFixed(1)} µs`])
      } finally {
        store.close()
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  const header = ['store', 'synchronous', 'transactions/s', 'per transaction']
  const mline = machine()
  console.log(`Store benchmark (${mline})`)
  printTable(header, rows)
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`
  const md = [
    '# Store benchmarks',
    '',
    'Generated by `npm run bench -- store`. One transaction = load the session, save its new',
    `ratchet state (${STATE_BYTES} B), delete the used message key, insert the message — the store work`,
    'of handling one message (DESIGN.md "Storage"). Median of 5 rounds of ~300 ms after a warm-up,',
    'single-threaded, database file in the OS temporary directory (WAL mode). "encrypted at rest"',
    'seals the state, the key and the message body with AES-256-GCM (native provider).',
    'Target: ≥ 5,000 transactions/s with NORMAL.',
    '',
    `Machine: ${mline}`,
    '',
    line(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(line),
    '',
  ].join('\n')
  const out = fileURLToPath(new URL('./results/', import.meta.url))
  mkdirSync(out, { recursive: true })
  writeFileSync(join(out, 'store.md'), md)
}
