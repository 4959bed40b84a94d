/**
 * The options of `Protocol` and the context every protocol step runs with (PROTOCOL.md §8-§10):
 * the store, our keys, the injectable clock and key generation the test vectors script.
 *
 * @module
 */
import { defaultProvider } from '../crypto/index.ts'
import type { CryptoProvider, KeyPair, SecretKey } from '../crypto/index.ts'
import type { Store } from '../store/index.ts'
import { nowNanoseconds } from '../x3dh/index.ts'
import { ProtocolCache } from './cache.ts'

/** What a generated key pair is for, so that a scripted source can hand out the recorded ones. */
export type KeyPurpose = 'signed-prekey' | 'x3dh-ephemeral' | 'ratchet' | 'dh-ephemeral'

/** Default maximum of target installations per identity (PROTOCOL.md §10, `MaxInstallations`). */
export const DEFAULT_MAX_INSTALLATIONS = 3
/** Default own signed prekey lifetime (PROTOCOL.md §4.1 step 3, `BundleRefreshInterval`). */
export const DEFAULT_SIGNED_PRE_KEY_ROTATION_MS = 24 * 60 * 60 * 1000

/** Expired sessions still decrypt for this long, then `prune` deletes them (whitepaper §3.4). */
export const DEFAULT_SESSION_RETENTION_MS = 14 * 24 * 60 * 60 * 1000
/** A device absent from its identity's bundles this long is stale (whitepaper §4.3). */
export const DEFAULT_STALE_DEVICE_MS = 7 * 24 * 60 * 60 * 1000
/**
 * At most one bundle answer per sender in this window to messages with no entry for us
 * (whitepaper §4.5; the reference's `deviceNotFoundAckInterval`, PROTOCOL.md §9).
 */
export const DEFAULT_BUNDLE_REPLY_INTERVAL_MS = 2 * 60 * 60 * 1000
/**
 * Default of `bundleResignIntervalMs`: 0, our bundle is signed afresh whenever the clock has moved,
 * as the reference does (PROTOCOL.md §4.1 step 4; the protocol_message vectors record one
 * signature per message). Within one clock tick the signed bundle is reused (same bytes anyway).
 */
export const DEFAULT_BUNDLE_RESIGN_INTERVAL_MS = 0

/** Options of `new Protocol(...)`. */
export interface ProtocolOptions {
  readonly store: Store
  /** Our identity private key (secp256k1). Not copied: the caller keeps it alive. */
  readonly identity: SecretKey
  /** This device's installation id. */
  readonly installationId: string
  /** Default `defaultProvider()`. */
  readonly crypto?: CryptoProvider
  /**
   * Current time as **bigint nanoseconds** since the Unix epoch (default wall clock). Bundle
   * timestamps are signed in ns (PROTOCOL.md §4.1 step 4); store times in ms are derived from it
   * (`ns / 1_000_000`), so one fake clock drives both.
   */
  readonly clock?: () => bigint
  /**
   * Source of fresh secp256k1 key pairs, by purpose (default `crypto.generateKeyPair()`). Test
   * vectors inject the recorded keys here.
   */
  readonly generateKeyPair?: (purpose: KeyPurpose) => KeyPair
  /** Maximum of target installations per identity, and of installations in our bundle. */
  readonly maxInstallations?: number
  /** Age in ms after which our signed prekey is replaced by a new version. */
  readonly signedPreKeyRotationMs?: number
  /** How long (ms) an expired session still decrypts before `prune` deletes it (default 14 d). */
  readonly sessionRetentionMs?: number
  /** Absence (ms) from the identity's bundles after which a device is stale (default 7 d). */
  readonly staleDeviceMs?: number
  /** Minimum interval (ms) between two bundle answers to one sender (default 2 h). */
  readonly bundleReplyIntervalMs?: number
  /**
   * How long (ms) our signed bundle is reused while its content is unchanged (default 0: signed
   * afresh whenever the clock moved, as the reference does). Signing costs an ECDSA signature per
   * message here and a recovery per message at every receiver; its timestamp is only the device's
   * `lastSeen` at the peers (whitepaper §4.2-§4.3, rules at the scale of hours and days), so an
   * application may set e.g. 60 000 (the messenger does). A new signed prekey or a changed
   * device list re-signs at once; peers accept any timestamp.
   */
  readonly bundleResignIntervalMs?: number
  /**
   * The version of our first signed prekey when the store has none (default 1, as the
   * reference). A device restored under its old installation id (account recovery, whitepaper
   * §1.5.3) should pass a number above every version it used before, e.g. the restore time in
   * Unix seconds: peers then take its new key for an ordinary rotation (§4.4, "higher version
   * expires lower ones"), status-go peers included, and a sibling's stale view of the old key,
   * now a lower version, cannot displace it.
   */
  readonly firstSignedPreKeyVersion?: number
}

