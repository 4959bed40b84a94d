/**
 * `Protocol`: the encryption layer's entry point (PROTOCOL.md §8-§10; DESIGN.md "Data flow").
 * Every public call runs in one store transaction, so a failure leaves the store unchanged.
 *
 * ```ts
 * const alice = new Protocol({ store, identity, installationId })
 * alice.processBundle(bobBundle)
 * const { message } = alice.encrypt(bobPublic, payload)   // wrap in an envelope signed by Alice
 * const got = bob.handle(alicePublic, message)             // alicePublic = the envelope signer
 * ```
 *
 * @module
 */
import { bytesEqual } from '../crypto/index.ts'
import type { Bundle, ProtocolMessage } from '../wire/index.ts'
import { ProtocolMessageSchema, create } from '../wire/index.ts'
import type { Context, ProtocolOptions } from './context.ts'
import { compressKey, makeContext, toMs } from './context.ts'
import type { ProcessedBundle } from './bundles.ts'
import { processBundle } from './bundles.ts'
import type { DeviceRecord } from './devices.ts'
import { startSessionWithOneTimePreKey } from './one-time-prekeys.ts'
import { listDevices, setOwnDeviceInfo } from './devices.ts'
import { buildOurBundle } from './prekeys.ts'
import type { PruneResult } from './prune.ts'
import { prune } from './prune.ts'
import type { DecryptResult, HandleOptions, HandleResult } from './receive.ts'
import { handleMessage, toDecryptResult } from './receive.ts'
import type { EncryptResult } from './send.ts'
import { encryptMessage } from './send.ts'
import { expireSessionsWith } from './sessions.ts'

/** One device's end of the 1:1 encryption protocol. */
export class Protocol {
  readonly #ctx: Context

  constructor(options: ProtocolOptions) {
    this.#ctx = makeContext(options)
  }

  /** Our compressed identity public key. */
  get identityPublicKey(): Uint8Array {
    return this.#ctx.identityPublic.slice()
  }

  get installationId(): string {
    return this.#ctx.installationId
  }

  /**
   * Our bundle, freshly signed with the clock's timestamp: this device's current signed prekey
   * (created or rotated first when needed) plus our enabled paired devices (§4.1, §10).
   */
  ourBundle(): Bundle {
    const ctx = this.#ctx
    return ctx.store.transaction(() => buildOurBundle(ctx, ctx.nowNs()))
  }

  /**
   * A `ProtocolMessage` carrying only our freshly signed bundle and no entries: the answer to a
   * partitioned device (whitepaper §4.5) and the message `reestablish` returns. The receiver's
   * `handle` reports it as `bundle-only`.
   */
  bundleMessage(): ProtocolMessage {
    const ctx = this.#ctx
    const bundle = this.ourBundle()
    return create(ProtocolMessageSchema, { installationId: ctx.installationId, bundles: [bundle] })
  }

  /**
   * Verifies and stores a bundle received out of band (contact code, QR) or attached to a
   * message. With `signer`, the bundle must be that identity's.
   *
   * @throws {PfsError} `BUNDLE_SIGNATURE`, `WIRE_MALFORMED`; nothing is stored then.
   */
  processBundle(bundle: Bundle, signer?: Uint8Array): ProcessedBundle {
    const ctx = this.#ctx
    return ctx.store.transaction(() => processBundle(ctx, bundle, signer, toMs(ctx.nowNs())))
  }

  /**
   * Our extension (one-time-prekeys.ts): starts the session with `installationId` of
   * `theirIdentity` with their one-time prekey `oneTimePreKey`, which the caller has verified (a
   * directory checks the owner's signature on it). The next `encrypt` to that installation sends
   * the X3DH header naming it; the OPK is not kept anywhere else. Process the installation's
   * bundle first. Returns false (OPK unused) when a usable session with it exists already. Only
   * peers running this extension can answer such a session: a status-go peer cannot.
   *
   * @throws {PfsError} `INVALID_KEY`, `INVALID_ARGUMENT` (our own identity), `INVALID_STATE` (no
   *   bundle known for the installation); nothing is stored then.
   */
  useOneTimePreKey(
    theirIdentity: Uint8Array,
    installationId: string,
    oneTimePreKey: Uint8Array,
  ): boolean {
    const ctx = this.#ctx
    return ctx.store.transaction(() =>
      startSessionWithOneTimePreKey(ctx, theirIdentity, installationId, oneTimePreKey),
    )
  }

  /** Encrypts `payload` for every target installation of `theirIdentity` (§8.1). */
  encrypt(theirIdentity: Uint8Array, payload: Uint8Array): EncryptResult {
    const ctx = this.#ctx
    return ctx.store.transaction(() => encryptMessage(ctx, theirIdentity, payload))
  }

