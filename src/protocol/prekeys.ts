/**
 * Our own signed prekeys and our bundle (PROTOCOL.md §4.1, §10; whitepaper §3.3, §4.1).
 *
 * - The first use creates version 1 (`firstSignedPreKeyVersion`; a restored installation starts
 *   above every version it used before); a key older than the rotation interval (default 24 h) is
 *   expired and replaced by version + 1. Expired private keys stay while late X3DH headers may
 *   still name them (§8.2 looks up any of our signed prekeys); `prune` deletes one once every
 *   session on it is gone and its successor is older than the retention period (the reference
 *   never deletes them).
 * - Our bundle lists this device plus at most `maxInstallations - 1` *enabled* own installations
 *   (pending devices are left out until the user confirms them), and is signed afresh with the
 *   clock's nanosecond timestamp every time it is built.
 *
 * @module
 */
import type { SignedPreKeyRecord } from '../store/index.ts'
import { toHex, wipe } from '../crypto/index.ts'
import type { Bundle } from '../wire/index.ts'
import { CURRENT_PROTOCOL_VERSION, createBundle } from '../x3dh/index.ts'
import type { SignedPreKeyInput } from '../x3dh/index.ts'
import type { Context } from './context.ts'
import { toMs } from './context.ts'
import { targetInstallations } from './devices.ts'

/**
 * Our current signed prekey, created or rotated as needed. Call inside a store transaction: the
 * expiry of the old key and the insert of the new one must land together.
 */
export function currentSignedPreKey(ctx: Context, nowNs: bigint): SignedPreKeyRecord {
  const nowMs = toMs(nowNs)
  // One read: both lists are ordered by version, so the current key is the first unexpired one.
  const all = ctx.store.listSignedPreKeys({ includeExpired: true })
  const newest = all[0]
  const current = all.find((k) => !k.expired)
  for (const k of all) if (k !== current) wipe(k.privateKey)
  if (current !== undefined && nowMs - current.createdAt < ctx.signedPreKeyRotationMs) {
    return current
  }
  // Versions only grow, even over expired keys, so a peer's "higher version expires lower ones"
  // rule (§4.4) always sees the new key as newer.
  const version = newest === undefined ? ctx.firstSignedPreKeyVersion : newest.version + 1
  const pair = ctx.keyPair('signed-prekey')
  const record: SignedPreKeyRecord = {
    publicKey: pair.publicKey,
    privateKey: pair.privateKey.exportBytes(),
    version,
    createdAt: nowMs,
    expired: false,
  }
  pair.privateKey.destroy()
  // Sessions where we were passive on the old key stop being used for sending (§3.3) and start
  // their 14-day decrypt-only period (§3.4).
  if (current !== undefined) ctx.store.expireSessionsByBundle(current.publicKey, nowMs)
  ctx.store.putSignedPreKey(record)
  ctx.store.expireSignedPreKeysBelow(version)
  return record
}

/**
 * Our bundle as of `nowNs`: this device's current signed prekey plus the enabled own installations
 * (newest first, capped), signed with timestamp `nowNs` — or the bundle signed last time when its
 * entries are the same and it is younger than `bundleResignIntervalMs` (a copy: callers may
 * change what they get). The entries are read from the store every time, so a rolled-back change
 * of them never leaks into a bundle.
 */
export function buildOurBundle(ctx: Context, nowNs: bigint): Bundle {
  const own = currentSignedPreKey(ctx, nowNs)
  wipe(own.privateKey)
  const entries: SignedPreKeyInput[] = [
    {
      installationId: ctx.installationId,
      key: own.publicKey,
      version: own.version,
      protocolVersion: CURRENT_PROTOCOL_VERSION,
    },
  ]
  const siblings = targetInstallations(ctx, ctx.identityPublic, nowNs, ctx.maxInstallations - 1)
  for (const inst of siblings) {
    const b = ctx.store.getActiveBundle(ctx.identityPublic, inst.installationId)
    if (b === undefined) continue
    entries.push({
      installationId: inst.installationId,
      key: b.signedPreKey,
      version: b.version,
      protocolVersion: b.protocolVersion,
    })
  }
  const key = entries
    .map(
      (e) =>
        `${String(e.installationId.length)}:${e.installationId}|${toHex(e.key)}|${String(e.version)}|${String(e.protocolVersion)}`,
    )
    .join('|')
  const cached = ctx.cache.ourBundle
  const resignNs = BigInt(Math.floor(ctx.bundleResignIntervalMs)) * 1_000_000n
  if (
    cached?.key === key &&
    (nowNs === cached.bundle.timestamp ||
      (nowNs > cached.bundle.timestamp && nowNs - cached.bundle.timestamp < resignNs))
  ) {
    return copyBundle(cached.bundle)
  }
  const bundle = createBundle({
    identity: ctx.identity,
    signedPreKeys: entries,
    timestamp: nowNs,
    crypto: ctx.crypto,
  })
  ctx.cache.ourBundle = { key, bundle: copyBundle(bundle) }
  return bundle
}

/**
 * A deep copy of a bundle built by `createBundle` (plain protobuf-es objects: a spread keeps
 * `$typeName`), several times cheaper than the generic `clone`.
 */
function copyBundle(b: Bundle): Bundle {
  const map: Bundle['signedPreKeys'] = {}
  for (const id of Object.keys(b.signedPreKeys)) {
    const spk = b.signedPreKeys[id]!
    Object.defineProperty(map, id, {
      value: { ...spk, signedPreKey: spk.signedPreKey.slice() },
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  return {
    ...b,
    identity: b.identity.slice(),
    signature: b.signature.slice(),
    signedPreKeys: map,
  }
}
