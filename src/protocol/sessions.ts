/**
 * Sessions: one Double Ratchet per (peer identity, peer installation, bundle id) (PROTOCOL.md §7.2,
 * §9; whitepaper §3). The id is the reference's `bundle_id ‖ UTF-8(peer installation id)`, where
 * the bundle id is the passive party's signed prekey on both sides.
 *
 * @module
 */
import { SecretKey, compareBytes, concatBytes, wipe } from '../crypto/index.ts'
import { deserialize, initiator, responder, serialize } from '../ratchet/index.ts'
import type { RatchetState } from '../ratchet/index.ts'
import type { OneTimePreKeyRecord, SessionRecord, SignedPreKeyRecord } from '../store/index.ts'
import { performActiveX3dh, x3dhPassive } from '../x3dh/index.ts'
import type { Context } from './context.ts'
import { toMs } from './context.ts'
import { archiveSession, putArchived, archivedSessions } from './archive.ts'
import { sessionId } from './session-id.ts'

export { sessionId }

/**
 * `expiresAt` of a session in use. A session leaves use (whitepaper §3.2-§3.3: the losing
 * concurrent session, a re-keyed bundle, our rotated signed prekey, `reestablish`) by getting
 * `expiresAt = now`: it is no longer picked for sending but still decrypts, and `prune` deletes it
 * `sessionRetentionMs` (14 days, §3.4) later.
 */
export const NO_EXPIRY = Number.MAX_SAFE_INTEGER

/**
 * Loads a session's ratchet state: the memo of the state last saved or loaded for the session when
 * the stored bytes are exactly its bytes (cache.ts), otherwise decoded from them. States are
 * immutable values (the ratchet returns new ones), so a memoized state cannot drift from its bytes.
 */
export function loadState(ctx: Context, session: SessionRecord): RatchetState {
  const cached = ctx.cache.state(session.id, session.state)
  if (cached !== undefined) return cached
  const state = deserialize(session.state, { crypto: ctx.crypto })
  ctx.cache.rememberState(session.id, session.state.slice(), state)
  return state
}

/** Persists a new ratchet state for a session (and memoizes it with the bytes written). */
export function saveState(ctx: Context, id: Uint8Array, state: RatchetState): void {
  const bytes = serialize(state)
  ctx.store.updateSessionState(id, bytes)
  ctx.cache.rememberState(id, bytes, state)
}

/** Compressed secp256k1 key length: EK_A and an OPK in a session's `ephemeralKey`. */
const KEY_LENGTH = 33

/**
 * The X3DH header an unconfirmed initiator session repeats (§8.1), from its stored
 * `ephemeralKey`: EK_A's public key, and — our one-time-prekey extension — the peer's OPK the
 * agreement ran with. The store has no column for the OPK, so such a session stores
 * `EK_A ‖ OPK` (66 bytes) in `ephemeralKey`; 33 bytes is the reference's EK_A alone. The OPK must
 * travel with every repeat: the peer may miss the first message, and it cannot compute SK
 * without knowing which of its one-time prekeys to take. `confirmSession` clears the field, and
 * with it our last trace of the OPK.
 */
export function pendingX3dhHeader(
  session: SessionRecord,
): { readonly key: Uint8Array; readonly oneTimePreKey?: Uint8Array } | undefined {
  const stored = session.ephemeralKey
  if (stored === undefined) return undefined
  if (stored.length !== 2 * KEY_LENGTH) return { key: stored }
  return { key: stored.subarray(0, KEY_LENGTH), oneTimePreKey: stored.subarray(KEY_LENGTH) }
}

/**
 * Active X3DH against `theirSignedPreKey` and a new initiator session, stored with our ephemeral
 * key so that the X3DH header is repeated until the peer answers (§8.1). With
 * `theirOneTimePreKey` (our extension, x3dh.ts) the agreement adds DH4 and the header names the
 * OPK (`pendingX3dhHeader`); without it every byte is the reference's.
 */
export function createInitiatorSession(
  ctx: Context,
  theirIdentity: Uint8Array,
  installationId: string,
  theirSignedPreKey: Uint8Array,
  nowNs: bigint,
  theirOneTimePreKey?: Uint8Array,
): SessionRecord {
  const ephemeral = ctx.keyPair('x3dh-ephemeral')
  const { sharedSecret, ephemeralPublic } = performActiveX3dh({
    identity: ctx.identity,
    ephemeral: ephemeral.privateKey,
    theirIdentity,
    theirSignedPreKey,
    ...(theirOneTimePreKey === undefined ? {} : { theirOneTimePreKey }),
    crypto: ctx.crypto,
  })
  ephemeral.privateKey.destroy()
  const state = initiator(sharedSecret, theirSignedPreKey, {
    keyPair: ctx.keyPair('ratchet'),
    crypto: ctx.crypto,
  })
  // A fresh X3DH on a signed prekey we had a session on (reestablish): the old one moves to the
  // archive, where the peer's late messages in it still decrypt (archive.ts).
  const clash = ctx.store.findSession(theirSignedPreKey, theirIdentity, installationId)
  if (clash !== undefined) archiveSession(ctx, clash, toMs(nowNs))
  return putSession(ctx, {
    id: sessionId(theirSignedPreKey, installationId),
    identity: theirIdentity,
    installationId,
    bundleId: Uint8Array.from(theirSignedPreKey),
    ephemeralKey:
      theirOneTimePreKey === undefined
        ? ephemeralPublic
        : concatBytes(ephemeralPublic, theirOneTimePreKey),
    sk: sharedSecret,
    state: serialize(state),
    createdAt: toMs(nowNs),
    expiresAt: NO_EXPIRY,
  })
}