  /**
   * Handles a message from `sender`, the identity recovered from the envelope signature (§8.2):
   * stores its bundles (verified, and only the sender's), then decrypts our entry.
   *
   * @throws {PfsError} `SESSION_NOT_FOUND` (a DR or X3DH message for a session or signed prekey
   *   we do not have, e.g. after account recovery, whitepaper §1.5.3: offer `reestablish`),
   *   `BUNDLE_SIGNATURE`, `MAC_MISMATCH`, `DUPLICATE`, `TOO_MANY_SKIPPED`, `WIRE_MALFORMED`,
   *   `INVALID_KEY` — and the store is unchanged. `SESSION_NOT_FOUND` carries
   *   `details.header`: `'x3dh'` when the X3DH header names a signed prekey we no longer have
   *   (a stale bundle), `'dr'` when we have no session for the DR header.
   * @param options - `catchUp`: a one-off skip allowance for a sync that shows a long gap
   *   (issue 10 "long offline"; see `HandleOptions`).
   */
  handle(sender: Uint8Array, message: ProtocolMessage, options?: HandleOptions): HandleResult {
    const ctx = this.#ctx
    return ctx.store.transaction(() => handleMessage(ctx, sender, message, options))
  }

  /**
   * `handle` in the reference's shape: undefined for our own echo or a bare bundle;
   * `DEVICE_NOT_FOUND` / `NOT_PAIRED_DEVICE` (and nothing stored) for a message without an entry
   * for us.
   *
   * @throws {PfsError} as `handle`, plus those two.
   */
  decrypt(sender: Uint8Array, message: ProtocolMessage): DecryptResult | undefined {
    const ctx = this.#ctx
    return ctx.store.transaction(() => {
      const fromSelf = bytesEqual(compressKey(ctx, sender), ctx.identityPublic)
      return toDecryptResult(handleMessage(ctx, sender, message), fromSelf, message.installationId)
    })
  }

  /**
   * After a failed decrypt (whitepaper §1.5.3): retires every session with `theirIdentity` (they
   * still decrypt late messages for the retention period), so the next `encrypt` to them runs a
   * fresh X3DH, and returns `bundleMessage()` for the caller to send them. With
   * `installationId`, only the sessions with that installation are retired: the answer to one
   * device that asked for re-establishment (issue 10 "self-healing").
   */
  reestablish(theirIdentity: Uint8Array, installationId?: string): ProtocolMessage {
    const ctx = this.#ctx
    return ctx.store.transaction(() => {
      const their = compressKey(ctx, theirIdentity)
      const nowMs = toMs(ctx.nowNs())
      for (const inst of ctx.store.listInstallations(their)) {
        if (installationId !== undefined && inst.installationId !== installationId) continue
        expireSessionsWith(ctx, their, inst.installationId, nowMs)
      }
      return this.bundleMessage()
    })
  }

  /** Confirms a pending own device (pairing, whitepaper §4.1); false when unknown. */
  enableDevice(installationId: string): boolean {
    const ctx = this.#ctx
    if (installationId === ctx.installationId) return false
    return ctx.store.transaction(() =>
      ctx.store.setInstallationEnabled(ctx.identityPublic, installationId, true),
    )
  }

  /** Stops sending to an own device and leaves it out of our bundle; false when unknown. */
  disableDevice(installationId: string): boolean {
    const ctx = this.#ctx
    if (installationId === ctx.installationId) return false
    return ctx.store.transaction(() =>
      ctx.store.setInstallationEnabled(ctx.identityPublic, installationId, false),
    )
  }

  /**
   * Forgets an own device with its bundles and sessions: out of our bundle and our fan-out at
   * once (whitepaper §4.1 "removal"). Peers stop targeting it when it goes stale (§4.3). A later
   * bundle from it brings it back as pending. False when unknown (or this device).
   */
  removeDevice(installationId: string): boolean {
    const ctx = this.#ctx
    if (installationId === ctx.installationId) return false
    return ctx.store.transaction(() =>
      ctx.store.deleteInstallation(ctx.identityPublic, installationId),
    )
  }

  /** The devices of `identity` (default: ours, this device first with `current: true`). */
  devices(identity?: Uint8Array): DeviceRecord[] {
    const ctx = this.#ctx
    const id = identity === undefined ? ctx.identityPublic : compressKey(ctx, identity)
    return ctx.store.transaction(() => listDevices(ctx, id, ctx.nowNs()))
  }

  /** Our installation's name and type, shown to our other devices; given fields replace. */
  setDeviceInfo(info: { name?: string; deviceType?: string }): void {
    const ctx = this.#ctx
    ctx.store.transaction(() => {
      setOwnDeviceInfo(ctx, info, ctx.nowNs())
    })
  }

  /**
   * Deletes sessions expired more than the retention period (14 days) before `nowMs` (default:
   * the clock), with their skipped keys, and our old signed prekeys no session needs any more
   * (whitepaper §3.4).
   */
  prune(nowMs?: number): PruneResult {
    const ctx = this.#ctx
    return ctx.store.transaction(() => prune(ctx, nowMs ?? toMs(ctx.nowNs())))
  }

  /** How many sessions the store holds (with every peer, expired ones included). */
  sessionCount(): number {
    return this.#ctx.store.countSessions()
  }
}
