/**
 * Archived sessions: a session that a newer one on the same signed prekey replaced, kept so that
 * the peer's late messages in it still decrypt (whitepaper §3.4: a replaced session stays usable
 * for receiving until the retention period ends).
 *
 * On the wire a Double Ratchet header names its session only by the bundle id, the passive
 * party's signed prekey (PROTOCOL.md §7.2, §8.2). A fresh X3DH against the same signed prekey —
 * after `reestablish`, or a peer that started over — therefore gets the same wire id as the
 * session it replaces, and the reference overwrites the old one: every message still in flight
 * in it fails its MAC. Here the old session moves to an archived bundle id,
 * `bundleId ‖ 0x00 ‖ u32be(index)`, which no wire header can name (a signed prekey is a 33-byte
 * key), and the store's one-session-per-(bundle id, peer, installation) rule still holds. A
 * Double Ratchet message that the current session cannot read is tried against the archived
 * ones (`decryptCandidates`), newest first; at most `MAX_ARCHIVED` are kept per wire id, so the
 * extra work an undecryptable message can cause stays bounded.
 *
 * @module
 */
import { concatBytes, wipe } from '../crypto/index.ts'
import type { SessionRecord } from '../store/index.ts'
import type { Context } from './context.ts'
import { sessionId } from './session-id.ts'

/** Archived sessions kept per (wire bundle id, peer, installation). */
export const MAX_ARCHIVED = 3

const MARK = 0x00
const SUFFIX_LENGTH = 5

/** True when `stored` is the archived form of wire bundle id `wire`. */
function isArchiveOf(stored: Uint8Array, wire: Uint8Array): boolean {
  if (stored.length !== wire.length + SUFFIX_LENGTH || stored[wire.length] !== MARK) return false
  for (let i = 0; i < wire.length; i++) if (stored[i] !== wire[i]) return false
  return true
}

function indexOf(stored: Uint8Array): number {
  const v = new DataView(stored.buffer, stored.byteOffset, stored.byteLength)
  return v.getUint32(stored.length - 4)
}

/** The archived sessions of wire bundle id `bundleId` with an installation, newest first. */
export function archivedSessions(
  ctx: Context,
  bundleId: Uint8Array,
  identity: Uint8Array,
  installationId: string,
): SessionRecord[] {
  return ctx.store
    .listSessionsFor(identity, installationId)
    .filter((s) => isArchiveOf(s.bundleId, bundleId))
    .sort((a, b) => indexOf(b.bundleId) - indexOf(a.bundleId))
}

/**
 * Moves `session` (the current session of its wire bundle id) to the archive, out of use for
 * sending (`expiresAt` at most `nowMs`), so that a new session can take the wire id. The oldest
 * archived sessions beyond `MAX_ARCHIVED` are deleted. Call inside a store transaction.
 */
export function archiveSession(ctx: Context, session: SessionRecord, nowMs: number): void {
  ctx.store.deleteSession(session.id)
  putArchived(ctx, session, nowMs)
}

/**
 * Stores `session`, which names wire bundle id `session.bundleId` but is not stored (another
 * session holds that id), straight into the archive: decrypt-only, newest archived. For a late
 * X3DH header from an installation's superseded incarnation (`acceptInitiation`). Call inside a
 * store transaction.
 */
export function putArchived(ctx: Context, session: SessionRecord, nowMs: number): void {
  const older = archivedSessions(ctx, session.bundleId, session.identity, session.installationId)
  const index = older.length === 0 ? 1 : indexOf(older[0]!.bundleId) + 1
  const suffix = new Uint8Array(SUFFIX_LENGTH)
  suffix[0] = MARK
  new DataView(suffix.buffer).setUint32(1, index >>> 0)
  const bundleId = concatBytes(session.bundleId, suffix)
  ctx.store.putSession({
    ...session,
    id: sessionId(bundleId, session.installationId),
    bundleId,
    expiresAt: Math.min(session.expiresAt, nowMs),
  })
  for (const s of older.slice(MAX_ARCHIVED - 1)) {
    ctx.store.deleteSession(s.id)
    wipe(s.sk)
    wipe(s.state)
  }
}