/**
 * Passive X3DH for an incoming X3DH header on our signed prekey `spk`. An existing session with
 * the same SK is kept as is (the header repeats on every message until the sender hears from
 * us), and so is an archived one with it; a different SK (the peer started over) takes the wire id
 * and the current session moves to the archive (archive.ts) — unless `superseded` (the header
 * comes from an older incarnation of the installation, receive.ts): then the new session goes
 * to the archive and the current one stays. `opk` is our one-time prekey the header named,
 * already taken out of the store (our extension: DH4; its private key is wiped here).
 */
export function acceptInitiation(
  ctx: Context,
  theirIdentity: Uint8Array,
  installationId: string,
  spk: SignedPreKeyRecord,
  theirEphemeral: Uint8Array,
  nowNs: bigint,
  opk?: OneTimePreKeyRecord,
  superseded = false,
): void {
  const spkPrivate = SecretKey.fromBytes(spk.privateKey)
  wipe(spk.privateKey)
  const opkPrivate = opk === undefined ? undefined : SecretKey.fromBytes(opk.privateKey)
  if (opk !== undefined) wipe(opk.privateKey)
  try {
    const sk = x3dhPassive({
      identity: ctx.identity,
      signedPreKey: spkPrivate,
      theirIdentity,
      theirEphemeral,
      ...(opkPrivate === undefined ? {} : { oneTimePreKey: opkPrivate }),
      crypto: ctx.crypto,
    })
    const existing = ctx.store.findSession(spk.publicKey, theirIdentity, installationId)
    const same = (r: SessionRecord): boolean => ctx.crypto.constantTimeEqual(r.sk, sk)
    // The header repeats on every message of an unanswered session: the current one, or an
    // archived one whose late messages still arrive.
    if (
      (existing !== undefined && same(existing)) ||
      archivedSessions(ctx, spk.publicKey, theirIdentity, installationId).some(same)
    ) {
      wipe(sk)
      return
    }
    const state = responder(
      sk,
      { privateKey: spkPrivate, publicKey: spk.publicKey },
      {
        crypto: ctx.crypto,
      },
    )
    const record: SessionRecord = {
      id: sessionId(spk.publicKey, installationId),
      identity: theirIdentity,
      installationId,
      bundleId: Uint8Array.from(spk.publicKey),
      sk,
      state: serialize(state),
      createdAt: toMs(nowNs),
      // A late X3DH header on a rotated key: decrypt-only from the start (§3.3-§3.4).
      expiresAt: spk.expired ? toMs(nowNs) : NO_EXPIRY,
    }
    // The header comes from an incarnation of the installation that a newer one has replaced
    // (its message carries a signed prekey that is no longer the installation's active one, e.g.
    // sent just before the device was wiped and restored under the same id, and delivered
    // late): its session must not displace the one the live device runs. It is kept
    // decrypt-only, for its own late messages.
    if (existing !== undefined && superseded) {
      putArchived(ctx, record, toMs(nowNs))
      return
    }
    if (existing !== undefined) archiveSession(ctx, existing, toMs(nowNs))
    putSession(ctx, record)
  } finally {
    spkPrivate.destroy()
    opkPrivate?.destroy()
  }
}

function putSession(ctx: Context, record: SessionRecord): SessionRecord {
  ctx.store.putSession(record)
  return record
}

/** True when `bundleId` is an expired signed prekey, ours or the peer's (re-keying, §3.3). */
function onExpiredPreKey(ctx: Context, bundleId: Uint8Array): boolean {
  if (ctx.store.getSignedPreKey(bundleId)?.expired === true) return true
  return ctx.store.findBundleBySignedPreKey(bundleId)?.expired === true
}

/**
 * The session to send on to one installation, or undefined when a new X3DH is needed.
 *
 * Concurrent sessions (whitepaper §3.2): when both sides initiated, each holds two usable
 * sessions with the same two SKs; both pick the one whose SK is first in byte order and mark the
 * other expired, so they converge without a message about it. Sessions on an expired signed
 * prekey are marked expired here too (they may have been retired before this rule knew them).
 */
export function sendingSession(
  ctx: Context,
  theirIdentity: Uint8Array,
  installationId: string,
  nowMs: number,
): SessionRecord | undefined {
  let best: SessionRecord | undefined
  const losers: SessionRecord[] = []
  for (const s of ctx.store.listSessionsFor(theirIdentity, installationId)) {
    if (s.expiresAt <= nowMs) continue
    if (onExpiredPreKey(ctx, s.bundleId)) {
      losers.push(s)
    } else if (best === undefined || compareBytes(s.sk, best.sk) < 0) {
      if (best !== undefined) losers.push(best)
      best = s
    } else {
      losers.push(s)
    }
  }
  for (const s of losers) {
    ctx.store.setSessionExpiry(s.id, nowMs)
    wipe(s.sk)
    wipe(s.state)
  }
  return best
}

/** Marks every session with an installation expired (re-keying of a reset device, `reestablish`). */
export function expireSessionsWith(
  ctx: Context,
  theirIdentity: Uint8Array,
  installationId: string,
  nowMs: number,
): void {
  for (const s of ctx.store.listSessionsFor(theirIdentity, installationId)) {
    if (s.expiresAt > nowMs) ctx.store.setSessionExpiry(s.id, nowMs)
    wipe(s.sk)
    wipe(s.state)
  }
}
