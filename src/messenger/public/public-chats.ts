/**
 * Public chats (whitepaper §2.3 "public and one-to-one chats" as a way bundles travel; PROTOCOL.md
 * §2 `ProtocolMessage.public_message`, §11.2; TRANSPORT.md §1.8).
 *
 * Send: a `ChatMessage {chat_id = name, message_type = PUBLIC_GROUP}` is wrapped in a signed
 * `ApplicationMetadataMessage`, put *unencrypted* in `ProtocolMessage.public_message` together with
 * our freshly signed bundle (the reference's `BuildPublicMessage`), sealed with the chat's
 * symmetric key, signed by our identity key and published on the chat's topic.
 *
 * Receive: the envelope signer is the author; the application signature must be the same key;
 * the attached bundle goes through `Protocol.handle` in one store transaction, which verifies it
 * belongs to the author and stores it. A later 1:1 with anyone seen in a public chat therefore
 * starts with X3DH (PFS) from its first message, without any contact code.
 *
 * Messages are kept in the account's store under the chat id `#name`, so history survives a
 * restart; the `Messenger` never lists those (its chat ids are chat keys).
 *
 * @module
 */
import { bytesEqual, fromHex, toHex } from '../../crypto/index.ts'
import type { SecretKey } from '../../crypto/index.ts'
import { PfsError, isPfsError } from '../../errors.ts'
import type { Protocol } from '../../protocol/index.ts'
import type { MessageRecord, Store } from '../../store/index.ts'
import {
  MemorySeenSet,
  Receiver,
  StoreClient,
  createEnvelope,
  envelopeHash,
  open,
  seal,
  sealSymmetric,
  topicHex,
} from '../../transport/index.ts'
import type { Envelope, Network, Topic, Unsubscribe } from '../../transport/index.ts'
import {
  ApplicationType,
  ChatMessageSchema,
  ContentType,
  MessageType,
  ProtocolMessageSchema,
  create,
  decodeChatMessage,
  decodeProtocolMessage,
  encodeChatMessage,
  encodeProtocolMessage,
} from '../../wire/index.ts'
import type { Bundle } from '../../wire/index.ts'
import { unwrapApplicationMessage, wrapApplicationMessage } from '../app-message.ts'
import { encodeContactCode, parseContactCode } from '../contact-code.ts'
import { Emitter } from '../events.ts'
import { accountKeys, accountProtocol } from './account-keys.ts'
import type { AccountKeys, AccountOptions } from './account-keys.ts'
import { publicChatKey, publicChatName, publicChatTopic } from './chat-name.ts'

const DEFAULT_MIN_POW = 0.002
const DEFAULT_TTL = 300
const MAX_TEXT_LENGTH = 64 * 1024
/** Our bundles seen in public chats, kept per author (newest wins). */
const MAX_REMEMBERED_BUNDLES = 10_000

export interface PublicChatsOptions extends AccountOptions {
  /** The network the account's `Messenger` uses (or any other). */
  readonly network: Network
  readonly minPow?: number
  /** Envelope TTL in seconds; default 300. */
  readonly ttl?: number
}

/** One public chat message, ours or someone's. */
export interface PublicChatMessage {
  /** `0x…` message id (status-go `MessageID`). */
  readonly id: string
  /** The chat name, without `#`. */
  readonly chat: string
  /** The author's chat key, `0x04…` (the key that signed the envelope and the message). */
  readonly from: string
  readonly outgoing: boolean
  readonly text: string
  /** The author's Lamport clock. */
  readonly clock: bigint
  readonly sentAt: number
  readonly receivedAt: number
}

export interface PublicChatEvents {
  message: PublicChatMessage & { installationId: string }
  /** An author's bundle stored from a public message: a 1:1 with them now starts with PFS. */
  bundle: { publicKey: string; installations: number }
  error: { code: string; message: string }
}

interface Joined {
  readonly name: string
  readonly topic: Topic
  readonly key: SecretKey
}

