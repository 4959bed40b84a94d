/**
 * Messenger crash safety (issue 10): a receiver `Messenger` on a `SqliteStore` runs in a child
 * process (`receiver.ts`) and is killed with SIGKILL at random points while it syncs a stream of
 * messages from the store-node archive the parent writes (`shared-network.ts`); then it is
 * started again. After every restart and its first sync, every message the parent had sent
 * before the restart must be in its history exactly once; no decryption may fail (the ratchet
 * state on disk always matches the messages stored); at the end the whole stream is there
 * exactly once and in order, and a reply from the child decrypts on the parent (the sessions
 * continue both ways).
 *
 * Kill points are seeded (`Prng`); the seed is in every failure message.
 *
 * @module
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Messenger } from '../../src/messenger/index.ts'
import { MemoryStore, SqliteStore } from '../../src/store/index.ts'
import { Prng, envelopeHash } from '../../src/transport/index.ts'
import type { Network } from '../../src/transport/index.ts'
import { sharedNetwork } from './shared-network.ts'

const RECEIVER = fileURLToPath(new URL('./receiver.ts', import.meta.url))
const ROOT = fileURLToPath(new URL('../../', import.meta.url))

export interface CrashOptions {
  readonly seed: number
  /** SIGKILLs to deliver. */
  readonly kills: number
  /** Messages sent while each child runs (at most; the kill may come first). */
  readonly messagesPerRun?: number
  readonly log?: (line: string) => void
}

/** `lost`: a message never reached the history; `broken`: anything else (must never happen). */
export interface CrashProblem {
  readonly kind: 'lost' | 'broken'
  readonly text: string
}

export interface CrashReport {
  readonly seed: number
  readonly kills: number
  readonly runs: number
  readonly sent: number
  /** Message events the child printed for texts it had already printed (shown twice). */
  readonly shownTwice: number
  /** Messages missing from the final history. */
  readonly lost: readonly string[]
  /** Of those, how many the receiver's store records as seen envelopes (never to be fetched). */
  readonly lostButSeen: number
  /** Problems found; empty when the test passed. */
  readonly problems: readonly CrashProblem[]
}

interface ChildRun {
  readonly lines: string[]
  readonly killed: boolean
}

