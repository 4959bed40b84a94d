/**
 * Crash safety (DESIGN.md "Storage"): a child process writes 10,000 "ratchet step + message
 * stored" transactions (fixtures/crash-writer.ts) and is killed with SIGKILL at random points, at
 * least 20 times, restarting after each kill. After every kill the database must open, pass
 * `PRAGMA integrity_check` and `foreign_key_check`, and hold whole transactions only: session
 * counter == number of messages == the one remaining skipped key's number, messages 0..counter−1
 * all present with their text. Every commit the child acknowledged before dying must be there.
 *
 * Randomness is seeded; the seed is printed on failure (set PFS_CRASH_SEED to replay).
 *
 * @module
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { SqliteStore } from '../../src/store/index.ts'
import { CHAT, SESSION_ID, decodeState, messageText } from './fixtures/crash-shared.ts'
import { tempDir } from './helpers.ts'

const TOTAL = 10_000
const MIN_KILLS = 20
const KILLS = 30
const WRITER = fileURLToPath(new URL('./fixtures/crash-writer.ts', import.meta.url))
const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** mulberry32: small seeded PRNG for reproducible kill points. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Checks the invariants and returns the committed transaction count. */
function verify(path: string): number {
  const store = SqliteStore.open(path)
  let counter = 0
  try {
    const session = store.getSession(SESSION_ID)
    if (session !== undefined) {
      counter = decodeState(session.state)
      assert.equal(store.countMessages(CHAT), counter, 'messages == session counter')
      const messages = store.listMessages(CHAT)
      messages.forEach((m, i) => {
        assert.equal(m.id, `m-${i}`)
        assert.equal(m.text, messageText(i))
      })
      assert.equal(store.countSkippedKeys(SESSION_ID), 1, 'exactly one skipped key')
    } else {
      assert.equal(store.countMessages(), 0)
    }
  } finally {
    store.close()
  }
  const db = new Database(path, { readonly: true })
  try {
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok')
    assert.deepEqual(db.pragma('foreign_key_check'), [])
    if (counter > 0) {
      assert.deepEqual(
        db.prepare('SELECT n FROM skipped_keys').pluck().all(),
        [BigInt(counter)].map(Number),
        'the remaining key is the next one',
      )
    }
  } finally {
    db.close()
  }
  return counter
}

interface Run {
  readonly killed: boolean
  readonly acknowledged: number
}

/** Runs the writer once; kills it when it acknowledges `killAt` (or after `killAfterMs`). */
function runWriter(
  path: string,
  killAt: number | undefined,
  killAfterMs: number | undefined,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, path, String(TOTAL)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let acknowledged = 0
    let killed = false
    let stderr = ''
    let buffer = ''
    const kill = () => {
      if (!killed && child.exitCode === null) {
        killed = child.kill('SIGKILL')
      }
    }
    const timer = killAfterMs === undefined ? undefined : setTimeout(kill, killAfterMs)
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => {
      buffer += chunk
      const lines = buffer.split('\n')
      buffer = lines.pop()!
      for (const line of lines) {
        if (line === 'ready') continue
        acknowledged = Number(line)
        if (killAt !== undefined && acknowledged >= killAt) kill()
      }
    })
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (chunk: string) => (stderr += chunk))
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      if (timer !== undefined) clearTimeout(timer)
      if (signal === 'SIGKILL' && killed) resolve({ killed: true, acknowledged })
      else if (code === 0) resolve({ killed: false, acknowledged })
      else reject(new Error(`writer failed (code ${code}, signal ${signal}): ${stderr}`))
    })
  })
}

test(
  'SIGKILL at random points never leaves a partial transaction',
  { timeout: 120_000 },
  async (t) => {
    const seed = Number(process.env['PFS_CRASH_SEED'] ?? Date.now() % 2 ** 31)
    const random = prng(seed)
    const dir = tempDir('pfs-crash-')
    const path = join(dir.dir, 'crash.sqlite')
    let kills = 0
    let runs = 0
    let lastAcknowledged = 0
    try {
      for (;;) {
        const committed = verify(path)
        assert.ok(
          committed >= lastAcknowledged,
          `acknowledged commit lost: ${committed} < ${lastAcknowledged} (seed ${seed})`,
        )
        if (committed >= TOTAL) break
        runs++
        assert.ok(runs < KILLS + 20, `too many runs (seed ${seed})`)
        let run: Run
        if (kills < KILLS) {
          // Mostly kill after a random number of commits (mid-transaction, since the child never
          // pauses); sometimes at a random moment, which can fall in start-up or migration.
          // The commit budget per run shrinks so that the kills spread over the whole run.
          const byTime = random() < 0.2
          const budget = Math.min(500, (TOTAL - committed) / (KILLS - kills + 1))
          const killAt = byTime ? undefined : committed + 1 + Math.floor(random() * budget)
          const killAfterMs = byTime ? Math.floor(random() * 300) : undefined
          run = await runWriter(path, killAt, killAfterMs)
        } else {
          run = await runWriter(path, undefined, undefined)
        }
        if (run.killed) kills++
        lastAcknowledged = Math.max(lastAcknowledged, run.acknowledged)
      }
      assert.ok(kills >= MIN_KILLS, `only ${kills} kills (seed ${seed})`)
      t.diagnostic(`seed ${seed}: ${runs} runs, ${kills} SIGKILLs, ${TOTAL} transactions verified`)
    } catch (e) {
      throw new Error(`crash test failed with seed ${seed} after ${kills} kills`, { cause: e })
    } finally {
      dir.remove()
    }
  },
)
