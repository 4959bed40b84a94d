/**
 * `IndexedDbStore`: the browser's durable `Store` (DESIGN.md "Storage"; issue 11). It is a
 * `MemoryStore` with a redo journal in IndexedDB.
 *
 * Why this shape: the `Store` interface is synchronous (one handled message is one synchronous
 * transaction, so no `await` can slip between a read and the write that depends on it), and
 * IndexedDB is asynchronous. So every read and write runs on an in-memory `MemoryStore`, loaded
 * when the store opens, and each committed outermost transaction (or each write made outside one)
 * is appended to IndexedDB as a list of the `Store` calls that made it. Opening replays the
 * journal in order. `MemoryStore` is deterministic for a given sequence of calls, so the replayed
 * state is the committed state; the store never looks inside the records.
 *
 * Which calls are journaled is decided by name, so that methods added to `Store` later are covered
 * without changing this file: every method is a write except those named `get…`, `list…`,
 * `count…`, `find…` and `has…` (reads must keep these prefixes, and must not change state). Calls
 * that throw are not journaled (a `Store` method that throws has changed nothing), and the writes
 * of a nested transaction that threw are dropped from the journal with it.
 *
 * Durability model:
 * - A commit is applied in memory at once and is visible to every later call.
 * - Commits are appended in order, one IndexedDB transaction at a time (`durability: 'strict'`
 *   by default): the commits of one task, or all those made while the previous write was in
 *   flight, go together in one transaction, all or nothing.
 * - A commit is durable once `flush()` resolves. If the page closes earlier, the store reopens at
 *   an earlier commit boundary, never in between and never with a gap (the same guarantee as a
 *   crash of SqliteStore, minus the last commits). Callers that acknowledge something to a peer
 *   or a user (a sent message, a pairing) should `await flush()` first.
 * - If IndexedDB fails a write (quota, the database deleted by another tab), `flush()` rejects
 *   with `STORE_FAILURE` and every later call throws it: memory is ahead of disk, so the store
 *   must be reopened (it comes back at the last durable commit).
 * - One tab at a time: `open` takes a Web Lock named after the database and fails with
 *   `INVALID_STATE` while another tab holds it, so two journals never interleave.
 *
 * Costs: opening replays every write ever made (the journal is not compacted: `MemoryStore` offers
 * no way to export its tables). Records are stored as structured clones, not encrypted at rest.
 *
 * Owns: the journal format and replay. Does not own: record semantics (`MemoryStore`).
 *
 * @module
 */
import { PfsError, isPfsError } from '../../errors.ts'
import { MemoryStore } from '../memory.ts'
import type { Store } from '../types.ts'
import { defaultFactory, idbFailure, lockManager, requestResult, transactionDone } from './idb.ts'
import type { IdbDatabase, IdbDurability, IdbFactory } from './idb.ts'

/** Format of the journal records; bump it (and migrate) when the record shape changes. */
export const INDEXEDDB_JOURNAL_VERSION = 1

const DB_VERSION = 1
const JOURNAL = 'journal'
const META = 'meta'
const FORMAT_KEY = 'format'
const FORMAT_NAME = 'status-pfs/store-journal'

/** A `Store` call: method name and structured-cloned arguments. */
type Op = readonly [method: string, args: readonly unknown[]]
/** One IndexedDB record: the commits of one task, oldest first. */
interface JournalRecord {
  readonly v: number
  readonly commits: readonly (readonly Op[])[]
}

/** Names of `Store` methods that only read (see the module doc). */
const READ_METHOD = /^(get|list|count|find|has)[A-Z]/
/** Members of `Store` that are not journaled calls. */
const NOT_JOURNALED = new Set(['transaction', 'close', 'inTransaction', 'constructor'])

/** Options of `IndexedDbStore.open`. */
export interface IndexedDbStoreOptions {
  /**
   * IndexedDB transaction durability (default `strict`: a write is reported done only once the
   * browser has flushed it to disk; `relaxed` is faster and may lose the last commits on a power
   * failure, never tear one).
   */
  readonly durability?: IdbDurability
  /** The IndexedDB factory (default `globalThis.indexedDB`). */
  readonly factory?: IdbFactory
}

