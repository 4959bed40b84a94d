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
 * a higher version expires the lower ones of that installation, and a late lower version is
 * stored already expired.
 *
 * @module
 */
import { bytesEqual } from '../crypto/index.ts'
import { BundleError } from '../errors.ts'
import type { Bundle } from '../wire/index.ts'
import { verifyBundle } from '../x3dh/index.ts'
import type { Context } from './context.ts'

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
export function processBundle(ctx: Context, bundle: Bundle, signer?: Uint8Array): ProcessedBundle {
  const identity = verifyBundle(bundle, { crypto: ctx.crypto })
  if (signer !== undefined && !bytesEqual(identity, ctx.crypto.compressPublicKey(signer))) {
    throw new BundleError('BUNDLE_SIGNATURE', 'bundle identity is not the sender')
  }
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
    const known = ctx.store.findBundleBySignedPreKey(spk.signedPreKey)
    // A signed prekey is stored once (the reference's `ON CONFLICT IGNORE`); one already known
    // for another slot is left alone rather than moved.
    if (known !== undefined) continue
    // The first key seen for a (installation, version) slot stays: sessions may run on it.
    if (ctx.store.getBundle(identity, installationId, spk.version) !== undefined) continue
    const active = ctx.store.getActiveBundle(identity, installationId)
    ctx.store.putBundle({
      identity,
      installationId,
      version: spk.version,
      signedPreKey: spk.signedPreKey,
      protocolVersion: spk.protocolVersion,
      timestamp,
      expired: active !== undefined && active.version > spk.version,
    })
    ctx.store.expireBundlesBelow(identity, installationId, spk.version)
  }
  return { identity, installations }
}