/** The resolved options, shared by the protocol steps. */
export interface Context {
  readonly store: Store
  readonly identity: SecretKey
  /** Our compressed identity public key. */
  readonly identityPublic: Uint8Array
  readonly installationId: string
  readonly crypto: CryptoProvider
  readonly nowNs: () => bigint
  readonly keyPair: (purpose: KeyPurpose) => KeyPair
  readonly maxInstallations: number
  readonly signedPreKeyRotationMs: number
  readonly sessionRetentionMs: number
  readonly staleDeviceMs: number
  readonly bundleReplyIntervalMs: number
  readonly bundleResignIntervalMs: number
  readonly firstSignedPreKeyVersion: number
  /** Memos of pure results, decoded states and our signed bundle (cache.ts). */
  readonly cache: ProtocolCache
}

/** Resolves defaults and checks the options (programmer errors throw `TypeError`/`RangeError`). */
export function makeContext(options: ProtocolOptions): Context {
  const crypto = options.crypto ?? defaultProvider()
  if (typeof options.installationId !== 'string' || options.installationId.length === 0) {
    throw new TypeError('"installationId" expected a non-empty string')
  }
  const maxInstallations = options.maxInstallations ?? DEFAULT_MAX_INSTALLATIONS
  if (!Number.isInteger(maxInstallations) || maxInstallations < 1) {
    throw new RangeError('"maxInstallations" expected a positive integer')
  }
  const rotation = options.signedPreKeyRotationMs ?? DEFAULT_SIGNED_PRE_KEY_ROTATION_MS
  if (!Number.isFinite(rotation) || rotation <= 0) {
    throw new RangeError('"signedPreKeyRotationMs" expected a positive number')
  }
  const sessionRetentionMs = positive(
    'sessionRetentionMs',
    options.sessionRetentionMs ?? DEFAULT_SESSION_RETENTION_MS,
  )
  const staleDeviceMs = positive('staleDeviceMs', options.staleDeviceMs ?? DEFAULT_STALE_DEVICE_MS)
  const bundleReplyIntervalMs = positive(
    'bundleReplyIntervalMs',
    options.bundleReplyIntervalMs ?? DEFAULT_BUNDLE_REPLY_INTERVAL_MS,
  )
  const bundleResignIntervalMs = options.bundleResignIntervalMs ?? DEFAULT_BUNDLE_RESIGN_INTERVAL_MS
  if (!Number.isFinite(bundleResignIntervalMs) || bundleResignIntervalMs < 0) {
    throw new RangeError('"bundleResignIntervalMs" expected a non-negative number')
  }
  const firstSignedPreKeyVersion = options.firstSignedPreKeyVersion ?? 1
  if (
    !Number.isInteger(firstSignedPreKeyVersion) ||
    firstSignedPreKeyVersion < 1 ||
    firstSignedPreKeyVersion > 0xffff_0000
  ) {
    // The wire's version is a uint32; leave room for rotations.
    throw new RangeError('"firstSignedPreKeyVersion" expected an integer in [1, 2^32 − 2^16]')
  }
  const generate = options.generateKeyPair
  return {
    store: options.store,
    identity: options.identity,
    identityPublic: crypto.secp256k1PublicKey(options.identity, true),
    installationId: options.installationId,
    crypto,
    nowNs: options.clock ?? nowNanoseconds,
    keyPair: generate === undefined ? () => crypto.generateKeyPair() : generate,
    maxInstallations,
    signedPreKeyRotationMs: rotation,
    sessionRetentionMs,
    staleDeviceMs,
    bundleReplyIntervalMs,
    bundleResignIntervalMs,
    firstSignedPreKeyVersion,
    cache: new ProtocolCache(),
  }
}

function positive(name: string, v: number): number {
  if (!Number.isFinite(v) || v <= 0) throw new RangeError(`"${name}" expected a positive number`)
  return v
}

/**
 * `crypto.compressPublicKey(key)` (the provider memoizes conversions: peers' identities arrive
 * with every message). Throws as `compressPublicKey` for a key that is not a curve point.
 */
export function compressKey(ctx: Context, key: Uint8Array): Uint8Array {
  return ctx.crypto.compressPublicKey(key)
}

/** Milliseconds for the store's `number` times, from the ns clock. */
export function toMs(ns: bigint): number {
  return Number(ns / 1_000_000n)
}