/** A `Store` kept in IndexedDB; see the module doc for when a commit is durable. */
export interface IndexedDbStore extends Store {
  /** The IndexedDB database name. */
  readonly databaseName: string
  /** Commits made but not yet reported durable by IndexedDB. */
  readonly pendingCommits: number
  /**
   * Resolves once every commit made so far is durable; rejects with `STORE_FAILURE` if IndexedDB
   * failed one (the store is then unusable: reopen it).
   */
  flush(): Promise<void>
  /**
   * Releases the store (later calls throw `INVALID_STATE`). Commits already made are still
   * written; `await flush()` before `close()` to know they were.
   */
  close(): void
}

/**
 * Writes commits to the journal, one IndexedDB transaction at a time: the commits made while one
 * is in flight go together in the next (group commit). Never two at once, so a failed write stops
 * every later one and the journal on disk is always a prefix of the commits.
 */
class JournalWriter {
  readonly #db: IdbDatabase
  readonly #durability: IdbDurability
  #queue: (readonly Op[])[] = []
  #scheduled = false
  #busy = false
  #pending = 0
  #waiters: (() => void)[] = []
  failure: PfsError | undefined

  constructor(db: IdbDatabase, durability: IdbDurability) {
    this.#db = db
    this.#durability = durability
  }

  /** Commits made and not yet reported durable. */
  get pending(): number {
    return this.#pending
  }

  commit(ops: readonly Op[]): void {
    this.#queue.push(ops)
    this.#pending++
    if (!this.#scheduled && !this.#busy) {
      this.#scheduled = true
      queueMicrotask(() => {
        this.#scheduled = false
        this.#start()
      })
    }
  }

  #idle(): boolean {
    return !this.#busy && (this.#queue.length === 0 || this.failure !== undefined)
  }

  /** Starts the IndexedDB transaction for the queued commits, unless one is in flight. */
  #start(): void {
    if (this.#busy || this.#queue.length === 0 || this.failure !== undefined) return
    const commits = this.#queue
    this.#queue = []
    this.#busy = true
    const record: JournalRecord = { v: INDEXEDDB_JOURNAL_VERSION, commits }
    let done: Promise<void>
    try {
      const tx = this.#db.transaction([JOURNAL], 'readwrite', { durability: this.#durability })
      tx.objectStore(JOURNAL).add(record)
      done = transactionDone(tx, 'journal write')
    } catch (e) {
      done = Promise.reject(isPfsError(e) ? e : idbFailure('journal write', errorName(e)))
    }
    void done
      .then(
        () => {
          this.#pending -= commits.length
        },
        (e: unknown) => {
          this.failure ??= isPfsError(e) ? e : idbFailure('journal write', errorName(e))
        },
      )
      .finally(() => {
        this.#busy = false
        this.#start()
        if (this.#idle()) {
          const waiters = this.#waiters
          this.#waiters = []
          for (const w of waiters) w()
        }
      })
  }

  /** Resolves when every commit so far is written; rejects with the failure if one was not. */
  async flush(): Promise<void> {
    this.#start()
    if (!this.#idle()) {
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve)
      })
    }
    if (this.failure !== undefined) throw this.failure
  }
}

function errorName(e: unknown): { name: string; message: string } {
  return { name: e instanceof Error ? e.name : 'unknown', message: '' }
}

function corrupt(message: string, details: Record<string, string | number> = {}): PfsError {
  return new PfsError('STORE_CORRUPT', message, details)
}

function openDatabase(factory: IdbFactory, name: string): Promise<IdbDatabase> {
  const request = factory.open(name, DB_VERSION)
  request.onupgradeneeded = () => {
    const db = request.result
    if (!db.objectStoreNames.contains(JOURNAL))
      db.createObjectStore(JOURNAL, { autoIncrement: true })
    if (!db.objectStoreNames.contains(META)) db.createObjectStore(META)
  }
  request.onblocked = () => {
    // Another connection holds an older version open; open() waits until it closes.
  }
  return requestResult(request, 'open')
}

