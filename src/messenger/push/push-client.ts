/**
 * The push-notification client (whitepaper §1.5.1 "registration with Push Notification
 * platform"; status-go `pushnotificationclient`), for one account's device:
 *
 * - `register` sends this installation's device token to a push server, encrypted to the server's
 *   key, with the contacts allowed to notify it given only as hashed access tokens (`tokens.ts`);
 * - `notify` asks a recipient's push server, after sending them a message, to wake their
 *   installations. It comes from a one-off key (as the reference's `AddEphemeralKey`), so the
 *   server learns neither who notifies nor, from the token, on whose behalf.
 *
 * @module
 */
import { fromHex, toHex } from '../../crypto/index.ts'
import type { SecretKey } from '../../crypto/index.ts'
import { PfsError } from '../../errors.ts'
import { MemorySeenSet, Receiver, partitionedTopic } from '../../transport/index.ts'
import type { Network } from '../../transport/index.ts'
import { parseContactCode } from '../contact-code.ts'
import { accountKeys } from '../public/account-keys.ts'
import type { AccountKeys, AccountOptions } from '../public/account-keys.ts'
import { openPush, sendPush } from './channel.ts'
import type { ChannelOptions } from './channel.ts'
import {
  PushMessageType,
  RegistrationError,
  ReportError,
  TokenType,
  decodeRegistrationResponse,
  decodeResponse,
  encodeRegistration,
  encodeRequest,
} from './messages.ts'
import { accessToken, hashedPublicKey, tokenHash } from './tokens.ts'

/** How long to wait for a server's answer by default. */
export const DEFAULT_PUSH_TIMEOUT_MS = 10_000

export interface PushClientOptions extends AccountOptions {
  readonly network: Network
  /** Real milliseconds to wait for an answer; default 10 s. */
  readonly timeoutMs?: number
  readonly minPow?: number
  readonly ttl?: number
}

export interface PushRegistrationOptions {
  /** The server's chat key (`0x04…` / `zQ3…`). */
  readonly server: string
  /** The APNs/FCM token of this device. */
  readonly deviceToken: string
  readonly tokenType?: 'apn' | 'firebase'
  /** Chat keys of the contacts allowed to notify this device. */
  readonly contacts: readonly string[]
  /** Registration version (must grow per installation); default max(last + 1, clock ms). */
  readonly version?: bigint
}

export interface NotifyOptions {
  /** The recipient's push server. */
  readonly server: string
  /** The recipient's chat key. */
  readonly recipient: string
  /** The id of the message just sent (`0x…`). */
  readonly messageId: string
  /** The chat, hashed before it leaves (default: the recipient's chat key, i.e. our 1:1). */
  readonly chatId?: string
  /** One installation only; default every registered one. */
  readonly installationId?: string
}

export interface NotifyReport {
  readonly installationId: string
  readonly success: boolean
  readonly error?: 'WRONG_TOKEN' | 'NOT_REGISTERED' | 'INTERNAL_ERROR' | 'UNKNOWN'
}

const REPORT_ERRORS: Record<number, NotifyReport['error']> = {
  [ReportError.WrongToken]: 'WRONG_TOKEN',
  [ReportError.NotRegistered]: 'NOT_REGISTERED',
  [ReportError.InternalError]: 'INTERNAL_ERROR',
}

const REGISTRATION_ERRORS: Record<number, string> = {
  [RegistrationError.MalformedMessage]: 'MALFORMED_MESSAGE',
  [RegistrationError.VersionMismatch]: 'VERSION_MISMATCH',
  [RegistrationError.UnsupportedTokenType]: 'UNSUPPORTED_TOKEN_TYPE',
  [RegistrationError.InternalError]: 'INTERNAL_ERROR',
}

export class PushClient {
  readonly #opts: PushClientOptions
  readonly #keys: AccountKeys
  readonly #channel: ChannelOptions
  #version = 0n
  #closed = false

