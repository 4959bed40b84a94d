/**
 * The protocol calls the messenger makes (issue 5's `Protocol` API: `handle`, `bundleMessage`,
 * `reestablish`, device management, `prune`, `sessionCount`), with equivalent fallbacks over the
 * older surface (`decrypt`, `ourBundle`, `processBundle`) and the store while a method is missing.
 * Every call runs inside the caller's store transaction or opens its own.
 *
 * @module
 */
import type { CryptoProvider } from '../crypto/index.ts'
import { isPfsError } from '../errors.ts'
import type { HandleResult as ProtocolHandleResult, Protocol } from '../protocol/index.ts'
import type { Store } from '../store/index.ts'
import { ProtocolMessageSchema, create } from '../wire/index.ts'
import type { ProtocolMessage } from '../wire/index.ts'

/** What `Protocol.handle` returns (PROTOCOL.md §8.2; whitepaper §4.5 for `partitioned`). */
export type HandleResult = ProtocolHandleResult

/** A device as the protocol reports it. */
export interface DeviceRecordLike {
  readonly installationId: string
  readonly enabled: boolean
  readonly stale: boolean
  readonly lastSeen: bigint
  readonly name?: string
  readonly deviceType?: string
  readonly current: boolean
}

interface ProtocolAdditions {
  handle(sender: Uint8Array, message: ProtocolMessage): HandleResult
  bundleMessage(): ProtocolMessage
  reestablish(theirIdentity: Uint8Array): ProtocolMessage
  disableDevice(installationId: string): boolean
  removeDevice(installationId: string): boolean
  devices(identity?: Uint8Array): DeviceRecordLike[]
  setDeviceInfo(info: { name?: string; deviceType?: string }): void
  prune(nowMs?: number): unknown
  sessionCount(): number
}

/** One partitioned-device answer per sender per 2 h (whitepaper §4.5), when `handle` is missing. */
const PARTITION_ANSWER_MS = 2 * 60 * 60 * 1000

export class ProtocolCompat {
  readonly protocol: Protocol
  readonly #ext: Partial<ProtocolAdditions>
  readonly #store: Store
  readonly #crypto: CryptoProvider
  readonly #now: () => number
  readonly #answered = new Map<string, number>()

  constructor(protocol: Protocol, store: Store, crypto: CryptoProvider, now: () => number) {
    this.protocol = protocol
    this.#ext = protocol
    this.#store = store
    this.#crypto = crypto
    this.#now = now
  }

  get #self(): Uint8Array {
    return this.protocol.identityPublicKey
  }

  /** @throws {PfsError} as `Protocol.handle`; the store is unchanged then */
  handle(sender: Uint8Array, message: ProtocolMessage): HandleResult {
    if (typeof this.#ext.handle === 'function')
      return this.#ext.handle.call(this.protocol, sender, message)
    const entries = Object.keys(message.encryptedMessage).length
    if (entries === 0 && message.publicMessage.length === 0) {
      this.#store.transaction(() => {
        for (const b of message.bundles) this.protocol.processBundle(b, sender)
      })
      return { kind: 'bundle-only' }
    }
    try {
      const got = this.protocol.decrypt(sender, message)
      if (got === undefined) return { kind: 'own-echo' }
      return {
        kind: 'message',
        payload: got.payload,
        installationId: got.installationId,
        pfs: got.pfs,
        public: got.public,
      }
    } catch (e) {
      if (!isPfsError(e, 'DEVICE_NOT_FOUND')) throw e
      // Entries for other devices only: keep their bundles and tell the caller.
      this.#store.transaction(() => {
        for (const b of message.bundles) this.protocol.processBundle(b, sender)
      })
      const key = this.#crypto.compressPublicKey(sender).join(',')
      const last = this.#answered.get(key)
      const now = this.#now()
      const answer = last === undefined || now - last >= PARTITION_ANSWER_MS
      if (answer) this.#answered.set(key, now)
      return { kind: 'partitioned', answer }
    }
  }

  bundleMessage(): ProtocolMessage {
    if (typeof this.#ext.bundleMessage === 'function')
      return this.#ext.bundleMessage.call(this.protocol)
    return create(ProtocolMessageSchema, {
      installationId: this.protocol.installationId,
      bundles: [this.protocol.ourBundle()],
    })
  }

  reestablish(their: Uint8Array): ProtocolMessage {
    if (typeof this.#ext.reestablish === 'function') {
      return this.#ext.reestablish.call(this.protocol, their)
    }
    const id = this.#crypto.compressPublicKey(their)
    this.#store.transaction(() => {
      for (const inst of this.#store.listInstallations(id)) {
        for (const s of this.#store.listSessionsFor(id, inst.installationId)) {
          this.#store.deleteSession(s.id)
        }
      }
    })
    return this.bundleMessage()
  }

  enableDevice(installationId: string): boolean {
    return this.protocol.enableDevice(installationId)
  }

  disableDevice(installationId: string): boolean {
    if (typeof this.#ext.disableDevice === 'function') {
      return this.#ext.disableDevice.call(this.protocol, installationId)
    }
    return this.#store.transaction(() =>
      this.#store.setInstallationEnabled(this.#self, installationId, false),
    )
  }

  removeDevice(installationId: string): boolean {
    if (typeof this.#ext.removeDevice === 'function') {
      return this.#ext.removeDevice.call(this.protocol, installationId)
    }
    return this.#store.transaction(() => this.#store.deleteInstallation(this.#self, installationId))
  }

  /** Devices of `identity` (default ours; ours include this one, first). */
  devices(identity?: Uint8Array): DeviceRecordLike[] {
    if (typeof this.#ext.devices === 'function') {
      return this.#ext.devices.call(this.protocol, identity)
    }
    const id = identity === undefined ? this.#self : this.#crypto.compressPublicKey(identity)
    const list: DeviceRecordLike[] = this.#store.listInstallations(id).map((i) => ({
      installationId: i.installationId,
      enabled: i.enabled,
      stale: i.stale,
      lastSeen: i.lastSeen,
      current: false,
      ...(i.name === undefined ? {} : { name: i.name }),
      ...(i.deviceType === undefined ? {} : { deviceType: i.deviceType }),
    }))
    if (identity !== undefined) return list
    const account = this.#store.getAccount()
    const current: DeviceRecordLike = {
      installationId: this.protocol.installationId,
      enabled: true,
      stale: false,
      lastSeen: BigInt(this.#now()) * 1_000_000n,
      current: true,
      ...(account?.name === undefined ? {} : { name: account.name }),
      ...(account?.deviceType === undefined ? {} : { deviceType: account.deviceType }),
    }
    return [current, ...list.filter((d) => d.installationId !== current.installationId)]
  }

  setDeviceInfo(info: { name?: string; deviceType?: string }): void {
    if (typeof this.#ext.setDeviceInfo === 'function') {
      this.#ext.setDeviceInfo.call(this.protocol, info)
    }
  }

  prune(nowMs: number): void {
    if (typeof this.#ext.prune === 'function') {
      this.#ext.prune.call(this.protocol, nowMs)
      return
    }
    this.#store.transaction(() => this.#store.deleteExpiredSessions(nowMs))
  }

  /** Sessions with everyone; `identities` is used only when the protocol cannot count. */
  sessionCount(identities: readonly Uint8Array[]): number {
    if (typeof this.#ext.sessionCount === 'function')
      return this.#ext.sessionCount.call(this.protocol)
    let n = 0
    for (const id of identities) {
      for (const inst of this.#store.listInstallations(id)) {
        n += this.#store.listSessionsFor(id, inst.installationId).length
      }
    }
    return n
  }
}
