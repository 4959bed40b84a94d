/**
 * A `Network` two processes can share: a store node's SQLite envelope archive
 * (`SqliteEnvelopeStore`, WAL, one file). Publishing archives the envelope; `history` queries the
 * archive; there is no live relay, so everything arrives through `Messenger.sync()`, which is the
 * path the crash test exercises (TRANSPORT.md §4).
 *
 * @module
 */
import { SqliteEnvelopeStore } from '../../src/transport/index.ts'
import type { Network } from '../../src/transport/index.ts'

/** History is kept a day: the whole test fits in it. */
const RETENTION_SECONDS = 24 * 60 * 60

export interface SharedNetwork extends Network {
  close(): void
}

export function sharedNetwork(path: string, clock: () => number = Date.now): SharedNetwork {
  const archive = new SqliteEnvelopeStore(path, { minRetention: RETENTION_SECONDS })
  const now = () => Math.floor(clock() / 1000)
  return {
    publish: (e) => {
      archive.put(e, now())
      return Promise.resolve()
    },
    subscribe: () => () => undefined,
    history: (q) => Promise.resolve(archive.query(q, now())),
    close: () => {
      archive.close()
    },
  }
}
