/**
 * Opens store-node envelopes ahead of the main thread during `Messenger.sync()` (issue 9
 * catch-up): a worker thread runs the transport's `open` (ECIES decryption, signature recovery)
 * on the next batches while the main thread runs `Protocol.handle` and SQLite on the current one.
 * Each result is handed to the transport with `rememberOpened`, so the main thread's own `open` of
 * that envelope returns it instead of decrypting again; the messenger's code path, its order and
 * its atomicity (one transaction per batch, a savepoint per envelope) are unchanged. Every
 * signature is still recovered and checked (in the worker, by the same `open`) before anything is
 * trusted or stored, and results are byte-identical because they are `open`'s own output.
 *
 * Only with the `native` provider (the worker's), in Node, with at least 2 CPUs, and once a sync
 * has fetched a full batch (a short sync never starts a worker). The worker is used only when it
 * helps: a batch that is due before the worker took it is opened on the main thread as before,
 * and if the worker cannot start or fails, everything is. Topic keys go to the worker once each
 * (moved, not copied) and are wiped there when the pool closes.
 *
 * With `sessions` and `recovered`, the worker also recovers the application signatures ahead
 * (sync-open-worker.ts, a shadow copy of our ratchet sessions): the snapshot goes once, when the
 * worker is ready and before its first batch, its state bytes copied and moved; the public
 * `{ signature, digest, signer }` entries it sends back (after each batch's `opened` reply, as it
 * gets to them) go into `recovered`, where `unwrapApplicationMessage` uses them only on an exact
 * match (`RecoveredSignatures`, app-message.ts). Entries that come too late are simply unused.
 *
 * @module
 */
import type { Worker } from 'node:worker_threads'
import { providers, wipe } from '../crypto/index.ts'
import type { CryptoProvider } from '../crypto/index.ts'
import { rememberOpened } from '../transport/portable.ts'
import type { Envelope, OpenKey } from '../transport/portable.ts'
import type { RecoveredSignatures } from './app-message.ts'
import { forEachApp } from './sync-app-entries.ts'
import type { FromWorker, SessionSnapshot, ToWorker } from './sync-open-worker.ts'

export type { SessionSnapshot } from './sync-open-worker.ts'

/**
 * Built-ins by name at run time (`process.getBuiltinModule`), without the `node:` scheme: the
 * browser bundle holds no Node specifier (test/browser/browser.test.ts checks for one).
 */
const WORKER_THREADS = 'worker_threads'
const OS = 'os'

/** Batches queued ahead of the one being handled: the worker opens these meanwhile. */
const LOOKAHEAD = 4
/** Requests in the worker at once (so that it never waits for the main thread to yield). */
const MAX_IN_FLIGHT = 4

export interface SyncOpenerOptions {
  readonly provider: CryptoProvider
  /** The key the messenger will open this envelope with; undefined: not opened ahead. */
  readonly keyOf: (envelope: Envelope) => OpenKey | undefined
  /**
   * Our installation id and the sessions to decrypt ahead in (read once, when the worker is
   * ready); without it, or with `recovered` missing, no application signature is recovered ahead.
   * The pool takes the returned states over: once copied for the worker, their bytes are wiped.
   */
  readonly sessions?: () => { installationId: string; sessions: readonly SessionSnapshot[] }
  /** Where the signatures the worker recovered go (public values only). */
  readonly recovered?: RecoveredSignatures
}

interface Batch {
  readonly envelopes: readonly Envelope[]
  /** Set once sent to the worker; resolves when its results are remembered (or lost). */
  done: Promise<void> | undefined
}

/** The worker's entry module, beside this one (`.ts` when run from source under tsx). */
function workerEntry(): { entry: string; tsx: string | undefined } {
  const self = import.meta.url
  const ext = self.endsWith('.ts') ? '.ts' : '.js'
  const entry = new URL(`./sync-open-worker${ext}`, self).href
  // From source, the worker needs tsx's loader (a worker does not inherit `--import tsx`).
  return { entry, tsx: ext === '.ts' ? import.meta.resolve('tsx/esm/api') : undefined }
}