/** Starts the child; `onLine` may call `kill()`; resolves when it exits. */
function runChild(
  dir: string,
  mode: 'init' | 'run' | 'final',
  onLine: (line: string, kill: () => void) => void,
): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', RECEIVER, dir, mode], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const lines: string[] = []
    let killed = false
    let buffer = ''
    let stderr = ''
    const kill = () => {
      if (!killed && child.exitCode === null) killed = child.kill('SIGKILL')
    }
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => {
      buffer += chunk
      const parts = buffer.split('\n')
      buffer = parts.pop()!
      for (const l of parts) {
        lines.push(l)
        onLine(l, kill)
      }
    })
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (chunk: string) => (stderr += chunk))
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      if (killed && signal === 'SIGKILL') resolve({ lines, killed: true })
      else if (code === 0) resolve({ lines, killed: false })
      else reject(new Error(`receiver ${mode} failed (code ${String(code)}): ${stderr}`))
    })
  })
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export async function runCrashTest(options: CrashOptions): Promise<CrashReport> {
  const { seed } = options
  const prng = new Prng(`crash-${String(seed)}`)
  const log = options.log ?? (() => undefined)
  const dir = mkdtempSync(join(tmpdir(), 'pfs-messenger-crash-'))
  const network = sharedNetwork(join(dir, 'envelopes.sqlite'))
  const problems: CrashProblem[] = []
  const broken = (text: string) => problems.push({ kind: 'broken', text })
  let lost: string[] = []
  const shown = new Set<string>()
  let shownTwice = 0
  const sent: string[] = []
  let kills = 0
  let runs = 0
  // Which envelope carries which text, to tell afterwards what the receiver had marked seen.
  const envelopes = new Map<string, Uint8Array>()
  let sending: string | undefined
  const senderNetwork: Network = {
    publish: (e) => {
      if (sending !== undefined) envelopes.set(sending, envelopeHash(e))
      return network.publish(e)
    },
    subscribe: (topics, handler) => network.subscribe(topics, handler),
    history: (q) => network.history(q),
  }
  const sender = await Messenger.create({
    network: senderNetwork,
    store: new MemoryStore(),
    deviceName: 'sender',
  })
  let lostButSeen = 0
  try {
    // The receiver's account, and a contact request it accepts in its first run.
    const init = await runChild(dir, 'init', () => undefined)
    const { publicKey, contactCode } = JSON.parse(init.lines[0] ?? '{}') as {
      publicKey: string
      contactCode: string
    }
    await sender.addContact(contactCode, 'crash test')
    let n = 0
    const send = async () => {
      const text = `c${String(n++)}`
      sending = text
      try {
        await sender.send(publicKey, text)
      } finally {
        sending = undefined
      }
      sent.push(text)
    }
    while (kills < options.kills) {
      runs++
      const before = sent.length
      let synced = false
      let stopSending = false
      const budget = options.messagesPerRun ?? 20
      const run = runChild(dir, 'run', (l, kill) => {
        if (l.startsWith('msg ')) {
          const text = l.slice(4)
          if (shown.has(text)) shownTwice++
          shown.add(text)
        } else if (l.startsWith('fail ') || l.startsWith('error ')) {
          broken(`run ${String(runs)}: ${l}`)
        } else if (l.startsWith('synced ')) {
          synced = true
          const [count, dupes] = l.slice(7).split(' ').map(Number) as [number, number]
          if (count < before) {
            problems.push({
              kind: 'lost',
              text: `run ${String(runs)}: ${String(count)} of ${String(before)} messages after restart and sync`,
            })
          }
          if (dupes !== 0) broken(`run ${String(runs)}: ${String(dupes)} duplicates in history`)
          // Kill while it receives: after a random share of this run's messages.
          const after = Math.floor(prng.next() * budget)
          void (async () => {
            for (let i = 0; i < budget && !stopSending; i++) {
              if (i === after) {
                await sleep(prng.next() * 30)
                kill()
              }
              await send()
              await sleep(2 + prng.next() * 10)
            }
            kill()
          })()
        }
      })
      const result = await run
      stopSending = true
      if (!synced && !result.killed) broken(`run ${String(runs)}: exited before syncing`)
      if (result.killed) kills++
      log(
        `run ${String(runs)}: ${result.killed ? 'killed' : 'exited'}, ${String(sent.length)} sent`,
      )
      // Sometimes more messages arrive while it is down.
      if (prng.chance(0.3)) for (let i = 0; i < 3; i++) await send()
      await sleep(10)
    }
    await sleep(50)
    // Final: everything exactly once and in order; a reply decrypts here.
    const final = await runChild(dir, 'final', () => undefined)
    const historyLine = final.lines.find((l) => l.startsWith('history '))
    const history = historyLine === undefined ? [] : (JSON.parse(historyLine.slice(8)) as string[])
    for (const l of final.lines) {
      if (l.startsWith('fail ') || l.startsWith('error ')) broken(`final: ${l}`)
    }
    lost = sent.filter((t) => !history.includes(t))
    if (lost.length > 0) {
      const store = SqliteStore.open(join(dir, 'receiver.sqlite'))
      try {
        for (const t of lost) {
          const h = envelopes.get(t)
          if (h !== undefined && store.hasSeenEnvelope(h)) lostButSeen++
        }
      } finally {
        store.close()
      }
      problems.push({
        kind: 'lost',
        text: `final history lacks ${String(lost.length)} of ${String(sent.length)}: ${lost.slice(0, 10).join(',')}; the receiver's store marks ${String(lostButSeen)} of their envelopes as seen`,
      })
    }
    const dupes = history.length - new Set(history).size
    if (dupes > 0) broken(`final history: ${String(dupes)} duplicates`)
    const kept = sent.filter((t) => history.includes(t))
    if (JSON.stringify(history.filter((t) => kept.includes(t))) !== JSON.stringify(kept)) {
      broken('final history out of order')
    }
    const forgotten = [...shown].filter((t) => !history.includes(t))
    if (forgotten.length > 0) {
      broken(`shown before a kill, gone after: ${forgotten.slice(0, 10).join(',')}`)
    }
    let reply = false
    sender.on('message', (e) => {
      if (!e.outgoing && e.text === 'reply after all the kills') reply = true
    })
    await sender.sync()
    if (!reply) broken('the reply from the receiver did not decrypt')
    if (shownTwice > 0) broken(`${String(shownTwice)} messages shown twice across restarts`)
  } finally {
    await sender.close()
    network.close()
    rmSync(dir, { recursive: true, force: true })
  }
  return { seed, kills, runs, sent: sent.length, shownTwice, lost, lostButSeen, problems }
}
