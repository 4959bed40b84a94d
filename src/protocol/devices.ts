/**
 * Devices of an identity, ours or a peer's (whitepaper §4; PROTOCOL.md §10): which installations
 * a message targets, which are stale, and the device list the messenger shows.
 *
 * - **Cap by last activity** (§4.2): targets are the enabled, non-stale installations, newest
 *   `lastSeen` first, at most `maxInstallations`. `lastSeen` is the timestamp of the newest bundle
 *   that listed the device; every message carries its sender's freshly signed bundle, so it moves
 *   with the device's activity.
 * - **Stale** (§4.3): a device is stale when its identity has published a bundle without it since
 *   (another device of that identity was seen later) and it was last listed `staleDeviceMs`
 *   (7 days) ago. A peer that is merely silent never goes stale, so its devices stay reachable;
 *   a bundle that lists the device again brings it back (`processBundle` refreshes `lastSeen`).
 *   Staleness is computed from the stored times rather than written by a timer, so it needs no
 *   background job and follows an injected clock.
 *
 * @module
 */
import { bytesEqual, wipe } from '../crypto/index.ts'
import type { InstallationRecord } from '../store/index.ts'
import type { Context } from './context.ts'

/** One device as `Protocol.devices()` reports it. */
export interface DeviceRecord {
  readonly installationId: string
  /** Receives our messages (peers' devices start enabled, our own after `enableDevice`). */
  readonly enabled: boolean
  /** Absent from its identity's bundles for too long (whitepaper §4.3): not targeted. */
  readonly stale: boolean
  /** Nanoseconds: timestamp of the newest bundle that listed the device. */
  readonly lastSeen: bigint
  /** Newest signed prekey version seen for the device. */
  readonly version: number
  readonly name?: string
  readonly deviceType?: string
  /** True for this device. */
  readonly current: boolean
}

const MS_NS = 1_000_000n

/** The stale rule of §4.3 for `inst`, among all installations of its identity. */
export function isStale(
  ctx: Context,
  inst: InstallationRecord,
  all: readonly InstallationRecord[],
  nowNs: bigint,
): boolean {
  if (inst.stale) return true
  const newest = all.reduce((m, i) => (i.lastSeen > m ? i.lastSeen : m), inst.lastSeen)
  return newest > inst.lastSeen && nowNs - inst.lastSeen >= BigInt(ctx.staleDeviceMs) * MS_NS
}

/**
 * The installations of `identity` a message goes to: enabled, not stale, not this device,
 * newest activity first, capped (§4.2).
 */
export function targetInstallations(
  ctx: Context,
  identity: Uint8Array,
  nowNs: bigint,
  limit: number = ctx.maxInstallations,
): InstallationRecord[] {
  const all = othersOf(ctx, identity)
  return all.filter((i) => i.enabled && !isStale(ctx, i, all, nowNs)).slice(0, limit)
}

/** The installations of `identity` except this device (whose record only holds its metadata). */
function othersOf(ctx: Context, identity: Uint8Array): InstallationRecord[] {
  const all = ctx.store.listInstallations(identity)
  if (!bytesEqual(identity, ctx.identityPublic)) return all
  return all.filter((i) => i.installationId !== ctx.installationId)
}

/** The devices of `identity` (ours: this device first, flagged `current`). */
export function listDevices(ctx: Context, identity: Uint8Array, nowNs: bigint): DeviceRecord[] {
  const all = othersOf(ctx, identity)
  const out: DeviceRecord[] = []
  if (bytesEqual(identity, ctx.identityPublic)) {
    const self = ctx.store.getInstallation(identity, ctx.installationId)
    const account = ctx.store.getAccount()
    if (account !== undefined) wipe(account.identityPrivateKey)
    const info = account?.installationId === ctx.installationId ? account : self
    const spk = ctx.store.listSignedPreKeys()[0]
    if (spk !== undefined) wipe(spk.privateKey)
    out.push({
      installationId: ctx.installationId,
      enabled: true,
      stale: false,
      lastSeen: self?.lastSeen ?? nowNs,
      version: spk?.version ?? self?.version ?? 0,
      ...(info?.name === undefined ? {} : { name: info.name }),
      ...(info?.deviceType === undefined ? {} : { deviceType: info.deviceType }),
      current: true,
    })
  }
  for (const i of all) {
    out.push({
      installationId: i.installationId,
      enabled: i.enabled,
      stale: isStale(ctx, i, all, nowNs),
      lastSeen: i.lastSeen,
      version: i.version,
      ...(i.name === undefined ? {} : { name: i.name }),
      ...(i.deviceType === undefined ? {} : { deviceType: i.deviceType }),
      current: false,
    })
  }
  return out
}

/**
 * Stores this device's name and type: on the account record when the store has one for this
 * installation (where the messenger keeps them), otherwise on this device's own installation
 * record (created when missing; it never counts as a target or a bundle entry).
 */
export function setOwnDeviceInfo(
  ctx: Context,
  info: { readonly name?: string; readonly deviceType?: string },
  nowNs: bigint,
): void {
  const account = ctx.store.getAccount()
  if (account?.installationId === ctx.installationId) {
    ctx.store.putAccount(withInfo(account, info))
    wipe(account.identityPrivateKey)
    return
  }
  const existing = ctx.store.getInstallation(ctx.identityPublic, ctx.installationId)
  const base: InstallationRecord = existing ?? {
    identity: ctx.identityPublic,
    installationId: ctx.installationId,
    enabled: true,
    version: ctx.store.listSignedPreKeys()[0]?.version ?? 0,
    firstSeen: nowNs,
    lastSeen: nowNs,
    stale: false,
  }
  ctx.store.putInstallation(withInfo(base, info))
}

/** `record` with the given name/type replacing its own (absent fields kept). */
function withInfo<T extends { readonly name?: string; readonly deviceType?: string }>(
  record: T,
  info: { readonly name?: string; readonly deviceType?: string },
): T {
  const { name: oldName, deviceType: oldType, ...rest } = record
  const name = info.name ?? oldName
  const deviceType = info.deviceType ?? oldType
  return {
    ...rest,
    ...(name === undefined ? {} : { name }),
    ...(deviceType === undefined ? {} : { deviceType }),
  } as T
}
