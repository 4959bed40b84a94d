/**
 * Durable `EnvelopeStore` on SQLite (better-sqlite3@12, WAL), for store nodes (mailservers) that
 * must keep envelopes across restarts (DESIGN.md "Network"; TRANSPORT.md §4.3 for the shape that
 * was proven against js-waku). Idempotent inserts (`INSERT OR IGNORE` by hash), pages by
 * `(sent, hash)` row-value comparison, pruning by `keep_until`.
 *
 * @module
 */
import Database from 'better-sqlite3'
import { defaultProvider } from '../../crypto/index.ts'
import type { CryptoProvider } from '../../crypto/index.ts'
import { PfsError } from '../../errors.ts'
import { decodeEnvelope, encodeEnvelope, envelopeHash, sentTime } from '../envelope.ts'
import type { Envelope } from '../envelope.ts'
import { MAX_ENVELOPE_SIZE } from '../limits.ts'
import { checkQuery, comparePosition, encodeCursor } from './query.ts'
import type { HistoryPage, HistoryQuery } from './query.ts'
import { migrate } from './schema.ts'
import { keepUntil } from './store.ts'
import type { EnvelopeStore, EnvelopeStoreOptions } from './store.ts'

export interface SqliteEnvelopeStoreOptions extends EnvelopeStoreOptions {
  readonly provider?: CryptoProvider
}

interface Row {
  envelope: Uint8Array
  sent: number
  hash: Uint8Array
}

/** better-sqlite3 binds BLOBs from Buffers; a view, not a copy. */
function blob(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

function storeFailure(operation: string, cause: unknown): PfsError {
  if (cause instanceof PfsError) return cause as PfsError
  const code = (cause as { code?: unknown }).code
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return new PfsError('STORE_CORRUPT', 'store node database unreadable', { operation }, { cause })
  }
  return new PfsError('STORE_FAILURE', 'store node database failed', { operation }, { cause })
}

export class SqliteEnvelopeStore implements EnvelopeStore {
  readonly #db: Database.Database
  readonly #options: SqliteEnvelopeStoreOptions
  readonly #provider: CryptoProvider
  readonly #insert: Database.Statement
  readonly #prune: Database.Statement
  readonly #count: Database.Statement
  readonly #query: Database.Statement
  readonly #insertMany: (envelopes: Iterable<Envelope>, now: number) => number

  /**
   * Opens (creating and migrating) the database at `path` (`':memory:'` for a throwaway one).
   * @throws {PfsError} code=STORE_CORRUPT | STORE_VERSION | STORE_FAILURE
   */
  constructor(path: string, options: SqliteEnvelopeStoreOptions = {}) {
    this.#options = options
    this.#provider = options.provider ?? defaultProvider()
    let db: Database.Database | undefined
    try {
      db = new Database(path)
      db.pragma('journal_mode = WAL')
      // WAL + NORMAL: a crash may lose the last transactions but never corrupts; envelopes lost
      // that way are re-fetched from other store nodes (Whisper has no acknowledgement anyway).
      db.pragma('synchronous = NORMAL')
      migrate(db)
      this.#db = db
      this.#insert = db.prepare(
        'INSERT OR IGNORE INTO envelopes (hash, sent, topic, expiry, keep_until, envelope) VALUES (?, ?, ?, ?, ?, ?)',
      )
      this.#prune = db.prepare('DELETE FROM envelopes WHERE keep_until < ?')
      this.#query = db.prepare(
        `SELECT envelope, sent, hash FROM envelopes
         WHERE topic = ? AND (sent, hash) > (?, ?) AND sent >= ? AND sent <= ? AND keep_until >= ?
         ORDER BY sent, hash LIMIT ?`,
      )
      this.#count = db.prepare('SELECT count(*) AS n FROM envelopes').pluck()
    } catch (e) {
      db?.close()
      throw storeFailure('open', e)
    }
    this.#insertMany = this.#db.transaction((envelopes: Iterable<Envelope>, now: number) => {
      let n = 0
      for (const e of envelopes) if (this.#put(e, now)) n++
      return n
    })
  }

  #put(envelope: Envelope, now: number): boolean {
    const until = keepUntil(envelope, this.#options)
    if (until < now) return false
    const hash = envelopeHash(envelope, this.#provider)
    const info = this.#insert.run(
      blob(hash),
      sentTime(envelope),
      blob(envelope.topic),
      envelope.expiry,
      until,
      blob(encodeEnvelope(envelope)),
    )
    return info.changes > 0
  }

  put(envelope: Envelope, now: number): boolean {
    try {
      return this.#put(envelope, now)
    } catch (e) {
      throw storeFailure('put', e)
    }
  }

  putMany(envelopes: Iterable<Envelope>, now: number): number {
    try {
      return this.#insertMany(envelopes, now)
    } catch (e) {
      throw storeFailure('putMany', e)
    }
  }

  query(query: HistoryQuery, now: number): HistoryPage {
    const q = checkQuery(query)
    const topics = [...new Map(q.topics.map((t) => [t.join(','), t])).values()]
    const after = q.after ?? { sent: q.from, hash: new Uint8Array(0) }
    // One index range scan per topic on (topic, sent, hash), merged here: a single
    // `topic IN (…) ORDER BY sent, hash` makes SQLite sort the whole range for every page.
    let rows: Row[] = []
    try {
      for (const topic of topics) {
        rows.push(
          ...(this.#query.all(
            blob(topic),
            after.sent,
            blob(after.hash),
            q.from,
            q.to,
            now,
            q.limit + 1,
          ) as Row[]),
        )
      }
    } catch (e) {
      throw storeFailure('query', e)
    }
    if (topics.length > 1) {
      rows.sort((a, b) => comparePosition(a, b))
      rows = rows.slice(0, q.limit + 1)
    }
    const more = rows.length > q.limit
    const page = rows.slice(0, q.limit)
    const envelopes = page.map((r) => {
      try {
        return decodeEnvelope(r.envelope, { maxSize: MAX_ENVELOPE_SIZE })
      } catch (e) {
        throw new PfsError('STORE_CORRUPT', 'stored envelope unreadable', {}, { cause: e })
      }
    })
    const last = page[page.length - 1]
    return {
      envelopes,
      ...(more && last !== undefined && { cursor: encodeCursor(last.sent, last.hash) }),
    }
  }

  prune(now: number): number {
    try {
      return this.#prune.run(now).changes
    } catch (e) {
      throw storeFailure('prune', e)
    }
  }

  count(): number {
    try {
      return this.#count.get() as number
    } catch (e) {
      throw storeFailure('count', e)
    }
  }

  close(): void {
    if (this.#db.open) this.#db.close()
  }
}
