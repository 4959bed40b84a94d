/**
 * Which store-node queries a `sync()` makes (TRANSPORT.md, store queries by topics and time):
 * sync cursors are kept per topic, so that a topic we start listening on later (a new contact's
 * topics, a negotiated topic) is fetched from the account's creation while the topics already
 * synced go on from where they stopped. Before, one cursor covered the exact set of topics, and
 * any change to the set fetched every topic's history again.
 *
 * @module
 */
import { toHex } from '../crypto/index.ts'
import type { SyncCursorRecord } from '../store/index.ts'
import type { Topic } from '../transport/index.ts'

/** One store-node query of a `sync()`: these topics, from this time (seconds, before slack). */
export interface SyncPhase {
  readonly topics: readonly Topic[]
  readonly since: number
}

/**
 * The queries that fetch what `topics` missed on one store node: topics no cursor covers from the
 * account's creation (`created`), the others from the oldest point any of them was synced to,
 * in that order (older history first). A topic's point is the newest cursor that lists it:
 * cursors are written per topic, and cursors of whole topic sets (written before per-topic
 * cursors) still count for each of their topics. One phase when all topics are alike.
 */
export function syncPhases(
  cursors: readonly SyncCursorRecord[],
  topics: readonly Topic[],
  created: number,
): SyncPhase[] {
  const syncedTo = new Map<string, number>()
  for (const c of cursors) {
    for (const t of c.topics) {
      const h = toHex(t)
      syncedTo.set(h, Math.max(syncedTo.get(h) ?? Number.NEGATIVE_INFINITY, c.syncedTo))
    }
  }
  const fresh: Topic[] = []
  const known: Topic[] = []
  let oldest = Number.POSITIVE_INFINITY
  for (const t of topics) {
    const to = syncedTo.get(toHex(t))
    if (to === undefined) {
      fresh.push(t)
    } else {
      known.push(t)
      oldest = Math.min(oldest, to)
    }
  }
  const phases: SyncPhase[] = []
  if (fresh.length > 0) phases.push({ topics: fresh, since: created })
  if (known.length > 0) phases.push({ topics: known, since: oldest })
  return phases
}