/** CommonJS bootstrap run with `eval`: registers tsx when needed, then loads the entry. */
const BOOTSTRAP = `
const { workerData } = require('worker_threads')
;(async () => {
  if (workerData.tsx !== undefined) (await import(workerData.tsx)).register()
  await import(workerData.entry)
})()
`

export class SyncOpener {
  readonly #options: SyncOpenerOptions
  readonly #queue: Batch[] = []
  readonly #keyIds = new Map<OpenKey, number>()
  readonly #requests = new Map<
    number,
    { batch: Batch; keys: (OpenKey | undefined)[]; done: () => void }
  >()
  #worker: Worker | undefined
  #state: 'idle' | 'starting' | 'ready' | 'off' = 'idle'
  #nextId = 1
  #exited: Promise<void> | undefined

  constructor(options: SyncOpenerOptions) {
    this.#options = options
    if (options.provider !== providers.native) this.#state = 'off'
  }

  /** True once the worker has started and takes batches (for tests and diagnostics). */
  get workerReady(): boolean {
    return this.#state === 'ready'
  }

  /** Queues a batch; hands the oldest to `flush` while more than `LOOKAHEAD` wait. */
  async push(
    envelopes: readonly Envelope[],
    flush: (e: readonly Envelope[]) => void,
  ): Promise<void> {
    if (this.#state === 'idle') this.#start()
    this.#queue.push({ envelopes, done: undefined })
    this.#pump()
    while (this.#queue.length > LOOKAHEAD) await this.#handleOldest(flush)
  }

  /** Hands every queued batch to `flush`, in order. */
  async drain(flush: (e: readonly Envelope[]) => void): Promise<void> {
    while (this.#queue.length > 0) await this.#handleOldest(flush)
  }

  /** Stops the worker (which wipes its keys first); the opener then works without one. */
  async close(): Promise<void> {
    const w = this.#worker
    const started = this.#state === 'ready'
    this.#state = 'off'
    this.#worker = undefined
    if (w === undefined) return
    // Keys are only sent once the worker is ready: before that it holds nothing to wipe.
    if (!started) {
      await w.terminate()
      return
    }
    w.ref()
    w.postMessage({ t: 'close' } satisfies ToWorker)
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<void>((r) => (timer = setTimeout(r, 2000)))
    await Promise.race([this.#exited, timeout])
    clearTimeout(timer)
    await w.terminate()
  }

  async #handleOldest(flush: (e: readonly Envelope[]) => void): Promise<void> {
    // With a worker, one turn of the event loop, so that its messages (ready, results) come in.
    if (this.#worker !== undefined) await new Promise<void>((r) => setImmediate(r))
    const batch = this.#queue[0]!
    if (batch.done !== undefined) await batch.done
    this.#queue.shift()
    this.#pump()
    flush(batch.envelopes)
  }

  /** Starts the worker (synchronously: a sync may not yield to the event loop for a while). */
  #start(): void {
    this.#state = 'off'
    // Node ≥ 20.16 only; elsewhere (a browser, older Node) everything stays on the main thread.
    if (typeof process === 'undefined') return
    const builtin = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule
    if (typeof builtin !== 'function') return
    const os = builtin(OS) as typeof import('node:os')
    const wt = builtin(WORKER_THREADS) as typeof import('node:worker_threads')
    if (os.availableParallelism() < 2) return
    try {
      const w = new wt.Worker(BOOTSTRAP, { eval: true, workerData: workerEntry() })
      // Kept alive only while it has work: an idle pool never holds the process open.
      w.unref()
      this.#state = 'starting'
      this.#worker = w
      this.#exited = new Promise((r) =>
        w.once('exit', () => {
          r()
        }),
      )
      w.on('message', (m: FromWorker) => {
        this.#onMessage(m)
      })
      w.on('error', () => {
        this.#fail()
      })
      w.once('exit', () => {
        this.#fail()
      })
    } catch {
      this.#worker = undefined
    }
  }

  #onMessage(m: FromWorker): void {
    if (m.t === 'apps') {
      const recovered = this.#options.recovered
      if (recovered !== undefined) {
        forEachApp(m.entries, (a) => {
          recovered.remember(a.signature, a.digest, a.signer)
        })
      }
      return
    }
    if (m.t === 'ready') {
      if (this.#state === 'starting') {
        this.#state = 'ready'
        this.#sendSessions()
      }
      this.#pump()
      return
    }
    const req = this.#requests.get(m.id)
    if (req === undefined) return
    this.#requests.delete(m.id)
    req.batch.envelopes.forEach((e, i) => {
      const key = req.keys[i]
      const result = m.results[i]
      if (key !== undefined && result !== undefined && result !== null) {
        rememberOpened(e.data, key, result)
      }
    })
    req.done()
    this.#pump()
    if (this.#requests.size === 0) this.#worker?.unref()
  }

  /** The worker is gone: what it had is opened on the main thread. */
  #fail(): void {
    this.#state = 'off'
    this.#worker = undefined
    for (const req of this.#requests.values()) req.done()
    this.#requests.clear()
  }

  /**
   * Sends the session snapshot, once (the worker is ready, no batch sent yet). The states are
   * secrets: each is copied into its own buffer, which is moved, and the snapshot's own bytes are
   * wiped, so no copy stays on this thread.
   */
  #sendSessions(): void {
    const w = this.#worker
    const list = this.#options.sessions
    if (w === undefined || list === undefined || this.#options.recovered === undefined) return
    let snapshot: ReturnType<typeof list>
    try {
      snapshot = list()
    } catch {
      // The store could not be read: the worker only opens envelopes, as without a snapshot.
      return
    }
    if (snapshot.sessions.length === 0) return
    const sessions = snapshot.sessions.map((s) => ({
      identity: Uint8Array.from(s.identity),
      installationId: s.installationId,
      bundleId: Uint8Array.from(s.bundleId),
      // A fresh buffer of its own (never a view into a store's pooled memory), moved below.
      state: new Uint8Array(s.state),
    }))
    for (const s of snapshot.sessions) wipe(s.state)
    const message: ToWorker = { t: 'sessions', installationId: snapshot.installationId, sessions }
    w.postMessage(
      message,
      sessions.map((s) => s.state.buffer),
    )
  }

  /** Sends queued batches (never the one due next) while the worker has room. */
  #pump(): void {
    const w = this.#worker
    if (this.#state !== 'ready' || w === undefined) return
    for (let i = 1; i < this.#queue.length && this.#requests.size < MAX_IN_FLIGHT; i++) {
      const batch = this.#queue[i]!
      if (batch.done !== undefined) continue
      const keys = batch.envelopes.map((e) => this.#keyId(w, this.#options.keyOf(e)))
      const id = this.#nextId++
      batch.done = new Promise((done) => {
        this.#requests.set(id, {
          batch,
          keys: keys.map((k) => k?.key),
          done,
        })
      })
      // One buffer for the whole batch, moved to the worker: cloning a hundred small arrays
      // cost the main thread more than copying their bytes once.
      const ends = new Uint32Array(batch.envelopes.length)
      let total = 0
      batch.envelopes.forEach((e, j) => (ends[j] = total += e.data.length))
      const data = new Uint8Array(total)
      batch.envelopes.forEach((e, j) => {
        data.set(e.data, j === 0 ? 0 : ends[j - 1])
      })
      const keyIds = Int32Array.from(keys, (k) => k?.id ?? -1)
      const message: ToWorker = { t: 'open', id, data, ends, keys: keyIds }
      w.postMessage(message, [data.buffer, ends.buffer, keyIds.buffer])
      w.ref()
    }
  }

  /** The worker's id of `key`, sending the key (moved out of a fresh copy) on first use. */
  #keyId(w: Worker, key: OpenKey | undefined): { id: number; key: OpenKey } | undefined {
    if (key === undefined) return undefined
    let id = this.#keyIds.get(key)
    if (id === undefined) {
      const sym = 'symKey' in key
      let bytes: Uint8Array
      try {
        bytes = (sym ? key.symKey : key.privateKey).use((b) => b.slice())
      } catch {
        return undefined
      }
      id = this.#keyIds.size
      this.#keyIds.set(key, id)
      w.postMessage({ t: 'key', id, sym, bytes } satisfies ToWorker, [bytes.buffer as ArrayBuffer])
    }
    return { id, key }
  }
}
