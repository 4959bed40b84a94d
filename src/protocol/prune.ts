/**
 * Deleting what expired (whitepaper §3.4; issue 5): sessions that left use more than
 * `sessionRetentionMs` (14 days) ago, with their skipped message keys, and our old signed prekeys
 * once no session runs on them any more and late X3DH headers naming them are past the same
 * window. The messenger calls `Protocol.prune` periodically; nothing runs on a timer.
 *
 * @module
 */
import { wipe } from '../crypto/index.ts'
import { deserialize } from '../ratchet/index.ts'
import type { Context } from './context.ts'

/** What `prune` deleted. */
export interface PruneResult {
  readonly sessions: number
  /** Skipped message keys deleted with those sessions (in their ratchet state and the store). */
  readonly skippedKeys: number
  /** Our own signed prekeys (private keys) deleted. */
  readonly signedPreKeys: number
}

/** Deletes expired state as of `nowMs`. Call inside a store transaction. */
export function prune(ctx: Context, nowMs: number): PruneResult {
  const cutoff = nowMs - ctx.sessionRetentionMs
  let sessions = 0
  let skippedKeys = 0
  for (const s of ctx.store.listExpiredSessions(cutoff)) {
    skippedKeys += ctx.store.countSkippedKeys(s.id) + skippedInState(ctx, s.state)
    wipe(s.sk)
    wipe(s.state)
    if (ctx.store.deleteSession(s.id)) sessions++
  }
  // Highest version first: key i was replaced when key i-1 (its successor) was created.
  const keys = ctx.store.listSignedPreKeys({ includeExpired: true })
  let signedPreKeys = 0
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!
    wipe(key.privateKey)
    if (!key.expired || keys[i - 1]!.createdAt > cutoff) continue
    if (ctx.store.countSessionsByBundle(key.publicKey) > 0) continue
    if (ctx.store.deleteSignedPreKey(key.publicKey)) signedPreKeys++
  }
  if (keys[0] !== undefined) wipe(keys[0].privateKey)
  return { sessions, skippedKeys, signedPreKeys }
}

/** Skipped keys held inside a serialized ratchet state (0 when it cannot be read). */
function skippedInState(ctx: Context, state: Uint8Array): number {
  try {
    return deserialize(state, { crypto: ctx.crypto }).skippedKeyCount
  } catch {
    return 0
  }
}
