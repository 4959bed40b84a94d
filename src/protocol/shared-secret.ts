/**
 * The static shared secret of PROTOCOL.md §11.4 (`sharedsecret.go`): `X(IK_me · IK_peer)`, kept
 * per peer with the installations that agreed on it — theirs when they write to us under
 * protocol version ≥ 1 (receive.ts), ours whenever we write to them (send.ts, status-go's
 * `Agreed`).
 *
 * @module
 */
import type { Context } from './context.ts'

/**
 * Records that `installationId` agrees on the secret with `peer`. The record is read first and
 * written only when something is missing: this runs on every message sent and received.
 * Returns the secret (a copy: the caller's to wipe) and the installations that had agreed before
 * this call.
 */
export function recordAgreement(
  ctx: Context,
  peer: Uint8Array,
  installationId: string,
): { readonly secret: Uint8Array; readonly agreed: readonly string[] } {
  const secret = ctx.cache.sharedSecret(peer, () => ctx.crypto.secp256k1Ecdh(ctx.identity, peer))
  const record = ctx.store.getSharedSecret(peer)
  if (record === undefined) ctx.store.putSharedSecret(peer, secret)
  else record.secret.fill(0)
  const agreed = record?.installations ?? []
  if (!agreed.includes(installationId)) ctx.store.addSharedSecretInstallation(peer, installationId)
  return { secret, agreed }
}
