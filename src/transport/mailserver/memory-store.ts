/**
 * In-memory `EnvelopeStore`: per-topic arrays kept sorted by `(sent, hash)`, so a page is a binary
 * search plus a k-way merge. For tests, the demo and short-lived store nodes; `SqliteEnvelopeStore`
 * has the same behaviour and survives restarts.
 *
 * @module
 */
import { defaultProvider, toHex } from '../../crypto/index.ts'
import type { CryptoProvider } from '../../crypto/index.ts'
import { envelopeHash, sentTime } from '../envelope.ts'
import type { Envelope } from '../envelope.ts'
import { topicHex } from '../topic.ts'
import { checkQuery, comparePosition, encodeCursor } from './query.ts'
import type { HistoryPage, HistoryQuery } from './query.ts'
import { keepUntil } from './store.ts'
import type { EnvelopeStore, EnvelopeStoreOptions } from './store.ts'

interface Entry {
  readonly sent: number
  readonly hash: Uint8Array
  readonly keepUntil: number
  readonly envelope: Envelope
}

export interface MemoryEnvelopeStoreOptions extends EnvelopeStoreOptions {
  readonly provider?: CryptoProvider
}

export class MemoryEnvelopeStore implements EnvelopeStore {
  readonly #options: MemoryEnvelopeStoreOptions
  readonly #provider: CryptoProvider
  readonly #byHash = new Map<string, Entry>()
  readonly #byTopic = new Map<string, Entry[]>()

  constructor(options: MemoryEnvelopeStoreOptions = {}) {
    this.#options = options
    this.#provider = options.provider ?? defaultProvider()
  }

  put(envelope: Envelope, now: number): boolean {
    const hash = envelopeHash(envelope, this.#provider)
    const id = toHex(hash)
    if (this.#byHash.has(id)) return false
    const entry: Entry = {
      sent: sentTime(envelope),
      hash,
      keepUntil: keepUntil(envelope, this.#options),
      envelope,
    }
    if (entry.keepUntil < now) return false
    this.#byHash.set(id, entry)
    const t = topicHex(envelope.topic)
    let list = this.#byTopic.get(t)
    if (list === undefined) {
      list = []
      this.#byTopic.set(t, list)
    }
    const at = lowerBound(list, entry)
    list.splice(at, 0, entry)
    return true
  }

  putMany(envelopes: Iterable<Envelope>, now: number): number {
    let n = 0
    for (const e of envelopes) if (this.put(e, now)) n++
    return n
  }

  query(query: HistoryQuery, now: number): HistoryPage {
    const q = checkQuery(query)
    const start = q.after ?? { sent: q.from, hash: new Uint8Array(0) }
    const picked: Entry[] = []
    for (const hex of new Set(q.topics.map((t) => topicHex(t)))) {
      const list = this.#byTopic.get(hex)
      if (list === undefined) continue
      let i = lowerBound(list, start)
      let taken = 0
      for (; i < list.length && taken <= q.limit; i++) {
        const e = list[i]!
        if (e.sent > q.to) break
        if (e.sent < q.from || comparePosition(e, start) <= 0 || e.keepUntil < now) continue
        picked.push(e)
        taken++
      }
    }
    picked.sort(comparePosition)
    const more = picked.length > q.limit
    const page = picked.slice(0, q.limit)
    const last = page[page.length - 1]
    return {
      envelopes: page.map((e) => e.envelope),
      ...(more && last !== undefined && { cursor: encodeCursor(last.sent, last.hash) }),
    }
  }

  prune(now: number): number {
    let n = 0
    for (const [id, e] of this.#byHash) {
      if (e.keepUntil < now) {
        this.#byHash.delete(id)
        n++
      }
    }
    if (n > 0) {
      for (const [t, list] of this.#byTopic) {
        const kept = list.filter((e) => e.keepUntil >= now)
        if (kept.length === 0) this.#byTopic.delete(t)
        else this.#byTopic.set(t, kept)
      }
    }
    return n
  }

  count(): number {
    return this.#byHash.size
  }

  close(): void {
    this.#byHash.clear()
    this.#byTopic.clear()
  }
}

/** First index whose entry is not before `pos`. */
function lowerBound(
  list: readonly Entry[],
  pos: { readonly sent: number; readonly hash: Uint8Array },
): number {
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (comparePosition(list[mid]!, pos) < 0) lo = mid + 1
    else hi = mid
  }
  return lo
}
