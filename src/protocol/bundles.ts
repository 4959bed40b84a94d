/**
 * Receiving a bundle (PROTOCOL.md §4.3-§4.4, §10; whitepaper §4.1).
 *
 * Unlike the reference, the signature is verified **before** anything is stored, and a caller that
 * knows who sent the bundle (the envelope signer) gets `BUNDLE_SIGNATURE` when the bundle is
 * someone else's: a message may not smuggle in a third party's devices.
 *
 * Storage rules: every listed installation except our own device is upserted, with `lastSeen` =
 * the bundle's timestamp when newer; installations of other identities start enabled, our own
 * start disabled (pending until `enableDevice`, §10 "Pairing"). Each signed prekey is stored once;
 * a higher version expires the lower ones of that installation and the sessions on them
 * (re-keying, whitepaper §3.3), a reset device's new key replaces its old ones, and a late lower
 * version is stored already expired (`storeSignedPreKey`).
 *
 * @module
 */
import { bytesEqual } from '../crypto/index.ts'
import { BundleError } from '../errors.ts'
import type { Bundle, SignedPreKey } from '../wire/index.ts'
import { verifyBundle } from '../x3dh/index.ts'
import type { Context } from './context.ts'
import { compressKey } from './context.ts'
import { expireSessionsWith } from './sessions.ts'

/** The result of `processBundle`. */
export interface ProcessedBundle {
  /** The bundle's (verified) identity, compressed. */
  readonly identity: Uint8Array
  /** The installations the bundle listed, except our own device. */
  readonly installations: readonly string[]
}

/**
 * Verifies `bundle` (and that it belongs to `signer`, when given), then stores it. Call inside a
 * store transaction.
 *
 * @throws {PfsError} `BUNDLE_SIGNATURE` (bad signature, or not the signer's), `WIRE_MALFORMED`.
 */
export function processBundle(
  ctx: Context,
  bundle: Bundle,
  signer: Uint8Array | undefined,
  nowMs: number,
): ProcessedBundle {
  return storeBundle(ctx, verifyBundleOf(ctx, bundle, signer), bundle, nowMs)
}

/**
 * Verifies `bundle` and, with `signer`, that it is that identity's; returns the identity.
 *
 * @throws {PfsError} `BUNDLE_SIGNATURE`, `WIRE_MALFORMED`, `INVALID_KEY`.
 */
export function verifyBundleOf(
  ctx: Context,
  bundle: Bundle,
  signer: Uint8Array | undefined,
): Uint8Array {
  // A bundle seen before with every field equal verified then (cache.ts); only a success is
  // remembered, so a bad bundle is checked (and rejected) every time.
  let identity = ctx.cache.verifiedBundle(bundle)
  if (identity === undefined) {
    identity = verifyBundle(bundle, { crypto: ctx.crypto })
    ctx.cache.rememberVerifiedBundle(bundle, identity)
  }
  if (signer !== undefined && !bytesEqual(identity, compressKey(ctx, signer))) {
    throw new BundleError('BUNDLE_SIGNATURE', 'bundle identity is not the sender')
  }
  return identity
}

/**
 * Stores a bundle `verifyBundleOf` accepted for `identity`. Call inside a store transaction.
 * `source`: the installation that sent the message carrying the bundle, when known. Only that
 * installation's own entry can show that it was reset (`storeSignedPreKey`); the other entries
 * are the sender's view of its sibling devices, which may be out of date.
 */
export function storeBundle(
  ctx: Context,
  identity: Uint8Array,
  bundle: Bundle,
  nowMs: number,
  source?: string,
): ProcessedBundle {
  const ours = bytesEqual(identity, ctx.identityPublic)
  const timestamp = bundle.timestamp
  const installations: string[] = []
  for (const installationId of Object.keys(bundle.signedPreKeys).sort()) {
    if (ours && installationId === ctx.installationId) continue
    const spk = bundle.signedPreKeys[installationId]!
    installations.push(installationId)
    const existing = ctx.store.getInstallation(identity, installationId)
    if (existing === undefined) {
      ctx.store.putInstallation({
        identity,
        installationId,
        enabled: !ours,
        version: spk.version,
        firstSeen: timestamp,
        lastSeen: timestamp,
        stale: false,
      })
    } else if (existing.lastSeen < timestamp || existing.version < spk.version) {
      ctx.store.putInstallation({
        ...existing,
        version: Math.max(existing.version, spk.version),
        lastSeen: existing.lastSeen < timestamp ? timestamp : existing.lastSeen,
        stale: false,
      })
    }
    storeSignedPreKey(
      ctx,
      identity,
      installationId,
      spk,
      timestamp,
      nowMs,
      source === installationId,
    )
  }
  return { identity, installations }
}

/**
 * Stores one installation's signed prekey from a verified bundle.
 *
 * - Known key: nothing to do (stored once, the reference's `ON CONFLICT IGNORE`).
 * - Higher version than any known (re-keying, whitepaper §3.3): stored; the lower versions are
 *   expired, and so are the sessions running on them (they still decrypt for 14 days, §3.4).
 * - A new key at a version we already know, or below, in a bundle *newer* than every bundle we
 *   have for the installation, sent by that installation itself (`fromItself`): the device was
 *   reset (its store lost, §1.5.3 account recovery under the same installation id) and numbers
 *   its keys from 1 again, as status-go does. Its old keys and every session with it are
 *   expired, and the new key becomes the active one. From anyone else the entry may be a stale
 *   view: a sibling that has not yet heard of the reset still lists the old key, at a higher
 *   version, in its newer bundles. Taking that for a reset would undo the real one. A device
 *   restored by status-pfs numbers its keys from the restore time instead (prekeys.ts), so its
 *   new key is simply the higher version, whoever relays it.
 * - Otherwise (a late, older bundle): stored already expired when its slot is free.
 */
function storeSignedPreKey(
  ctx: Context,
  identity: Uint8Array,
  installationId: string,
  spk: SignedPreKey,
  timestamp: bigint,
  nowMs: number,
  fromItself: boolean,
): void {
  if (ctx.store.findBundleBySignedPreKey(spk.signedPreKey) !== undefined) return
  const known = ctx.store.listBundles(identity).filter((b) => b.installationId === installationId)
  const record = {
    identity,
    installationId,
    version: spk.version,
    signedPreKey: spk.signedPreKey,
    protocolVersion: spk.protocolVersion,
    timestamp,
    expired: false,
  }
  const maxVersion = known.reduce((m, b) => Math.max(m, b.version), -1)
  if (spk.version > maxVersion) {
    for (const b of known) {
      if (!b.expired) ctx.store.expireSessionsByBundle(b.signedPreKey, nowMs)
    }
    ctx.store.putBundle(record)
    ctx.store.expireBundlesBelow(identity, installationId, spk.version)
    return
  }
  if (fromItself && known.every((b) => b.timestamp < timestamp)) {
    expireSessionsWith(ctx, identity, installationId, nowMs)
    ctx.store.expireBundlesBelow(identity, installationId, maxVersion + 1)
    ctx.store.putBundle(record)
    return
  }
  if (known.some((b) => b.version === spk.version)) return
  ctx.store.putBundle({ ...record, expired: true })
}
