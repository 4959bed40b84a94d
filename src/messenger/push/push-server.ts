/**
 * The push-notification server role (whitepaper §1.5.1; status-go `pushnotificationserver`),
 * run by `status-pfs node --push`. It listens on its own partitioned topic for
 *
 * - **registrations** (`PUSH_NOTIFICATION_REGISTRATION`): signed by the registering identity, the
 *   registration itself AES-GCM-encrypted under X(ECDH(identity, server)) (the reference's
 *   `encryptRegistration`), inside an envelope sealed to the server's key. Stored under the hash
 *   of the owner's key with the allowed senders as token hashes only (`storage.ts`). Versions must
 *   grow; `unregister` keeps a tombstone with the version.
 * - **notification requests** (`PUSH_NOTIFICATION_REQUEST`): from a one-off key, naming the
 *   recipient by its key hash and proving permission with an access token (`tokens.ts`). Each
 *   registered installation whose allowed list holds the token's hash gets a delivery; anything
 *   else is refused (`WRONG_TOKEN`) and nothing is delivered.
 *
 * Every request is answered (`…_RESPONSE`) to the key that signed it.
 *
 * @module
 */
import { defaultProvider, fromHex, toHex } from '../../crypto/index.ts'
import type { CryptoProvider, SecretKey } from '../../crypto/index.ts'
import { isPfsError } from '../../errors.ts'
import { MemorySeenSet, Receiver, partitionedTopic } from '../../transport/index.ts'
import type { Envelope, Network, Unsubscribe } from '../../transport/index.ts'
import { openPush, sendPush } from './channel.ts'
import type { ChannelOptions } from './channel.ts'
import { WebhookDelivery } from './delivery.ts'
import type { PushDelivery } from './delivery.ts'
import {
  PushMessageType,
  RegistrationError,
  ReportError,
  TokenType,
  decodeRegistration,
  decodeRequest,
  encodeRegistrationResponse,
  encodeResponse,
} from './messages.ts'
import type { PushReport, Registration } from './messages.ts'
import { MemoryPushStorage } from './storage.ts'
import type { PushServerStorage, StoredRegistration } from './storage.ts'
import { hashedPublicKey, tokenHash } from './tokens.ts'

export interface PushServerOptions {
  readonly network: Network
  /** The server's key: clients register to its public half. Not copied. */
  readonly identity: SecretKey
  /** Where notifications go: a `PushDelivery`, or a webhook URL. */
  readonly delivery: PushDelivery | string
  /** Default: in memory. */
  readonly storage?: PushServerStorage
  readonly crypto?: CryptoProvider
  /** ms since the epoch; default `Date.now`. */
  readonly clock?: () => number
  readonly minPow?: number
  readonly ttl?: number
}

export interface PushServerStats {
  registrations: number
  notified: number
  refused: number
  failed: number
}

export class PushServer {
  /** `0x04…`, what clients register to. */
  readonly publicKey: string
  readonly #opts: PushServerOptions
  readonly #crypto: CryptoProvider
  readonly #channel: ChannelOptions
  readonly #delivery: PushDelivery
  readonly #storage: PushServerStorage
  readonly #receiver: Receiver
  readonly #self: Uint8Array
  readonly #pending = new Set<Promise<void>>()
  readonly #stats: PushServerStats = { registrations: 0, notified: 0, refused: 0, failed: 0 }
  #unsubscribe: Unsubscribe | undefined