/** The public chats of one account (one device). */
export class PublicChats {
  readonly #store: Store
  readonly #network: Network
  readonly #keys: AccountKeys
  readonly #proto: Protocol
  readonly #opts: PublicChatsOptions
  readonly #receiver: Receiver
  readonly #events = new Emitter<PublicChatEvents>(() => {
    // A listener's exception is not ours to report.
  })
  readonly #chats = new Map<string, Joined>()
  readonly #byTopic = new Map<string, Joined>()
  readonly #bundles = new Map<string, Bundle>()
  #unsubscribe: Unsubscribe | undefined
  #lastClock = 0n
  #closed = false

  /**
   * @param opts the account's `store` and `network` (the options of its `Messenger` fit)
   * @throws {PfsError} `NO_ACCOUNT` when the store holds no account
   */
  constructor(opts: PublicChatsOptions) {
    this.#opts = opts
    this.#store = opts.store
    this.#network = opts.network
    this.#keys = accountKeys(opts)
    this.#proto = accountProtocol(opts.store, this.#keys)
    const clock = this.#keys.clock
    this.#receiver = new Receiver({
      seen: new MemorySeenSet(),
      clock: { now: clock },
      provider: this.#keys.crypto,
    })
  }

  /** Our chat key, `0x04…`. */
  get publicKey(): string {
    return this.#keys.chatKey
  }

  /**
   * Starts listening to `name` (the `#` and case are ignored); returns the canonical name.
   * @throws {PfsError} `INVALID_ARGUMENT` for a malformed name
   */
  join(name: string): string {
    this.#checkOpen()
    const n = publicChatName(name)
    if (this.#chats.has(n)) return n
    const crypto = this.#keys.crypto
    const chat: Joined = {
      name: n,
      topic: publicChatTopic(n, crypto),
      key: publicChatKey(n, crypto),
    }
    this.#chats.set(n, chat)
    this.#byTopic.set(topicHex(chat.topic), chat)
    this.#subscribe()
    return n
  }

  /** Stops listening to `name`; its stored messages stay. */
  leave(name: string): void {
    const n = publicChatName(name)
    const chat = this.#chats.get(n)
    if (chat === undefined) return
    this.#chats.delete(n)
    this.#byTopic.delete(topicHex(chat.topic))
    chat.key.destroy()
    this.#subscribe()
  }

  /** The chats we listen to. */
  joined(): string[] {
    return [...this.#chats.keys()]
  }

  /**
   * Posts `text` to a joined chat, with our bundle attached.
   * @throws {PfsError} `INVALID_ARGUMENT` (not joined, empty or too long), `NETWORK_FAILURE`
   */
  async send(name: string, text: string): Promise<PublicChatMessage> {
    this.#checkOpen()
    const chat = this.#chats.get(publicChatName(name))
    if (chat === undefined) throw new PfsError('INVALID_ARGUMENT', 'join the chat first')
    if (typeof text !== 'string' || text.length === 0 || text.length > MAX_TEXT_LENGTH) {
      throw new PfsError('INVALID_ARGUMENT', 'text must be 1-65536 characters')
    }
    const k = this.#keys
    const now = k.clock()
    const clock = this.#nextClock(chat.name, now)
    const cm = create(ChatMessageSchema, {
      clock,
      timestamp: BigInt(Math.floor(now)),
      text,
      chatId: chat.name,
      messageType: MessageType.PublicGroup,
      contentType: ContentType.TextPlain,
    })
    const body = encodeChatMessage(cm)
    const wrapped = wrapApplicationMessage(
      ApplicationType.ChatMessage,
      body,
      k.identity,
      k.publicKeyFull,
      k.crypto,
    )
    const message = create(ProtocolMessageSchema, {
      installationId: k.installationId,
      bundles: [this.#proto.ourBundle()],
      publicMessage: wrapped.bytes,
    })
    const data = sealSymmetric(encodeProtocolMessage(message), chat.key, k.identity, {
      provider: k.crypto,
    })
    const record: MessageRecord = {
      id: wrapped.id,
      chatId: `#${chat.name}`,
      direction: 'outgoing',
      sender: k.publicKey,
      text,
      payload: body,
      sentAt: now,
      receivedAt: now,
      pfs: false,
    }
    this.#store.transaction(() => this.#store.addMessage(record))
    await this.#publish(chat.topic, data)
    return this.#info(record, chat.name)
  }

  /** A joined or left chat's messages, oldest first (Lamport clock, then send time). */
  messages(name: string, opts: { limit?: number } = {}): PublicChatMessage[] {
    const n = publicChatName(name)
    const list = this.#store
      .listMessages(`#${n}`)
      .map((r) => this.#info(r, n))
      .sort((a, b) =>
        a.clock !== b.clock ? (a.clock < b.clock ? -1 : 1) : a.sentAt - b.sentAt || cmp(a.id, b.id),
      )
    return opts.limit === undefined ? list : list.slice(Math.max(0, list.length - opts.limit))
  }

  /**
   * The latest bundle an author attached to a public message, as a contact code: what
   * `Messenger.addContact` takes. The bundle is already in the store, so `addContact(chatKey)`
   * has PFS as well; this is for callers that keep no store in common.
   */
  contactCodeOf(publicKey: string): string | undefined {
    const b = this.#bundles.get(this.#id(publicKey))
    return b === undefined ? undefined : encodeContactCode(b)
  }

  /**
   * Fetches the joined chats' history (default: the last day) from store nodes and handles it
   * like live traffic; returns how many new messages it delivered.
   */
  async sync(opts: { sinceSeconds?: number } = {}): Promise<number> {
    this.#checkOpen()
    const topics = [...this.#chats.values()].map((c) => c.topic)
    if (topics.length === 0) return 0
    const now = Math.floor(this.#keys.clock() / 1000)
    let delivered = 0
    const client = new StoreClient(this.#network, {
      topics,
      seen: this.#receiver.seen,
      clock: { now: this.#keys.clock },
      provider: this.#keys.crypto,
      handler: (envelope) => {
        if (this.#onEnvelope(envelope, true)) delivered++
      },
    })
    await client.sync(Math.max(0, now - (opts.sinceSeconds ?? 24 * 3600)), { until: now })
    return delivered
  }

  on<E extends keyof PublicChatEvents>(event: E, fn: (e: PublicChatEvents[E]) => void): () => void {
    return this.#events.on(event, fn)
  }

  /** Leaves every chat and stops listening; the store stays open (the caller's). */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.#unsubscribe?.()
    this.#unsubscribe = undefined
    for (const c of this.#chats.values()) c.key.destroy()
    this.#chats.clear()
    this.#byTopic.clear()
    this.#events.clear()
    this.#keys.identity.destroy()
  }

  // receive -----------------------------------------------------------------------------------

  #subscribe(): void {
    this.#unsubscribe?.()
    this.#unsubscribe = undefined
    const topics = [...this.#chats.values()].map((c) => c.topic)
    if (topics.length === 0 || this.#closed) return
    this.#unsubscribe = this.#network.subscribe(topics, (env) => {
      this.#onEnvelope(env, false)
    })
  }

  /** One envelope; true when it delivered a new message. Never throws. */
  #onEnvelope(envelope: Envelope, fromStore: boolean): boolean {
    if (this.#closed) return false
    const chat = this.#byTopic.get(topicHex(envelope.topic))
    if (chat === undefined) return false
    try {
      if (this.#receiver.accept(envelope, fromStore) === undefined) return false
    } catch {
      return false
    }
    const crypto = this.#keys.crypto
    let signer: Uint8Array
    let message
    try {
      const opened = open(envelope.data, { symKey: chat.key }, { provider: crypto })
      if (opened.signer === undefined) return false
      signer = opened.signer
      message = decodeProtocolMessage(opened.payload)
    } catch {
      return false
    }
    try {
      return this.#onMessage(chat, signer, message)
    } catch (e) {
      this.#report(e)
      return false
    }
  }

  #onMessage(
    chat: Joined,
    signer: Uint8Array,
    message: ReturnType<typeof decodeProtocolMessage>,
  ): boolean {
    const crypto = this.#keys.crypto
    const sender = crypto.compressPublicKey(signer)
    if (message.publicMessage.length === 0) return false
    const fromSelf = bytesEqual(sender, this.#keys.publicKey)
    const now = this.#keys.clock()
    const after: (() => void)[] = []
    const delivered = this.#store.transaction(() => {
      // Verifies the attached bundle belongs to the signer and stores it (PROTOCOL.md §8.2).
      const r = this.#proto.handle(sender, message)
      if (r.kind === 'own-echo') return false
      if (r.kind !== 'message' || !r.public) return false
      const app = unwrapApplicationMessage(r.payload, sender, crypto)
      if (app.type !== ApplicationType.ChatMessage) return false
      const cm = decodeChatMessage(app.payload)
      if (cm.chatId !== chat.name || cm.messageType !== MessageType.PublicGroup) return false
      if (this.#store.getMessage(app.id) !== undefined) return false
      const record: MessageRecord = {
        id: app.id,
        chatId: `#${chat.name}`,
        direction: fromSelf ? 'outgoing' : 'incoming',
        sender,
        text: cm.text,
        payload: app.payload,
        sentAt: Number(cm.timestamp),
        receivedAt: now,
        pfs: false,
      }
      this.#store.addMessage(record)
      if (cm.clock > this.#lastClock) this.#lastClock = cm.clock
      const info = this.#info(record, chat.name)
      const installationId = r.installationId
      after.push(() => {
        this.#events.emit('message', { ...info, installationId })
      })
      return true
    })
    const bundle = message.bundles[0]
    if (bundle !== undefined && !fromSelf) {
      const id = toHex(sender)
      this.#bundles.delete(id)
      this.#bundles.set(id, bundle)
      if (this.#bundles.size > MAX_REMEMBERED_BUNDLES) {
        this.#bundles.delete(this.#bundles.keys().next().value!)
      }
      const publicKey = `0x${toHex(signer)}`
      const installations = Object.keys(bundle.signedPreKeys).length
      after.push(() => {
        this.#events.emit('bundle', { publicKey, installations })
      })
    }
    for (const fn of after) fn()
    return delivered
  }

  // send --------------------------------------------------------------------------------------

  async #publish(topic: Topic, data: Uint8Array): Promise<void> {
    const crypto = this.#keys.crypto
    const envelope = seal(
      createEnvelope({
        topic,
        data,
        ttl: this.#opts.ttl ?? DEFAULT_TTL,
        now: Math.floor(this.#keys.clock() / 1000),
      }),
      this.#opts.minPow ?? DEFAULT_MIN_POW,
      { provider: crypto },
    )
    this.#receiver.seen.add(envelopeHash(envelope, crypto), envelope.expiry)
    await this.#network.publish(envelope)
  }

  #nextClock(name: string, nowMs: number): bigint {
    let last = this.#lastClock
    for (const m of this.#store.listMessages(`#${name}`, { limit: 50 })) {
      const c = clockOf(m)
      if (c > last) last = c
    }
    const wall = BigInt(Math.floor(nowMs))
    const next = last + 1n > wall ? last + 1n : wall
    this.#lastClock = next
    return next
  }

  #info(r: MessageRecord, chat: string): PublicChatMessage {
    const full = this.#keys.crypto.decompressPublicKey(r.sender)
    return {
      id: r.id,
      chat,
      from: `0x${toHex(full)}`,
      outgoing: r.direction === 'outgoing',
      text: r.text,
      clock: clockOf(r),
      sentAt: r.sentAt,
      receivedAt: r.receivedAt,
    }
  }

  /** Any chat key form (`0x04…`, `zQ3…`, share link) as the map key; '' when not a key. */
  #id(publicKey: string): string {
    const crypto = this.#keys.crypto
    try {
      return toHex(crypto.compressPublicKey(fromHex(parseContactCode(publicKey, crypto).publicKey)))
    } catch {
      return ''
    }
  }

  #report(e: unknown): void {
    if (isPfsError(e)) this.#events.emit('error', { code: e.code, message: e.message })
    else this.#events.emit('error', { code: 'INTERNAL', message: 'unexpected failure' })
  }

  #checkOpen(): void {
    if (this.#closed) throw new PfsError('INVALID_STATE', 'public chats closed')
  }
}

function clockOf(m: MessageRecord): bigint {
  if (m.payload === undefined) return 0n
  try {
    return decodeChatMessage(m.payload).clock
  } catch {
    return 0n
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
