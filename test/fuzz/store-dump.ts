/**
 * A dump of everything a `Store` holds that the protocol reads or writes, as one comparable
 * string: the oracle for "a failed input leaves the store unchanged" (DESIGN.md "Errors").
 *
 * The `Store` interface has no "list everything"; records are reached from the identities given
 * (callers pass every identity an input could name: the participants and any bundle identity in
 * the input). Bytes print as hex, bigints as decimal.
 *
 * @module
 */
import { toHex } from '../../src/crypto/index.ts'
import type { Store } from '../../src/store/index.ts'

function json(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v instanceof Uint8Array) return toHex(v)
    if (typeof v === 'bigint') return v.toString()
    return v
  })
}

/** Store methods newer than the first contract; read when the store has them. */
type Newer = Partial<{
  countSessions(): number
  getBundleReplyTime(identity: Uint8Array): number | undefined
}>

/** Every record reachable from `identities`, plus the identity-free tables. */
export function dumpStore(store: Store, identities: readonly Uint8Array[]): string {
  const newer = store as Newer
  const parts: unknown[] = [
    newer.countSessions?.(),
    store.getAccount(),
    store.listSignedPreKeys({ includeExpired: true }),
    store.countOneTimePreKeys(),
    store.listSharedSecrets(),
    store.listContacts(),
    store.listContactRequests(),
    store.countMessages(),
    store.listSyncCursors(),
  ]
  const seen = new Set<string>()
  for (const id of identities) {
    const hex = toHex(id)
    if (seen.has(hex)) continue
    seen.add(hex)
    const installations = store.listInstallations(id)
    parts.push(hex, installations, store.listBundles(id), newer.getBundleReplyTime?.(id))
    for (const inst of installations) {
      const sessions = store.listSessionsFor(id, inst.installationId)
      parts.push(
        sessions,
        sessions.map((s) => store.countSkippedKeys(s.id)),
      )
    }
  }
  return json(parts)
}