  constructor(opts: PushServerOptions) {
    this.#opts = opts
    this.#crypto = opts.crypto ?? defaultProvider()
    const clock = opts.clock ?? Date.now
    this.#channel = {
      network: opts.network,
      crypto: this.#crypto,
      clock,
      ...(opts.minPow === undefined ? {} : { minPow: opts.minPow }),
      ...(opts.ttl === undefined ? {} : { ttl: opts.ttl }),
    }
    this.#delivery =
      typeof opts.delivery === 'string' ? new WebhookDelivery(opts.delivery) : opts.delivery
    this.#storage = opts.storage ?? new MemoryPushStorage()
    this.#receiver = new Receiver({
      seen: new MemorySeenSet(),
      clock: { now: clock },
      provider: this.#crypto,
    })
    this.#self = this.#crypto.secp256k1PublicKey(opts.identity, false)
    this.publicKey = `0x${toHex(this.#self)}`
  }

  /** Starts listening on the server's partitioned topic. */
  start(): void {
    if (this.#unsubscribe !== undefined) return
    this.#unsubscribe = this.#opts.network.subscribe(
      [partitionedTopic(this.#self, this.#crypto)],
      (env) => {
        const p = this.handle(env)
        this.#pending.add(p)
        void p.finally(() => this.#pending.delete(p))
      },
    )
  }

  /** Stops listening and waits for deliveries in flight. */
  async close(): Promise<void> {
    this.#unsubscribe?.()
    this.#unsubscribe = undefined
    await Promise.allSettled([...this.#pending])
  }

  stats(): PushServerStats {
    return { ...this.#stats }
  }

  /** What the server stores (for inspection: it holds no contact list). */
  storage(): PushServerStorage {
    return this.#storage
  }

  /** Handles one envelope (the subscription calls this). Never throws. */
  async handle(envelope: Envelope): Promise<void> {
    try {
      if (this.#receiver.accept(envelope) === undefined) return
    } catch {
      return
    }
    const msg = openPush(envelope, this.#opts.identity, this.#crypto)
    if (msg === undefined) return
    try {
      if (msg.type === PushMessageType.Registration) {
        await this.#onRegistration(msg.sender, msg.payload)
      } else if (msg.type === PushMessageType.Request) {
        await this.#onRequest(msg.sender, msg.payload)
      }
    } catch (e) {
      // A failed answer (network) is the client's timeout; nothing else escapes.
      if (!isPfsError(e)) throw e
    }
  }

  async #onRegistration(sender: Uint8Array, sealed: Uint8Array): Promise<void> {
    const crypto = this.#crypto
    const requestId = crypto.sha256(sealed)
    const answer = (success: boolean, error: number): Promise<void> =>
      sendPush(
        this.#channel,
        this.#opts.identity,
        sender,
        PushMessageType.RegistrationResponse,
        encodeRegistrationResponse({ success, error, requestId }),
      )
    let reg: Registration
    try {
      const key = crypto.secp256k1Ecdh(this.#opts.identity, sender)
      try {
        reg = decodeRegistration(crypto.decryptSymmetric(key, sealed))
      } finally {
        key.fill(0)
      }
    } catch {
      await answer(false, RegistrationError.MalformedMessage)
      return
    }
    if (reg.installationId === '' || reg.installationId.length > 100) {
      await answer(false, RegistrationError.MalformedMessage)
      return
    }
    if (
      !reg.unregister &&
      reg.tokenType !== TokenType.Apn &&
      reg.tokenType !== TokenType.Firebase
    ) {
      await answer(false, RegistrationError.UnsupportedTokenType)
      return
    }
    const owner = toHex(hashedPublicKey(sender, crypto))
    const prev = this.#storage.get(owner, reg.installationId)
    if (prev !== undefined && BigInt(prev.version) >= reg.version) {
      await answer(false, RegistrationError.VersionMismatch)
      return
    }
    const row: StoredRegistration = reg.unregister
      ? {
          hashedPublicKey: owner,
          installationId: reg.installationId,
          tokenType: 0,
          deviceToken: '',
          version: reg.version.toString(),
          enabled: false,
          allowFromContactsOnly: true,
          allowedTokenHashes: [],
        }
      : {
          hashedPublicKey: owner,
          installationId: reg.installationId,
          tokenType: reg.tokenType,
          deviceToken: reg.deviceToken,
          version: reg.version.toString(),
          enabled: reg.enabled,
          // Every sender needs a token here: the list is the only permission there is.
          allowFromContactsOnly: true,
          allowedTokenHashes: reg.allowedKeyList
            .filter((k) => k.length === 32)
            .map((k) => toHex(k)),
        }
    this.#storage.put(row)
    if (!reg.unregister) this.#stats.registrations++
    await answer(true, RegistrationError.Unknown)
  }

  async #onRequest(sender: Uint8Array, payload: Uint8Array): Promise<void> {
    const crypto = this.#crypto
    let req
    try {
      req = decodeRequest(payload)
    } catch {
      return
    }
    const reports: PushReport[] = []
    for (const n of req.requests) {
      const owner = toHex(n.publicKey)
      const rows =
        n.installationId === ''
          ? this.#storage.list(owner)
          : [this.#storage.get(owner, n.installationId)].filter(
              (r): r is StoredRegistration => r !== undefined,
            )
      const live = rows.filter((r) => r.enabled && r.deviceToken !== '')
      if (live.length === 0) {
        reports.push(report(false, ReportError.NotRegistered, n.publicKey, n.installationId))
        continue
      }
      const presented = toHex(tokenHash(n.accessToken, crypto))
      for (const r of live) {
        if (!r.allowedTokenHashes.some((h) => constantTimeHexEqual(h, presented, crypto))) {
          this.#stats.refused++
          reports.push(report(false, ReportError.WrongToken, n.publicKey, r.installationId))
          continue
        }
        try {
          await this.#delivery.deliver({
            tokenType:
              r.tokenType === TokenType.Apn
                ? 'apn'
                : r.tokenType === TokenType.Firebase
                  ? 'firebase'
                  : 'unknown',
            deviceToken: r.deviceToken,
            installationId: r.installationId,
            messageId: toHex(req.messageId),
            chatId: toHex(n.chatId),
          })
          this.#stats.notified++
          reports.push(report(true, ReportError.Unknown, n.publicKey, r.installationId))
        } catch (e) {
          if (!isPfsError(e)) throw e
          this.#stats.failed++
          reports.push(report(false, ReportError.InternalError, n.publicKey, r.installationId))
        }
      }
    }
    await sendPush(
      this.#channel,
      this.#opts.identity,
      sender,
      PushMessageType.Response,
      encodeResponse({ messageId: req.messageId, reports }),
    )
  }
}

function report(
  success: boolean,
  error: number,
  publicKey: Uint8Array,
  installationId: string,
): PushReport {
  return { success, error, publicKey, installationId }
}

function constantTimeHexEqual(a: string, b: string, crypto: CryptoProvider): boolean {
  if (a.length !== b.length) return false
  return crypto.constantTimeEqual(fromHex(a), fromHex(b))
}