/** Reads the format marker (writing it on a new database) and every journal record in order. */
async function readJournal(db: IdbDatabase, durability: IdbDurability): Promise<unknown[]> {
  const tx = db.transaction([META, JOURNAL], 'readwrite', { durability })
  const done = transactionDone(tx, 'load')
  // Awaited at the end; until then a failure must not surface as an unhandled rejection.
  done.catch(() => undefined)
  const meta = tx.objectStore(META)
  const format = await requestResult(meta.get(FORMAT_KEY), 'load')
  let records: unknown[] = []
  if (format === undefined) {
    meta.put({ format: FORMAT_NAME, version: INDEXEDDB_JOURNAL_VERSION }, FORMAT_KEY)
  } else {
    const f = format as { format?: unknown; version?: unknown }
    if (f.format !== FORMAT_NAME || typeof f.version !== 'number') {
      throw corrupt('not a status-pfs store database')
    }
    if (f.version > INDEXEDDB_JOURNAL_VERSION) {
      throw new PfsError('STORE_VERSION', 'store written by a newer version', {
        version: f.version,
      })
    }
    records = await requestResult(tx.objectStore(JOURNAL).getAll(), 'load')
  }
  await done
  return records
}

/** Applies the journal to a fresh store; any call that no longer succeeds is `STORE_CORRUPT`. */
function replay(store: MemoryStore, records: readonly unknown[]): void {
  const target = store as unknown as Record<string, unknown>
  records.forEach((raw, index) => {
    const record = raw as Partial<JournalRecord> | null
    if (record?.v !== INDEXEDDB_JOURNAL_VERSION || !Array.isArray(record.commits)) {
      throw corrupt('malformed journal record', { record: index })
    }
    for (const commit of record.commits) {
      if (!Array.isArray(commit)) throw corrupt('malformed journal record', { record: index })
      for (const op of commit as readonly unknown[]) {
        const [method, args] = Array.isArray(op) ? (op as unknown[]) : []
        const fn = typeof method === 'string' ? target[method] : undefined
        if (
          typeof method !== 'string' ||
          READ_METHOD.test(method) ||
          NOT_JOURNALED.has(method) ||
          typeof fn !== 'function' ||
          !Array.isArray(args)
        ) {
          throw corrupt('journal names an unknown store call', { record: index })
        }
        try {
          ;(fn as (...a: unknown[]) => unknown).apply(store, args)
        } catch {
          throw corrupt('journal does not replay', { record: index, method })
        }
      }
    }
  })
}

/** A held Web Lock: `release` lets it go; `held` settles once it is released. */
interface HeldLock {
  readonly release: () => void
  readonly held: Promise<unknown>
}

/**
 * Stores closed in this page that are still writing, by database name: a store reopened right
 * after `close()` waits for the old one's writes and lock, so it reads every commit.
 */
const closing = new Map<string, Promise<unknown>>()

/** Takes the database's Web Lock; undefined where the platform has no Web Locks. */
async function takeLock(name: string): Promise<HeldLock | undefined> {
  const locks = lockManager()
  if (locks === undefined) return undefined
  return new Promise((resolve, reject) => {
    const options = { mode: 'exclusive', ifAvailable: true } as const
    const held: Promise<unknown> = locks
      .request(`status-pfs/indexeddb/${name}`, options, (lock) => {
        if (lock === null) {
          reject(new PfsError('INVALID_STATE', 'the store is open in another tab or window'))
          return undefined
        }
        return new Promise<void>((release) => {
          resolve({ release, held })
        })
      })
      .catch((e: unknown) => {
        reject(isPfsError(e) ? e : idbFailure('lock', errorName(e)))
      })
  })
}

