/**
 * The session snapshot `Messenger.sync()` gives the envelope-opening worker (issue 9 catch-up,
 * sync-open-pool.ts): every stored session with our contacts' installations and with our own
 * other devices, so that the worker can decrypt ahead in a shadow copy and recover the
 * application signatures off the main thread. The states are the stored ones, read once when the
 * worker is ready; the pool copies and moves them.
 *
 * @module
 */
import type { Store } from '../store/index.ts'
import type { SessionSnapshot } from './sync-open-worker.ts'

/** At most this many sessions go to the worker (a bound on the copy and on the worker's memory). */
export const MAX_SYNC_SESSIONS = 2000
/** And at most this many bytes of ratchet state (a state with many skipped keys is ~80 KiB). */
export const MAX_SYNC_SESSION_BYTES = 16 * 1024 * 1024

/**
 * The sessions of every contact's and our own (`self`, compressed) installations, at most
 * `limit` of them and `maxBytes` of state. Contacts come first: they send most of what a sync
 * fetches. A session left out only means its messages' signatures are recovered on the main
 * thread.
 */
export function syncSessions(
  store: Store,
  self: Uint8Array,
  limit: number = MAX_SYNC_SESSIONS,
  maxBytes: number = MAX_SYNC_SESSION_BYTES,
): SessionSnapshot[] {
  const out: SessionSnapshot[] = []
  let bytes = 0
  const identities = [...store.listContacts().map((c) => c.identity), self]
  for (const identity of identities) {
    for (const installation of store.listInstallations(identity)) {
      for (const s of store.listSessionsFor(identity, installation.installationId)) {
        if (out.length >= limit) return out
        if (bytes + s.state.length > maxBytes) continue
        bytes += s.state.length
        out.push({
          identity: s.identity,
          installationId: s.installationId,
          bundleId: s.bundleId,
          state: s.state,
        })
      }
    }
  }
  return out
}
