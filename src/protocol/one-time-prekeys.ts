/**
 * One-time prekeys (OPK) in the protocol — **our extension**, not in status-go (the whitepaper,
 * §2.3, leaves a "user-specific second bundle" to be implemented; x3dh/x3dh.ts has the DH4 math).
 *
 * Sender: `Protocol.useOneTimePreKey` runs X3DH with DH4 at once against the installation's
 * current signed prekey and stores the new initiator session; the OPK is then kept only in that
 * session's pending X3DH header (`pendingX3dhHeader`, sessions.ts), repeated with every message
 * until the peer answers, and gone when it does. The caller verifies the OPK first (the directory
 * checks the owner's signature on it, messenger/directory/claims.ts).
 *
 * Receiver (receive.ts): an X3DH header naming an OPK takes — and so deletes — our private half
 * in the handle's transaction (`takeOneTimePreKey`). When we no longer hold it, the header is
 * either a repeat for the session it set up (the Double Ratchet then decrypts, its MAC
 * authenticating the message against that session) or a replay or forgery, which fails.
 *
 * Without an OPK nothing changes: same SK, same header bytes as the reference (the vectors).
 *
 * @module
 */
import { bytesEqual, wipe } from '../crypto/index.ts'
import { PfsError } from '../errors.ts'
import type { SignedPreKeyRecord } from '../store/index.ts'
import type { X3DHHeader } from '../wire/index.ts'
import type { Context } from './context.ts'
import { compressKey, toMs } from './context.ts'
import { acceptInitiation, createInitiatorSession, sendingSession } from './sessions.ts'

/**
 * Starts a session with `installationId` of `theirIdentity` using their one-time prekey `opk`
 * (33- or 65-byte secp256k1 public key). Returns false, and leaves the OPK unused, when a session
 * we can send on already exists: an OPK only adds to a new agreement. Call inside a store
 * transaction.
 *
 * @throws {PfsError} `INVALID_KEY` (not a curve point), `INVALID_ARGUMENT` (our own identity),
 *   `INVALID_STATE` (no signed prekey known for the installation: process its bundle first)
 */
export function startSessionWithOneTimePreKey(
  ctx: Context,
  theirIdentity: Uint8Array,
  installationId: string,
  opk: Uint8Array,
): boolean {
  const their = compressKey(ctx, theirIdentity)
  if (bytesEqual(their, ctx.identityPublic)) {
    throw new PfsError('INVALID_ARGUMENT', 'one-time prekeys are for peers, not our own devices')
  }
  const key = ctx.crypto.compressPublicKey(opk)
  const bundle = ctx.store.getActiveBundle(their, installationId)
  if (bundle === undefined) {
    throw new PfsError('INVALID_STATE', 'no signed prekey known for the installation')
  }
  const nowNs = ctx.nowNs()
  if (sendingSession(ctx, their, installationId, toMs(nowNs)) !== undefined) return false
  createInitiatorSession(ctx, their, installationId, bundle.signedPreKey, nowNs, key)
  return true
}

/**
 * The receiver's X3DH step for `header` on our signed prekey `spk` (receive.ts): the reference's
 * `acceptInitiation` when the header names no one-time prekey; otherwise with our OPK's private
 * half, taken (deleted) from the store in the caller's transaction, so a throw later in the
 * handle puts it back. A header naming an OPK we no longer hold is accepted only as a repeat for
 * the session already set up on `spk` with that sender installation: the DR step that follows
 * must then decrypt in it (a replay fails there as `DUPLICATE`, a forgery as `MAC_MISMATCH`).
 * `superseded`: as `acceptInitiation`'s.
 *
 * @throws {PfsError} `SESSION_NOT_FOUND` for an OPK we do not hold and no session to repeat, with
 *   nothing changed; `INVALID_KEY` as `acceptInitiation`.
 */
export function acceptX3dhHeader(
  ctx: Context,
  sender: Uint8Array,
  installationId: string,
  spk: SignedPreKeyRecord,
  header: X3DHHeader,
  nowNs: bigint,
  superseded = false,
): void {
  const named = header.oneTimePreKey
  if (named.length === 0) {
    acceptInitiation(ctx, sender, installationId, spk, header.key, nowNs, undefined, superseded)
    return
  }
  const opk = ctx.store.takeOneTimePreKey(named)
  if (opk !== undefined) {
    acceptInitiation(ctx, sender, installationId, spk, header.key, nowNs, opk, superseded)
    return
  }
  wipe(spk.privateKey)
  if (ctx.store.findSession(spk.publicKey, sender, installationId) !== undefined) return
  throw new PfsError('SESSION_NOT_FOUND', 'one-time prekey not found', { header: 'x3dh' })
}