/** Builds the journaling proxy around a loaded `MemoryStore`. */
function journaled(
  inner: MemoryStore,
  db: IdbDatabase,
  name: string,
  durability: IdbDurability,
  lock: HeldLock | undefined,
): IndexedDbStore {
  const writer = new JournalWriter(db, durability)
  let journal: Op[] = []
  let depth = 0
  let closed = false
  const methods = new Map<string, (...args: unknown[]) => unknown>()

  const check = (): void => {
    if (writer.failure !== undefined && !closed) throw writer.failure
  }
  const record = (op: Op): void => {
    if (depth > 0) journal.push(op)
    else writer.commit([op])
  }

  const own = {
    databaseName: name,
    transaction: <T>(fn: () => T): T => {
      check()
      const mark = journal.length
      depth++
      let result: T
      try {
        result = inner.transaction(fn)
      } catch (e) {
        journal.length = mark
        throw e
      } finally {
        depth--
      }
      if (depth === 0 && journal.length > 0) {
        writer.commit(journal)
        journal = []
      }
      return result
    },
    close: (): void => {
      if (closed) return
      closed = true
      inner.close()
      // The commits already made are still written; then the connection and the lock go.
      const done: Promise<unknown> = writer
        .flush()
        .catch(() => undefined)
        .then(() => {
          db.close()
          lock?.release()
          return lock?.held
        })
        .finally(() => {
          if (closing.get(name) === done) closing.delete(name)
        })
      closing.set(name, done)
    },
    flush: (): Promise<void> => writer.flush(),
  }

  const wrap = (method: string, fn: (...args: unknown[]) => unknown) => {
    if (READ_METHOD.test(method)) {
      return (...args: unknown[]): unknown => {
        check()
        return fn.apply(inner, args)
      }
    }
    return (...args: unknown[]): unknown => {
      check()
      // Cloned before the call: the caller may wipe or reuse its arrays afterwards.
      let copy: unknown[]
      try {
        copy = structuredClone(args)
      } catch {
        throw new PfsError('INVALID_ARGUMENT', 'store arguments must be plain data', { method })
      }
      const result = fn.apply(inner, args)
      record([method, copy])
      return result
    }
  }

  db.onversionchange = () => {
    db.close()
    writer.failure ??= new PfsError(
      'STORE_FAILURE',
      'the database was deleted or upgraded elsewhere',
    )
  }

  return new Proxy(inner, {
    get(target, prop) {
      if (prop === 'pendingCommits') return writer.pending
      if (typeof prop === 'string' && Object.hasOwn(own, prop)) {
        return own[prop as keyof typeof own]
      }
      const value: unknown = Reflect.get(target, prop, target)
      if (typeof prop !== 'string' || typeof value !== 'function' || NOT_JOURNALED.has(prop)) {
        return value
      }
      let m = methods.get(prop)
      if (m === undefined) {
        m = wrap(prop, value as (...args: unknown[]) => unknown)
        methods.set(prop, m)
      }
      return m
    },
  }) as unknown as IndexedDbStore
}

/**
 * Opens (creating if needed) the store kept in the IndexedDB database `name` and loads it into
 * memory. `INVALID_STATE` if another tab has it open, `STORE_CORRUPT` / `STORE_VERSION` if the
 * database is not a journal this code can replay, `STORE_FAILURE` for IndexedDB errors,
 * `UNSUPPORTED` without IndexedDB.
 */
async function open(name: string, options: IndexedDbStoreOptions = {}): Promise<IndexedDbStore> {
  if (typeof name !== 'string' || name.length === 0) {
    throw new PfsError('INVALID_ARGUMENT', 'database name must be a non-empty string')
  }
  const factory = options.factory ?? defaultFactory()
  const durability = options.durability ?? 'strict'
  await closing.get(name)
  const lock = await takeLock(name)
  let db: IdbDatabase | undefined
  try {
    db = await openDatabase(factory, name)
    const records = await readJournal(db, durability)
    const inner = new MemoryStore()
    replay(inner, records)
    return journaled(inner, db, name, durability, lock)
  } catch (e) {
    db?.close()
    lock?.release()
    throw e
  }
}

/** Deletes the database `name` (close its store first, or this waits until it is closed). */
async function deleteDatabase(name: string, options: Pick<IndexedDbStoreOptions, 'factory'> = {}) {
  const factory = options.factory ?? defaultFactory()
  await requestResult(factory.deleteDatabase(name), 'delete')
}

/** Opens and deletes IndexedDB-backed stores. */
export const IndexedDbStore: {
  readonly open: typeof open
  readonly deleteDatabase: typeof deleteDatabase
} = { open, deleteDatabase }