  /** @throws {PfsError} `NO_ACCOUNT` */
  constructor(opts: PushClientOptions) {
    this.#opts = opts
    this.#keys = accountKeys(opts)
    this.#channel = {
      network: opts.network,
      crypto: this.#keys.crypto,
      clock: this.#keys.clock,
      ...(opts.minPow === undefined ? {} : { minPow: opts.minPow }),
      ...(opts.ttl === undefined ? {} : { ttl: opts.ttl }),
    }
  }

  /**
   * Registers this installation with `server`; resolves once the server confirmed.
   * @throws {PfsError} `INVALID_ARGUMENT` (bad key or token, refused: the reason is in details),
   *   `NETWORK_FAILURE` (no answer in time)
   */
  async register(o: PushRegistrationOptions): Promise<void> {
    if (
      typeof o.deviceToken !== 'string' ||
      o.deviceToken.length === 0 ||
      o.deviceToken.length > 4096
    ) {
      throw new PfsError('INVALID_ARGUMENT', 'device token must be 1-4096 characters')
    }
    const server = this.#key(o.server)
    const k = this.#keys
    const allowed = o.contacts.map((c) =>
      tokenHash(accessToken(k.identity, this.#key(c), k.publicKey, server, k.crypto), k.crypto),
    )
    await this.#sendRegistration(server, {
      tokenType: o.tokenType === 'firebase' ? TokenType.Firebase : TokenType.Apn,
      deviceToken: o.deviceToken,
      installationId: k.installationId,
      enabled: true,
      version: o.version ?? this.#nextVersion(),
      allowedKeyList: allowed,
      unregister: false,
      allowFromContactsOnly: true,
    })
  }

  /** Removes this installation's registration (the server keeps only a versioned tombstone). */
  async unregister(serverKey: string): Promise<void> {
    const k = this.#keys
    await this.#sendRegistration(this.#key(serverKey), {
      tokenType: 0,
      deviceToken: '',
      installationId: k.installationId,
      enabled: false,
      version: this.#nextVersion(),
      allowedKeyList: [],
      unregister: true,
      allowFromContactsOnly: true,
    })
  }

  /**
   * Asks the recipient's push server to notify their installations about `messageId`; resolves
   * with the server's report per installation (a non-contact gets `WRONG_TOKEN` only).
   * @throws {PfsError} `INVALID_ARGUMENT`, `NETWORK_FAILURE` (no answer in time)
   */
  async notify(o: NotifyOptions): Promise<NotifyReport[]> {
    this.#checkOpen()
    const k = this.#keys
    const server = this.#key(o.server)
    const recipient = this.#key(o.recipient)
    const token = accessToken(k.identity, recipient, recipient, server, k.crypto)
    const messageId = bytesOf(o.messageId)
    const chat = o.chatId ?? `0x${toHex(k.crypto.decompressPublicKey(recipient))}`
    const payload = encodeRequest({
      messageId,
      requests: [
        {
          accessToken: token,
          chatId: k.crypto.keccak256(new TextEncoder().encode(chat)),
          publicKey: hashedPublicKey(recipient, k.crypto),
          installationId: o.installationId ?? '',
          type: 1,
        },
      ],
    })
    const ephemeral = k.crypto.secp256k1GeneratePrivateKey()
    try {
      const answer = await this.#exchange(
        ephemeral,
        server,
        PushMessageType.Request,
        payload,
        PushMessageType.Response,
        (p) => {
          const r = decodeResponse(p)
          return toHex(r.messageId) === toHex(messageId) ? r : undefined
        },
      )
      return answer.reports.map((r) => ({
        installationId: r.installationId,
        success: r.success,
        ...(r.success ? {} : { error: REPORT_ERRORS[r.error] ?? 'UNKNOWN' }),
      }))
    } finally {
      ephemeral.destroy()
    }
  }

  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.#keys.identity.destroy()
  }

  async #sendRegistration(
    server: Uint8Array,
    reg: Parameters<typeof encodeRegistration>[0],
  ): Promise<void> {
    this.#checkOpen()
    const k = this.#keys
    const shared = k.crypto.secp256k1Ecdh(k.identity, k.crypto.decompressPublicKey(server))
    const sealed = k.crypto.encryptSymmetric(shared, encodeRegistration(reg))
    shared.fill(0)
    const requestId = toHex(k.crypto.sha256(sealed))
    const res = await this.#exchange(
      k.identity,
      server,
      PushMessageType.Registration,
      sealed,
      PushMessageType.RegistrationResponse,
      (p) => {
        const r = decodeRegistrationResponse(p)
        return toHex(r.requestId) === requestId ? r : undefined
      },
    )
    if (!res.success) {
      throw new PfsError('INVALID_ARGUMENT', 'the push server refused the registration', {
        reason: REGISTRATION_ERRORS[res.error] ?? 'UNKNOWN',
      })
    }
  }

  /** Sends from `signer` and waits for the matching answer to `signer` from `server`. */
  #exchange<T>(
    signer: SecretKey,
    server: Uint8Array,
    type: number,
    payload: Uint8Array,
    answerType: number,
    match: (payload: Uint8Array) => T | undefined,
  ): Promise<T> {
    const crypto = this.#keys.crypto
    const me = crypto.secp256k1PublicKey(signer, false)
    const serverFull = crypto.decompressPublicKey(server)
    const receiver = new Receiver({
      seen: new MemorySeenSet(),
      clock: { now: this.#keys.clock },
      provider: crypto,
    })
    return new Promise<T>((resolve, reject) => {
      let done = false
      const finish = (fn: () => void): void => {
        if (done) return
        done = true
        clearTimeout(timer)
        stop()
        fn()
      }
      const stop = this.#opts.network.subscribe([partitionedTopic(me, crypto)], (env) => {
        if (done) return
        try {
          if (receiver.accept(env) === undefined) return
        } catch {
          return
        }
        const msg = openPush(env, signer, crypto)
        if (msg === undefined || msg.type !== answerType) return
        if (toHex(msg.sender) !== toHex(serverFull)) return
        let got: T | undefined
        try {
          got = match(msg.payload)
        } catch {
          return
        }
        if (got !== undefined) {
          const value = got
          finish(() => {
            resolve(value)
          })
        }
      })
      const timer = setTimeout(() => {
        finish(() => {
          reject(new PfsError('NETWORK_FAILURE', 'the push server did not answer'))
        })
      }, this.#opts.timeoutMs ?? DEFAULT_PUSH_TIMEOUT_MS)
      sendPush(this.#channel, signer, server, type, payload).catch((e: unknown) => {
        finish(() => {
          reject(e instanceof Error ? e : new PfsError('NETWORK_FAILURE', 'send failed'))
        })
      })
    })
  }

  #nextVersion(): bigint {
    const wall = BigInt(Math.floor(this.#keys.clock()))
    this.#version = this.#version + 1n > wall ? this.#version + 1n : wall
    return this.#version
  }

  #key(text: string): Uint8Array {
    try {
      return this.#keys.crypto.compressPublicKey(
        fromHex(parseContactCode(text, this.#keys.crypto).publicKey),
      )
    } catch (e) {
      throw new PfsError('INVALID_ARGUMENT', 'not a chat key', {}, { cause: e })
    }
  }

  #checkOpen(): void {
    if (this.#closed) throw new PfsError('INVALID_STATE', 'push client closed')
  }
}

function bytesOf(id: string): Uint8Array {
  try {
    return fromHex(id)
  } catch {
    return new TextEncoder().encode(id)
  }
}
