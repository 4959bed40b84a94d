/**
 * `Messenger`: the application API of DESIGN.md ("Public API"; whitepaper §1.5 user flows, §2.3
 * bundle exchange) on any `Network` and `Store`.
 *
 * Receive loop (DESIGN.md "Data flow"): network → `Receiver` (validity, PoW, de-duplication by
 * envelope hash, recorded in the store) → `open` with the key of the envelope's topic → decode the
 * `ProtocolMessage` → one store transaction that runs `Protocol.handle`, checks the
 * `ApplicationMetadataMessage` and stores the message and contact-request changes → events, only
 * after the commit. A message that fails anywhere changes nothing.
 *
 * Topics (PROTOCOL.md §11, TRANSPORT.md §1): 1:1 messages travel on the recipient's partitioned
 * topic, sealed with ECIES to the recipient's key and signed with ours; bundles are advertised on
 * the contact-code topic, symmetric key from the topic name, every 6 h and when our bundle changes.
 * Sent messages are also encrypted for our own paired devices (sync of sent messages).
 *
 * @module
 */
import { bytesEqual, bytesKey, defaultProvider, fromHex, toHex } from '../crypto/index.ts'
import type { CryptoProvider, SecretKey } from '../crypto/index.ts'
import { PfsError, isPfsError } from '../errors.ts'
import { Protocol } from '../protocol/index.ts'
import type { DeviceRecord, HandleResult } from '../protocol/index.ts'
import { MAX_SKIP } from '../ratchet/index.ts'
import type { AccountRecord, MessageRecord, Store } from '../store/index.ts'
import {
  Receiver,
  StoreClient,
  contactCodeKey,
  contactCodeTopic,
  createEnvelope,
  envelopeHash,
  open,
  negotiatedKey,
  negotiatedTopic,
  partitionedTopic,
  seal,
  sealAsymmetric,
  sealSymmetric,
  topicHex,
} from '../transport/portable.ts'
import type {
  Envelope,
  Network,
  OpenKey,
  SeenSet,
  Topic,
  Unsubscribe,
} from '../transport/portable.ts'
import {
  AcceptContactRequestSchema,
  ApplicationType,
  ChatMessageSchema,
  ContactRequestPropagatedStateSchema,
  ContactRequestState,
  ContactUpdateSchema,
  ContentType,
  MessageType,
  create,
  decodeAcceptContactRequest,
  decodeChatMessage,
  decodeContactUpdate,
  decodeProtocolMessage,
  encodeAcceptContactRequest,
  encodeChatMessage,
  encodeContactUpdate,
  encodeProtocolMessage,
} from '../wire/index.ts'
import type { Bundle, ChatMessage, ProtocolMessage } from '../wire/index.ts'
import { accountFromPhrase, newPhrase, uuidV4 } from './account.ts'
import {
  RecoveredSignatures,
  unwrapApplicationMessage,
  wrapApplicationMessage,
} from './app-message.ts'
import { encodeContactCode, parseContactCode } from './contact-code.ts'
import type { ParsedContactCode } from './contact-code.ts'
import { contactState, latestRequest, pendingRequest } from './contact-state.ts'
import { NetworkDirectory } from './directory/network-directory.ts'
import { messengerError } from './errors.ts'
import { SyncOpener } from './sync-open-pool.ts'
import { syncSessions } from './sync-sessions.ts'
import { syncPhases } from './sync-phases.ts'
import { Emitter } from './events.ts'
import { chatIdentity, identiconSvg } from './identity/index.ts'
import type { ColorHash } from './identity/index.ts'
import type {
  ChatMessageInfo,
  ContactInfo,
  ContactRequestInfo,
  DecryptionFailureReason,
  DeviceInfo,
  MessengerEvents,
  MessengerOptions,
  MessengerStats,
  RepairAction,
  SendResult,
  SyncProgress,
  SyncResult,
} from './types.ts'

/** The reference advertises the contact code every 6 hours. */
export const DEFAULT_ADVERTISE_INTERVAL_MS = 6 * 60 * 60 * 1000
const DEFAULT_MIN_POW = 0.002
const DEFAULT_TTL = 300
/** Envelope TTL of a bundle advertisement: the 6 h interval plus 10 minutes of overlap. */
const ADVERTISEMENT_TTL_S = 6 * 60 * 60 + 10 * 60
const MAX_TEXT_LENGTH = 64 * 1024
/** History is fetched from a little before the account's creation (clock skew). */
const SYNC_SLACK_SECONDS = 15 * 60
/**
 * Errors of a message addressed to us that we could not decrypt, with their classified reason
 * (issue 10); `SESSION_NOT_FOUND` is refined by `classifyFailure`.
 */
const DECRYPTION_FAILURES: ReadonlyMap<string, DecryptionFailureReason> = new Map([
  ['SESSION_NOT_FOUND', 'no-session'],
  ['MAC_MISMATCH', 'mac-failure'],
  ['TOO_MANY_SKIPPED', 'too-far-ahead'],
  ['DUPLICATE', 'duplicate'],
] as const)

/**
 * Automatic repairs (re-establishment, and answers to a device asking for it) at most this often
 * per sender (issue 10 "self-healing"). Kept in memory: a restart allows one more repair each,
 * and the peer's side is bounded by the same limit, so two devices cannot loop.
 */
const REPAIR_INTERVAL_MS = 10 * 60 * 1000
/** A device that asks for re-establishment gets at most our last this many messages … */
const RESEND_COUNT = 5
/** … sent within this window (older ones it can fetch from store nodes, or never had). */
const RESEND_WINDOW_MS = 24 * 60 * 60 * 1000

/**
 * `'deferred'`: not handled and not marked seen (the seen mark rolled back), so that it comes back:
 * a sync retries it once everything is fetched; a relay message waits for the next sync.
 */
type Outcome = 'handled' | 'duplicate' | 'ignored' | 'failed' | 'deferred'

/** Thrown inside an envelope's savepoint to undo its seen mark (`#onEnvelope`). */
class Deferred extends Error {}
const DEFERRED = new Deferred('deferred')

/**
 * The catch-up bookkeeping of one `sync()` (issue 10 "long offline"). The evidence of a long gap
 * is the number of the sender's envelopes with a Double Ratchet entry for us that this sync
 * fetched; a header too far ahead is deferred until everything is fetched and the count is
 * final, then retried in rounds, lowest N first: first as usual (most gaps are closed by then:
 * the store node orders by the second, so a burst arrives shuffled), then, at most once per
 * sender per sync, with an allowance of that count (the ratchet clamps it to
 * `MAX_CATCH_UP_SKIP`). A refusal costs no KDF work and does not use the allowance; a granted
 * attempt does, whether it decrypts or fails its MAC. The work a sender can cause is thus one
 * derivation of at most as many keys as envelopes it stored for us. Rounds go on while they
 * deliver something (at most `MAX_RETRY_ROUNDS`); the last reports what is left as failed.
 */
interface CatchUp {
  readonly counts: Map<string, number>
  readonly deferred: { readonly envelope: Envelope; readonly n: number }[]
  readonly granted: Set<string>
  /** In the retry rounds (after everything is fetched). */
  retrying: boolean
  /** In the last retry round: nothing is deferred any more. */
  final: boolean
  caughtUp: number
}

/** Retry rounds of a sync's deferred envelopes, the last one included (`CatchUp`). */
const MAX_RETRY_ROUNDS = 8

/** A negotiated topic, with the static secret until its key is derived (then the key). */
interface PeerTopic {
  readonly topic: Topic
  secret?: Uint8Array | undefined
  key?: SecretKey | undefined
}

/** How the envelope of a protocol message came. */
interface Via {
  /**
   * On our partitioned topic or a negotiated one (1:1 traffic, PROTOCOL.md §11.3), not a
   * contact-code advertisement.
   */
  readonly direct: boolean
  /**
   * On a negotiated topic: every device of both people holds its key, so our own other devices'
   * messages to the peer arrive here too.
   */
  readonly negotiated: boolean
  /** Set for store-node envelopes during `sync()`; never for relay traffic. */
  readonly catchUp: CatchUp | undefined
  readonly envelope: Envelope
}

/** How long seen envelope hashes are kept past their send time: 30 days, the longest store TTL. */
const HISTORY_RETENTION_S = 30 * 24 * 60 * 60

/** Entries of a memo of public values before it is cleared. */
const MAX_MEMO = 4096

/** Envelopes handled per store transaction during `sync()`. */
const SYNC_BATCH = 100

/** How long our signed bundle is reused while unchanged (`ProtocolOptions`). */
const BUNDLE_RESIGN_INTERVAL_MS = 60 * 1000

/**
 * How long `addContact(chatKey)` waits for the peer's advertisement from store nodes before it
 * falls back to the DH header: a contact request must not hang on an absent or slow store node.
 */
export const ADD_BY_KEY_LOOKUP_MS = 4000

/** The envelope de-duplication set, kept in the store so it survives restarts. */
class StoreSeenSet implements SeenSet {
  readonly #store: Store
  #added = 0
  constructor(store: Store) {
    this.#store = store
  }
  add(hash: Uint8Array, expiry: number): boolean {
    const fresh = this.#store.markEnvelopeSeen(hash, expiry)
    if (fresh) this.#added++
    return fresh
  }
  has(hash: Uint8Array): boolean {
    return this.#store.hasSeenEnvelope(hash)
  }
  prune(now: number): number {
    return this.#store.pruneSeenEnvelopes(now)
  }
  get size(): number {
    return this.#added
  }
}

interface Internal {
  readonly account: AccountRecord
  readonly phrase: string | undefined
  /** Set when restoring an installation: see `ProtocolOptions.firstSignedPreKeyVersion`. */
  readonly firstSignedPreKeyVersion?: number
}

/** One device of one account. */
export class Messenger {
  /** The recovery phrase, only on the object `create()` returned; never stored. */
  readonly phrase: string | undefined
  /** `"0x04…"`, the chat key. */
  readonly publicKey: string
  /** `zQ3sh…`. */
  readonly compressedKey: string
  readonly installationId: string
  /** The three-word name. */
  readonly name: string
  /** 14 emoji, joined. */
  readonly emojiHash: string
  readonly colorHash: ColorHash
  /** `https://status.app/u#zQ3…`. */
  readonly shareUrl: string

  readonly #store: Store
  readonly #network: Network
  readonly #crypto: CryptoProvider
  readonly #clock: () => number
  readonly #opts: MessengerOptions
  readonly #identity: SecretKey
  readonly #self: Uint8Array
  readonly #selfFull: Uint8Array
  readonly #proto: Protocol
  readonly #seen: StoreSeenSet
  readonly #receiver: Receiver
  /** `#hex` results by input key bytes (`bytesKey`). */
  readonly #hexes = new Map<string, string>()
  /** Set while a sync batch runs: announcements wait here for its commit (`#onEnvelopes`). */
  #deferred: (() => void)[] | undefined
  /** Set while `sync()` runs. */
  #catchUp: CatchUp | undefined
  /** Set while `sync()` runs: application signers recovered ahead by the worker. */
  #recovered: RecoveredSignatures | undefined
  /** Hex of our partitioned topic. */
  readonly #partitionedTopic: string
  /** Last automatic re-establishment per sender (hex), ms. */
  readonly #repairedAt = new Map<string, number>()
  /** Last resend per asking device (`sender hex/installation`), ms. */
  readonly #resentAt = new Map<string, number>()
  readonly #events: Emitter<MessengerEvents>
  /**
   * How to open each topic we listen on (by hex): a key, or its derivation, run on first use. The
   * contact-code and negotiated keys are PBKDF2s of 65,356 rounds (~10 ms each), and most of
   * these topics carry nothing in a given session or sync.
   */
  readonly #topicKeys = new Map<string, OpenKey | (() => OpenKey)>()
  /**
   * Our negotiated topic with each peer (by `#hex`, PROTOCOL.md §11.4), and its key once derived:
   * the static secret is computed once, and the PBKDF2 runs on first use, after which the secret
   * is wiped. Keys and secrets are wiped on `close`.
   */
  readonly #negotiatedPeers = new Map<string, PeerTopic>()
  /** Hex of the negotiated topics we listen on. */
  readonly #negotiatedTopics = new Set<string>()
  readonly #contactKeys = new Map<string, SecretKey>()
  readonly #chatClocks = new Map<string, bigint>()
  readonly #pending = new Set<Promise<unknown>>()
  readonly #stats: MessengerStats = {
    sent: 0,
    received: 0,
    pfsReceived: 0,
    sessions: 0,
    devices: 0,
    decryptionFailures: 0,
    duplicatesDropped: 0,
  }
  #unsubscribe: Unsubscribe | undefined
  #timer: ReturnType<typeof setInterval> | undefined
  #lastAdvertised = -Infinity
  #advertisedFingerprint = ''
  #closed = false
  #started = false

  /** @internal Use `create`, `recover` or `open`. */
  constructor(opts: MessengerOptions, internal: Internal) {
    const { account } = internal
    this.#opts = opts
    this.#store = opts.store
    this.#network = opts.network
    this.#crypto = opts.crypto ?? defaultProvider()
    this.#clock = opts.clock ?? Date.now
    this.phrase = internal.phrase
    this.installationId = account.installationId
    this.#identity = this.#crypto.secp256k1PrivateKey(account.identityPrivateKey)
    this.#self = this.#crypto.compressPublicKey(account.identityPublicKey)
    this.#selfFull = this.#crypto.decompressPublicKey(account.identityPublicKey)
    this.#partitionedTopic = topicHex(partitionedTopic(this.#selfFull, this.#crypto))
    const who = chatIdentity(this.#selfFull, this.#crypto)
    this.publicKey = who.chatId
    this.compressedKey = who.compressedKey
    this.name = who.alias
    this.emojiHash = who.emojiHash.join('')
    this.colorHash = who.colorHash
    this.shareUrl = who.shareUrl
    const clock = this.#clock
    this.#proto = new Protocol({
      store: this.#store,
      identity: this.#identity,
      installationId: account.installationId,
      crypto: this.#crypto,
      clock: () => BigInt(Math.floor(clock())) * 1_000_000n,
      // One signature per minute instead of one per message (and a verification per minute at
      // each peer): the bundle timestamp only feeds the hour-scale device rules (issue 9).
      bundleResignIntervalMs: BUNDLE_RESIGN_INTERVAL_MS,
      ...(opts.maxInstallations === undefined ? {} : { maxInstallations: opts.maxInstallations }),
      ...(internal.firstSignedPreKeyVersion === undefined
        ? {}
        : { firstSignedPreKeyVersion: internal.firstSignedPreKeyVersion }),
    })
    this.#seen = new StoreSeenSet(this.#store)
    this.#receiver = new Receiver({
      seen: this.#seen,
      clock: { now: clock },
      provider: this.#crypto,
      // Seen hashes outlive the envelope by the store nodes' retention, so a store node cannot
      // replay an expired envelope (a DH-fallback one would otherwise decrypt again).
      historyRetention: HISTORY_RETENTION_S,
    })
    this.#events = new Emitter<MessengerEvents>(() => {
      // A listener's exception must not break the receive loop; it is not ours to report.
    })
    if (opts.autoStart !== false) this.#start()
  }

  // accounts ----------------------------------------------------------------------------------

  /** A new account: 12-word phrase, chat key, UUIDv4 installation id, signed prekey; stored. */
  static create(opts: MessengerOptions & { phrase?: never }): Promise<Messenger> {
    return Promise.resolve().then(() => {
      const crypto = opts.crypto ?? defaultProvider()
      const random = opts.random ?? ((n: number) => crypto.randomBytes(n))
      const phrase = newPhrase(random)
      const account = accountFromPhrase(
        phrase,
        uuidV4(random),
        (opts.clock ?? Date.now)(),
        crypto,
        device(opts),
      )
      return Messenger.#install(opts, account, phrase)
    })
  }

  /**
   * The account of `phrase` on a new installation (whitepaper §4.4). With `installationId`, the
   * device restores that installation instead (its sessions are gone: peers' messages to it then
   * raise `decryptionFailed`, answered by `reestablish`).
   * @throws {PfsError} `INVALID_PHRASE`; `ACCOUNT_MISMATCH` when the store holds an account
   */
  static recover(
    opts: MessengerOptions & { phrase: string; installationId?: string },
  ): Promise<Messenger> {
    return Promise.resolve().then(() => {
      const crypto = opts.crypto ?? defaultProvider()
      const random = opts.random ?? ((n: number) => crypto.randomBytes(n))
      const now = (opts.clock ?? Date.now)()
      const account = accountFromPhrase(
        opts.phrase,
        opts.installationId ?? uuidV4(random),
        now,
        crypto,
        device(opts),
      )
      // The restored installation's signed prekeys are numbered from the restore time (Unix
      // seconds), above every version it used before: its peers take the new key for a rotation.
      const restoring = opts.installationId !== undefined
      return Messenger.#install(
        opts,
        account,
        undefined,
        restoring ? Math.floor(now / 1000) : undefined,
      )
    })
  }

  /**
   * The account already in `store`. With `publicKey`, the store must hold that account.
   * @throws {PfsError} `NO_ACCOUNT`, `ACCOUNT_MISMATCH`
   */
  static open(opts: MessengerOptions & { publicKey?: string }): Promise<Messenger> {
    return Promise.resolve().then(() => {
      const account = opts.store.getAccount()
      if (account === undefined) throw messengerError('NO_ACCOUNT', 'the store holds no account')
      if (opts.publicKey !== undefined) {
        const crypto = opts.crypto ?? defaultProvider()
        const want = parseKey(opts.publicKey, crypto)
        if (!bytesEqual(want, crypto.compressPublicKey(account.identityPublicKey))) {
          throw messengerError('ACCOUNT_MISMATCH', 'the store belongs to another account')
        }
      }
      return new Messenger(opts, { account, phrase: undefined })
    })
  }

  static #install(
    opts: MessengerOptions,
    account: AccountRecord,
    phrase: string | undefined,
    firstSignedPreKeyVersion?: number,
  ) {
    const store = opts.store
    const existing = store.getAccount()
    if (existing !== undefined) {
      const same = bytesEqual(existing.identityPublicKey, account.identityPublicKey)
      throw messengerError(
        'ACCOUNT_MISMATCH',
        same
          ? 'the store already holds this account: open it instead'
          : 'the store belongs to another account',
      )
    }
    store.transaction(() => {
      store.putAccount(account)
    })
    const m = new Messenger(
      { ...opts, autoStart: false },
      {
        account,
        phrase,
        ...(firstSignedPreKeyVersion === undefined ? {} : { firstSignedPreKeyVersion }),
      },
    )
    // Our first signed prekey, created now rather than on first use.
    m.#proto.ourBundle()
    if (opts.autoStart !== false) m.#start()
    return m
  }

  /** Parses a contact code, `0x04…` key, `zQ3…` key or share link. */
  static parseContactCode(code: string): { publicKey: string; bundle?: unknown } {
    return parseContactCode(code)
  }

  /** The SVG identicon (colour-hash ring). */
  identicon(): string {
    return identiconSvg(this.#selfFull, {}, this.#crypto)
  }

  /** Our freshly signed bundle as a QR-friendly string (`pfs1:` + base64url). */
  contactCode(): string {
    this.#checkOpen()
    return encodeContactCode(this.#proto.ourBundle())
  }

  // contacts ----------------------------------------------------------------------------------

  /**
   * Sends a contact request with an optional introduction. A contact code gives PFS from the first
   * message. For a bare key whose bundle we do not know yet, the peer's contact-code advertisement
   * is looked up first (PROTOCOL.md §13.7; store-node history, at most `lookupTimeoutMs`, default
   * `ADD_BY_KEY_LOOKUP_MS`), so that the request already runs X3DH when they advertised (§2.3);
   * without one, the DH fallback (`pfs: false`) is used until the peer answers. `lookup: false`
   * skips the lookup.
   * @throws {PfsError} `INVALID_CONTACT_CODE`, `INVALID_ARGUMENT` (ourselves, text too long)
   */
  async addContact(
    codeOrKey: string,
    intro?: string,
    opts: { readonly lookup?: boolean; readonly lookupTimeoutMs?: number } = {},
  ): Promise<SendResult> {
    this.#checkOpen()
    const parsed: ParsedContactCode = parseContactCode(codeOrKey, this.#crypto)
    const peer = this.#crypto.compressPublicKey(fromHex(parsed.publicKey))
    if (bytesEqual(peer, this.#self)) {
      throw new PfsError('INVALID_ARGUMENT', 'cannot add our own chat key as a contact')
    }
    const text = checkText(intro ?? '', true)
    const peerHex = parsed.publicKey
    let bundle = parsed.bundle
    if (bundle === undefined && opts.lookup !== false && !this.#pfsWith(peer)) {
      bundle = await this.#lookupBundle(peerHex, opts.lookupTimeoutMs ?? ADD_BY_KEY_LOOKUP_MS)
      this.#checkOpen()
    }
    const cm = this.#chatMessage(peerHex, text, ContentType.ContactRequest)
    const now = this.#clock()
    const result = await this.#send(peer, ApplicationType.ChatMessage, encodeChatMessage(cm), {
      before: () => {
        if (bundle !== undefined) this.#proto.processBundle(bundle, peer)
      },
      record: (id, pfs) => ({
        id,
        chatId: peerHex,
        direction: 'outgoing',
        sender: this.#self,
        text,
        payload: encodeChatMessage(cm),
        sentAt: now,
        receivedAt: now,
        pfs,
      }),
      after: (id) => {
        // Their request is still pending: asking back is consent on both sides (they see ours
        // as an answer to theirs).
        const theirs = pendingRequest(this.#store, peer, 'incoming')
        this.#store.addContactRequest({
          id,
          identity: peer,
          direction: 'outgoing',
          state: 'pending',
          ...(text === '' ? {} : { text }),
          createdAt: now,
          updatedAt: now,
        })
        if (theirs !== undefined) {
          this.#store.setContactRequestState(theirs.id, 'accepted', now)
          this.#store.setContactRequestState(id, 'accepted', now)
        }
        if (this.#store.getContact(peer) === undefined) {
          this.#store.putContact({ identity: peer, addedAt: now, blocked: false })
        }
      },
    })
    this.#subscribe()
    return result
  }

  /**
   * Learns someone's signed bundle without sending anything (whitepaper §2.3 bundle retrieval: a
   * contact code, or a bundle a directory or public chat verified), so that a later `addContact`
   * or `send` starts with X3DH. Returns their chat key (`0x04…`).
   *
   * `oneTimePreKey` (our extension, protocol/one-time-prekeys.ts): one of their one-time prekeys,
   * already verified (a directory checks the owner's signature on it), for `installationId` —
   * by default the bundle's only installation. The next message to that installation then runs
   * X3DH with it. Only for peers running this implementation: status-go cannot answer it.
   * @throws {PfsError} `INVALID_CONTACT_CODE` (a bare key, a bad signature), `INVALID_ARGUMENT`
   *   (our own bundle: our devices pair through `enableDevice`; a one-time prekey with no
   *   installation named for a bundle of several), `INVALID_KEY`, `INVALID_STATE` (an
   *   installation not in the bundle); nothing is stored then.
   */
  importBundle(
    codeOrBundle: string | Bundle,
    opts: { readonly oneTimePreKey?: Uint8Array; readonly installationId?: string } = {},
  ): string {
    this.#checkOpen()
    const code = typeof codeOrBundle === 'string' ? codeOrBundle : encodeContactCode(codeOrBundle)
    const parsed = parseContactCode(code, this.#crypto)
    if (parsed.bundle === undefined) {
      throw messengerError('INVALID_CONTACT_CODE', 'a chat key alone carries no bundle')
    }
    const peer = this.#crypto.compressPublicKey(fromHex(parsed.publicKey))
    if (bytesEqual(peer, this.#self)) {
      throw new PfsError('INVALID_ARGUMENT', 'that is our own bundle')
    }
    const bundle = parsed.bundle
    const otpk = opts.oneTimePreKey
    const installations = Object.keys(bundle.signedPreKeys)
    const target =
      opts.installationId ?? (installations.length === 1 ? installations[0] : undefined)
    if (otpk !== undefined && target === undefined) {
      throw new PfsError('INVALID_ARGUMENT', 'name the installation the one-time prekey is for')
    }
    this.#store.transaction(() => {
      this.#proto.processBundle(bundle, peer)
      if (otpk !== undefined && target !== undefined) {
        this.#proto.useOneTimePreKey(peer, target, otpk)
      }
    })
    return parsed.publicKey
  }

  /** The store this messenger runs on (the caller's), for the bundle-distribution modules. */
  get store(): Store {
    return this.#store
  }

  /** The network this messenger runs on, for the bundle-distribution modules. */
  get network(): Network {
    return this.#network
  }

  contacts(): ContactInfo[] {
    this.#checkOpen()
    const ids = new Map<string, { identity: Uint8Array; addedAt: number }>()
    for (const c of this.#store.listContacts()) {
      ids.set(toHex(c.identity), { identity: c.identity, addedAt: c.addedAt })
    }
    for (const r of this.#store.listContactRequests()) {
      const k = toHex(r.identity)
      if (!ids.has(k)) ids.set(k, { identity: r.identity, addedAt: r.createdAt })
    }
    const out: ContactInfo[] = []
    for (const { identity, addedAt } of ids.values()) {
      const state = contactState(this.#store, identity)
      if (state === undefined) continue
      const pk = this.#hex(identity)
      out.push({
        publicKey: pk,
        name: this.#nameOf(identity),
        state,
        pfs: this.#pfsWith(identity),
        addedAt,
      })
    }
    return out
  }

  /** Pending incoming and outgoing requests. */
  contactRequests(): ContactRequestInfo[] {
    this.#checkOpen()
    return this.#store.listContactRequests({ state: 'pending' }).map((r) => this.#requestInfo(r.id))
  }

  /**
   * Accepts the pending request of `publicKey`: answers over the protocol (which upgrades a DH
   * fallback chat to PFS, since the answer runs X3DH against the requester's bundle).
   * @throws {PfsError} `UNKNOWN_CONTACT` when there is no pending request from them
   */
  async acceptContact(publicKey: string): Promise<void> {
    this.#checkOpen()
    const peer = this.#peerKey(publicKey)
    const req = pendingRequest(this.#store, peer, 'incoming')
    if (req === undefined) {
      throw messengerError('UNKNOWN_CONTACT', 'no pending contact request from this key')
    }
    const peerHex = this.#hex(peer)
    const clock = this.#nextClock(peerHex)
    const body = encodeAcceptContactRequest(
      create(AcceptContactRequestSchema, { id: req.id, clock }),
    )
    const now = this.#clock()
    await this.#send(peer, ApplicationType.AcceptContactRequest, body, {
      after: () => {
        this.#store.setContactRequestState(req.id, 'accepted', now)
        if (this.#store.getContact(peer) === undefined) {
          this.#store.putContact({ identity: peer, addedAt: now, blocked: false })
        }
      },
    })
    this.#subscribe()
  }

  /**
   * Declines the pending request of `publicKey` and tells them (a `ContactUpdate` whose
   * propagated state is "dismissed"); they can only send a new request.
   * @throws {PfsError} `UNKNOWN_CONTACT` when there is no pending request from them
   */
  async declineContact(publicKey: string): Promise<void> {
    this.#checkOpen()
    const peer = this.#peerKey(publicKey)
    const req = pendingRequest(this.#store, peer, 'incoming')
    if (req === undefined) {
      throw messengerError('UNKNOWN_CONTACT', 'no pending contact request from this key')
    }
    const clock = this.#nextClock(this.#hex(peer))
    const body = encodeContactUpdate(
      create(ContactUpdateSchema, {
        clock,
        publicKey: this.publicKey,
        contactRequestPropagatedState: create(ContactRequestPropagatedStateSchema, {
          localClock: clock,
          localState: BigInt(ContactRequestState.Dismissed),
          remoteClock: clock,
          remoteState: BigInt(ContactRequestState.Received),
        }),
      }),
    )
    const now = this.#clock()
    await this.#send(peer, ApplicationType.ContactUpdate, body, {
      after: () => {
        this.#store.setContactRequestState(req.id, 'declined', now)
      },
    })
  }

  // chats -------------------------------------------------------------------------------------

  /**
   * Sends `text` to a contact (or someone we sent a request to).
   * @throws {PfsError} `UNKNOWN_CONTACT`, `CONTACT_DECLINED`, `INVALID_ARGUMENT`, `NETWORK_FAILURE`
   */
  async send(to: string, text: string): Promise<SendResult> {
    this.#checkOpen()
    const peer = this.#peerKey(to)
    const state = contactState(this.#store, peer)
    if (state === undefined) throw messengerError('UNKNOWN_CONTACT', 'not a contact: add it first')
    if (state === 'declined') {
      throw messengerError('CONTACT_DECLINED', 'the contact request was declined: send a new one')
    }
    const body = checkText(text, false)
    const peerHex = this.#hex(peer)
    const cm = this.#chatMessage(peerHex, body, ContentType.TextPlain)
    const bytes = encodeChatMessage(cm)
    const now = this.#clock()
    return this.#send(peer, ApplicationType.ChatMessage, bytes, {
      record: (id, pfs) => ({
        id,
        chatId: peerHex,
        direction: 'outgoing',
        sender: this.#self,
        text: body,
        payload: bytes,
        sentAt: now,
        receivedAt: now,
        pfs,
      }),
    })
  }

  /** The chat with `withPublicKey`, oldest first (Lamport clock order); requests stay hidden. */
  messages(withPublicKey: string, opts: { limit?: number } = {}): ChatMessageInfo[] {
    this.#checkOpen()
    const peer = this.#peerKey(withPublicKey)
    const peerHex = this.#hex(peer)
    const mutual = contactState(this.#store, peer) === 'mutual'
    const records = this.#store.listMessages(peerHex)
    const list = records
      .filter((r) => mutual || r.direction === 'outgoing')
      .map((r) => this.#messageInfo(r, peerHex))
      .sort((a, b) =>
        a.clock !== b.clock ? (a.clock < b.clock ? -1 : 1) : a.sentAt - b.sentAt || cmp(a.id, b.id),
      )
    return opts.limit === undefined ? list : list.slice(Math.max(0, list.length - opts.limit))
  }

  // devices -----------------------------------------------------------------------------------

  /** Our installations, this one first. */
  devices(): DeviceInfo[] {
    this.#checkOpen()
    const list = this.#proto.devices().map(deviceInfo)
    list.sort((a, b) => Number(b.current) - Number(a.current))
    return list
  }

  /** Confirms a pending own device (pairing) and re-advertises the bundle that now lists it. */
  async enableDevice(id: string): Promise<void> {
    this.#checkOpen()
    if (!this.#proto.enableDevice(id)) throw unknownDevice()
    await this.#advertiseIfChanged()
  }

  async disableDevice(id: string): Promise<void> {
    this.#checkOpen()
    if (!this.#proto.disableDevice(id)) throw unknownDevice()
    await this.#advertiseIfChanged()
  }

  async removeDevice(id: string): Promise<void> {
    this.#checkOpen()
    if (id === this.installationId) {
      throw new PfsError('INVALID_ARGUMENT', 'cannot remove the current device')
    }
    if (!this.#proto.removeDevice(id)) throw unknownDevice()
    await this.#advertiseIfChanged()
  }

  setDeviceName(name: string): Promise<void> {
    this.#checkOpen()
    if (typeof name !== 'string' || name.length === 0 || name.length > 100) {
      return Promise.reject(
        new PfsError('INVALID_ARGUMENT', 'device name must be 1-100 characters'),
      )
    }
    const account = this.#store.getAccount()
    if (account !== undefined) {
      this.#store.transaction(() => {
        this.#store.putAccount({ ...account, name })
      })
    }
    this.#proto.setDeviceInfo({ name })
    return Promise.resolve()
  }

  peerDevices(publicKey: string): DeviceInfo[] {
    this.#checkOpen()
    return this.#proto.devices(this.#peerKey(publicKey)).map(deviceInfo)
  }

  // network -----------------------------------------------------------------------------------

  /**
   * Fetches what we missed from store nodes, oldest first, and handles it like live traffic. A
   * header too far ahead is retried once everything is fetched, with a one-off catch-up allowance
   * when this sync holds enough of its sender's messages (issue 10 "long offline", `CatchUp`).
   */
  async sync(opts: { onProgress?: (p: SyncProgress) => void } = {}): Promise<SyncResult> {
    this.#checkOpen()
    const topics = this.#topics()
    const account = this.#store.getAccount()
    const until = Math.floor(this.#clock() / 1000)
    let fetched = 0
    let delivered = 0
    let failed = 0
    let processed = 0
    const catchUp: CatchUp = {
      counts: new Map(),
      deferred: [],
      granted: new Set(),
      retrying: false,
      final: false,
      caughtUp: 0,
    }
    this.#catchUp = catchUp
    const recovered = new RecoveredSignatures()
    this.#recovered = recovered
    const created = Math.floor((account?.createdAt ?? 0) / 1000)
    try {
      for (const node of this.#opts.storeNodes ?? ['default']) {
        // Full batches wait in `opener` while a worker opens them ahead (sync-open-pool.ts); one
        // worker serves every query to this node.
        const opener = new SyncOpener({
          provider: this.#crypto,
          keyOf: (e) => this.#keyOf(topicHex(e.topic)),
          recovered,
          sessions: () => ({
            installationId: this.installationId,
            sessions: syncSessions(this.#store, this.#self),
          }),
        })
        try {
          for (const phase of syncPhases(this.#store.listSyncCursors(node), topics, created)) {
            const since = Math.max(0, phase.since - SYNC_SLACK_SECONDS)
            // Envelopes are handled in batches, one store transaction each (issue 9: one commit per
            // batch, not three per envelope); each envelope's handle is still its own savepoint, so a
            // failing one rolls back alone (DESIGN.md "Storage").
            const batch: Envelope[] = []
            const flush = (envelopes: readonly Envelope[] = batch.splice(0)): void => {
              if (envelopes.length === 0) return
              for (const outcome of this.#onEnvelopes(envelopes)) {
                // Counted when retried.
                if (outcome === 'deferred') continue
                if (outcome === 'handled') delivered++
                if (outcome === 'failed') failed++
                processed++
                const p: SyncProgress = { fetched, processed }
                opts.onProgress?.(p)
                this.#events.emit('syncProgress', p)
              }
            }
            const client = new StoreClient(this.#network, {
              topics: phase.topics,
              // The batch marks each envelope seen when it handles it (`Receiver.accept`, inside the
              // batch transaction); the client's own mark would come first and make it a duplicate.
              seen: {
                has: (hash) => this.#seen.has(hash),
                add: () => true,
                prune: (now) => this.#seen.prune(now),
                get size() {
                  return 0
                },
              },
              clock: { now: this.#clock },
              provider: this.#crypto,
              handler: (envelope) => {
                fetched++
                batch.push(envelope)
                return batch.length >= SYNC_BATCH ? opener.push(batch.splice(0), flush) : undefined
              },
            })
            let res: Awaited<ReturnType<StoreClient['sync']>>
            try {
              res = await client.sync(since, { until })
            } finally {
              await opener.drain(flush)
              flush()
              // Everything of this node is in: the counts are final, retry what was too far ahead.
              catchUp.retrying = true
              for (let round = 1; catchUp.deferred.length > 0; round++) {
                catchUp.final = round >= MAX_RETRY_ROUNDS
                const before = delivered
                const todo = catchUp.deferred.splice(0).sort((x, y) => x.n - y.n)
                for (let i = 0; i < todo.length; i += SYNC_BATCH) {
                  batch.push(...todo.slice(i, i + SYNC_BATCH).map((d) => d.envelope))
                  flush()
                }
                // No progress: the next round is the last.
                if (delivered === before) round = Math.max(round, MAX_RETRY_ROUNDS - 1)
              }
              catchUp.retrying = false
              catchUp.final = false
            }
            fetched += res.duplicates
            // One cursor per topic: a topic added later (a new contact) starts from the account's
            // creation without making the others start over.
            this.#store.transaction(() => {
              for (const t of phase.topics) {
                this.#store.putSyncCursor({ storeNode: node, topics: [t], syncedTo: until })
              }
            })
          }
        } finally {
          await opener.close()
        }
      }
    } finally {
      this.#catchUp = undefined
      this.#recovered = undefined
    }
    return { fetched, delivered, failed, caughtUp: catchUp.caughtUp }
  }

  /** Publishes our freshly signed bundle on our contact-code topic now. */
  async advertise(): Promise<void> {
    this.#checkOpen()
    const message = this.#proto.bundleMessage()
    const fingerprint = bundleFingerprint(message)
    const topic = contactCodeTopic(this.#selfFull, this.#crypto)
    const data = sealSymmetric(
      encodeProtocolMessage(message),
      this.#contactKey(this.#selfFull),
      this.#identity,
      { provider: this.#crypto },
    )
    // Kept by store nodes until the next advertisement is due, so that someone adding us by chat
    // key finds the bundle there (§2.3) and can start with PFS.
    await this.#publish(topic, data, ADVERTISEMENT_TTL_S)
    this.#lastAdvertised = this.#clock()
    this.#advertisedFingerprint = fingerprint
  }

  /** Drops expired sessions, keys and seen-envelope hashes. */
  prune(): void {
    this.#checkOpen()
    const now = this.#clock()
    this.#proto.prune(now)
    this.#store.transaction(() => this.#store.pruneSeenEnvelopes(Math.floor(now / 1000)))
  }

  stats(): MessengerStats {
    return {
      ...this.#stats,
      sessions: this.#closed ? this.#stats.sessions : this.#proto.sessionCount(),
      devices: this.#closed ? this.#stats.devices : this.#proto.devices().length,
    }
  }

  /** Stops receiving and waits for outgoing publishes. The store stays open (the caller's). */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#stats.sessions = this.stats().sessions
    this.#stats.devices = this.#proto.devices().length
    this.#closed = true
    this.#unsubscribe?.()
    this.#unsubscribe = undefined
    if (this.#timer !== undefined) clearInterval(this.#timer)
    await Promise.allSettled([...this.#pending])
    this.#events.clear()
    for (const k of this.#contactKeys.values()) k.destroy()
    this.#contactKeys.clear()
    for (const c of this.#negotiatedPeers.values()) {
      c.secret?.fill(0)
      c.key?.destroy()
    }
    this.#negotiatedPeers.clear()
    this.#identity.destroy()
  }

  /** Subscribes to our topics and starts advertising (done at once unless `autoStart: false`). */
  start(): void {
    this.#checkOpen()
    this.#start()
  }

  on<E extends keyof MessengerEvents>(event: E, fn: (e: MessengerEvents[E]) => void): () => void {
    return this.#events.on(event, fn)
  }

  // receive -----------------------------------------------------------------------------------

  #start(): void {
    if (this.#closed || this.#started) return
    this.#started = true
    this.#subscribe()
    const interval = this.#opts.advertiseIntervalMs ?? DEFAULT_ADVERTISE_INTERVAL_MS
    this.#timer = setInterval(
      () => {
        this.#background(this.#maybeAdvertise())
      },
      Math.min(interval, 60 * 60 * 1000),
    )
    // Node: do not keep the process alive for the advertisement timer alone.
    ;(this.#timer as { unref?: () => void }).unref?.()
    this.#background(this.#maybeAdvertise())
  }

  /**
   * (Re)subscribes to our partitioned and contact-code topics, our contacts' contact codes, and
   * the negotiated topics of every peer we hold a shared secret with, every contact and
   * ourselves (PROTOCOL.md §11.3: the reference listens on the first group; a contact or a
   * device of ours may send there before this installation has a record, e.g. after a
   * recovery, and the secret needs only our identity key).
   */
  #subscribe(): void {
    if (this.#closed || !this.#started) return
    const topics = this.#topics()
    this.#unsubscribe?.()
    this.#unsubscribe = this.#network.subscribe(topics, (env) => {
      // The seen mark and the handled message commit together: a crash in between must not
      // leave an envelope marked seen whose message was never stored (sync would skip it).
      try {
        this.#onEnvelopes([env], false)
      } catch (e) {
        this.#reportError(e)
      }
    })
  }

  /** Every topic we listen on, with its key (or derivation) recorded in `#topicKeys`. */
  #topics(): Topic[] {
    const topics: Topic[] = []
    const add = (t: Topic, key: OpenKey | (() => OpenKey)): void => {
      const h = topicHex(t)
      if (!this.#topicKeys.has(h)) this.#topicKeys.set(h, key)
      if (!topics.some((x) => topicHex(x) === h)) topics.push(t)
    }
    add(partitionedTopic(this.#selfFull, this.#crypto), { privateKey: this.#identity })
    const contactCode = (full: Uint8Array): void => {
      add(contactCodeTopic(full, this.#crypto), () => ({ symKey: this.#contactKey(full) }))
    }
    contactCode(this.#selfFull)
    const peers = [this.#self]
    for (const c of this.#store.listContacts()) {
      contactCode(this.#crypto.decompressPublicKey(c.identity))
      peers.push(c.identity)
    }
    // A recorded secret is the same X(IK_me · IK_peer): no ECDH for those peers.
    for (const s of this.#store.listSharedSecrets()) {
      const channel = this.#negotiatedChannel(s.identity, s.secret)
      add(channel.topic, () => ({ symKey: this.#negotiatedKey(channel) }))
    }
    for (const identity of peers) {
      const channel = this.#negotiatedChannel(identity)
      add(channel.topic, () => ({ symKey: this.#negotiatedKey(channel) }))
    }
    return topics
  }

  /** The key to open `topic` (hex) with, derived now if it was left for first use. */
  #keyOf(topic: string): OpenKey | undefined {
    const k = this.#topicKeys.get(topic)
    if (typeof k !== 'function') return k
    const key = k()
    this.#topicKeys.set(topic, key)
    return key
  }

  /**
   * Our negotiated channel with `peer` (PROTOCOL.md §11.4), remembered as one we listen on.
   * `recorded`: the secret as the store holds it (a copy, taken over: kept or wiped here), which
   * spares the ECDH.
   */
  #negotiatedChannel(peer: Uint8Array, recorded?: Uint8Array): PeerTopic {
    const h = this.#hex(peer)
    let channel = this.#negotiatedPeers.get(h)
    if (channel !== undefined) recorded?.fill(0)
    if (channel === undefined) {
      const secret = recorded ?? this.#crypto.secp256k1Ecdh(this.#identity, peer)
      channel = { topic: negotiatedTopic(secret, this.#crypto), secret }
      this.#negotiatedPeers.set(h, channel)
      this.#negotiatedTopics.add(topicHex(channel.topic))
    }
    return channel
  }

  /** The channel's key: one PBKDF2 of 65,356 rounds, on first use; the raw secret goes then. */
  #negotiatedKey(channel: PeerTopic): SecretKey {
    if (channel.key === undefined) {
      const secret = channel.secret!
      channel.key = negotiatedKey(secret, this.#crypto)
      secret.fill(0)
      channel.secret = undefined
    }
    return channel.key
  }

  #contactKey(full: Uint8Array): SecretKey {
    const h = toHex(full)
    let k = this.#contactKeys.get(h)
    if (k === undefined) {
      k = contactCodeKey(full, this.#crypto)
      this.#contactKeys.set(h, k)
    }
    return k
  }

  /**
   * Envelopes from a store node, in one store transaction; what each would announce (events,
   * subscriptions, answers) waits until the transaction has committed.
   * @throws {PfsError} `STORE_FAILURE` when the batch cannot commit (then nothing of it is kept)
   */
  #onEnvelopes(envelopes: readonly Envelope[], fromStore = true): Outcome[] {
    const deferred: (() => void)[] = []
    this.#deferred = deferred
    let outcomes: Outcome[]
    try {
      outcomes = this.#store.transaction(() => envelopes.map((e) => this.#onEnvelope(e, fromStore)))
    } finally {
      this.#deferred = undefined
    }
    for (const fn of deferred) fn()
    return outcomes
  }

  /**
   * One envelope, live or from a store node, in its own savepoint: a `'deferred'` one leaves no
   * trace, not even its seen mark, so that it comes back. Never throws.
   */
  #onEnvelope(envelope: Envelope, fromStore: boolean): Outcome {
    if (this.#closed) return 'ignored'
    try {
      return this.#store.transaction(() => {
        const outcome = this.#receiveEnvelope(envelope, fromStore)
        if (outcome === 'deferred') throw DEFERRED
        return outcome
      })
    } catch (e) {
      if (e !== DEFERRED) throw e
      return 'deferred'
    }
  }

  #receiveEnvelope(envelope: Envelope, fromStore: boolean): Outcome {
    try {
      const hash = this.#receiver.accept(envelope, fromStore)
      if (hash === undefined) {
        this.#stats.duplicatesDropped++
        return 'duplicate'
      }
    } catch {
      return 'ignored'
    }
    const key = this.#keyOf(topicHex(envelope.topic))
    if (key === undefined) return 'ignored'
    let signer: Uint8Array | undefined
    let message: ProtocolMessage
    try {
      const opened = open(envelope.data, key, { provider: this.#crypto })
      signer = opened.signer
      if (signer === undefined) return 'ignored'
      message = decodeProtocolMessage(opened.payload)
    } catch {
      // Someone else's message on a shared (partitioned) topic, or garbage: not ours.
      return 'ignored'
    }
    const topic = topicHex(envelope.topic)
    const negotiated = this.#negotiatedTopics.has(topic)
    const via: Via = {
      direct: topic === this.#partitionedTopic || negotiated,
      negotiated,
      catchUp: fromStore ? this.#catchUp : undefined,
      envelope,
    }
    try {
      return this.#onProtocolMessage(signer, message, via)
    } catch (e) {
      this.#reportError(e)
      return 'failed'
    }
  }

  #onProtocolMessage(signer: Uint8Array, message: ProtocolMessage, via: Via): Outcome {
    const sender = this.#crypto.compressPublicKey(signer)
    const fromSelf = bytesEqual(sender, this.#self)
    const known = new Set(this.#store.listInstallations(sender).map((i) => i.installationId))
    const catchUp = via.catchUp
    if (catchUp !== undefined && !catchUp.retrying && this.#hasSessionEntry(message)) {
      const key = this.#hex(sender)
      catchUp.counts.set(key, (catchUp.counts.get(key) ?? 0) + 1)
    }
    const after: (() => void)[] = []
    const handle = (allowance?: number): HandleResult =>
      this.#store.transaction(() => {
        after.length = 0
        const r =
          allowance === undefined
            ? this.#proto.handle(sender, message)
            : this.#proto.handle(sender, message, { catchUp: allowance })
        if (r.kind === 'message' && !r.public) this.#onApplication(sender, fromSelf, r, after)
        return r
      })
    let result: HandleResult
    try {
      try {
        result = handle()
      } catch (e) {
        const allowance = isPfsError(e, 'TOO_MANY_SKIPPED') ? this.#grant(catchUp, sender) : 0
        if (allowance === 0 || catchUp === undefined) throw e
        try {
          result = handle(allowance)
        } catch (e2) {
          // Refused before any work: the allowance is not used up.
          if (isPfsError(e2, 'TOO_MANY_SKIPPED')) catchUp.granted.delete(this.#hex(sender))
          throw e2
        }
        catchUp.caughtUp++
      }
    } catch (e) {
      if (!isPfsError(e)) throw e
      const reason = classifyFailure(e, message, known)
      if (reason === undefined) {
        this.#reportError(e)
        return 'failed'
      }
      // Too far ahead in a sync: wait until everything is fetched (`CatchUp`).
      if (reason === 'too-far-ahead' && catchUp !== undefined && !catchUp.final) {
        const n = message.encryptedMessage[this.installationId]?.DRHeader?.n ?? 0
        catchUp.deferred.push({ envelope: via.envelope, n })
        return 'deferred'
      }
      const repair = this.#repair(sender, fromSelf, message, reason, via)
      if (reason === 'duplicate') this.#stats.duplicatesDropped++
      else this.#stats.decryptionFailures++
      this.#events.emit('decryptionFailed', {
        from: this.#hex(sender),
        ...(message.installationId === '' ? {} : { installationId: message.installationId }),
        code: e.code,
        reason,
        repair,
        reestablish: () => this.#reestablish(sender, message),
      })
      if (reason === 'duplicate') return 'duplicate'
      return repair === 'sync' ? 'deferred' : 'failed'
    }
    // Committed (or, in a sync batch, released into the batch): now tell the world — at once, or
    // once the batch has committed.
    const added = this.#store
      .listInstallations(sender)
      .filter((inst) => !known.has(inst.installationId))
    const tell = (): void => {
      for (const inst of added) {
        this.#events.emit('deviceAdded', {
          ...deviceInfo({ ...inst, current: false }),
          publicKey: this.#hex(sender),
          own: fromSelf,
        })
      }
      for (const fn of after) fn()
      // Our other device's message to the peer, seen on our shared negotiated topic, is not for
      // us at all: no partitioned-device case (whitepaper §4.5 is about senders that miss us).
      if (result.kind === 'partitioned' && !(fromSelf && via.negotiated)) {
        this.#events.emit('partitionedDevice', { from: this.#hex(sender), answered: result.answer })
        if (result.answer && !fromSelf) {
          this.#background(this.#publishTo(sender, this.#proto.bundleMessage()))
        }
      }
      // A bare bundle sent to us 1:1 is a device asking for re-establishment: our `reestablish`
      // after a failure, or our answer as a partitioned device (issue 10 "self-healing").
      if (result.kind === 'bundle-only' && via.direct && !fromSelf) {
        this.#answerRepairRequest(sender, message.installationId)
      }
    }
    // The sender's first message under protocol version ≥ 1: listen on our negotiated topic with
    // it from now on (§11.4), where it will send once it has heard from all our devices.
    if (
      result.kind === 'message' &&
      'sharedSecret' in result &&
      !this.#negotiatedPeers.has(this.#hex(sender))
    ) {
      after.push(() => {
        this.#subscribe()
      })
    }
    if (this.#deferred === undefined) tell()
    else this.#deferred.push(tell)
    return 'handled'
  }

  /** The application message inside a decrypted payload; runs in the handle transaction. */
  #onApplication(
    sender: Uint8Array,
    fromSelf: boolean,
    r: Extract<HandleResult, { kind: 'message' }>,
    after: (() => void)[],
  ): void {
    const app = unwrapApplicationMessage(r.payload, sender, this.#crypto, this.#recovered)
    const now = this.#clock()
    if (app.type === ApplicationType.ChatMessage) {
      const cm = decodeChatMessage(app.payload)
      const peerHex = fromSelf ? checkChatId(cm.chatId, this.#crypto) : this.#hex(sender)
      // `sender` is compressed already (`#onProtocolMessage`).
      const peer = fromSelf ? this.#crypto.compressPublicKey(fromHex(peerHex)) : sender
      if (fromSelf && bytesEqual(peer, this.#self)) return
      const record: MessageRecord = {
        id: app.id,
        chatId: peerHex,
        direction: fromSelf ? 'outgoing' : 'incoming',
        sender,
        text: cm.text,
        payload: app.payload,
        sentAt: Number(cm.timestamp),
        receivedAt: now,
        pfs: r.pfs,
      }
      const added = this.#store.addMessage(record)
      if (!added) {
        after.push(() => {
          this.#stats.duplicatesDropped++
        })
        return
      }
      this.#observeClock(peerHex, cm.clock)
      after.push(() => {
        this.#stats.received++
        if (r.pfs) this.#stats.pfsReceived++
        // Issue 10: a contact we hold a PFS session with wrote without one; never silent.
        if (r.downgrade === true && !fromSelf) {
          this.#events.emit('downgrade', {
            from: peerHex,
            installationId: r.installationId,
            messageId: app.id,
          })
        }
      })
      if (fromSelf) {
        if (cm.contentType === ContentType.ContactRequest) {
          this.#store.addContactRequest({
            id: app.id,
            identity: peer,
            direction: 'outgoing',
            state: 'pending',
            ...(cm.text === '' ? {} : { text: cm.text }),
            createdAt: now,
            updatedAt: now,
          })
          if (this.#store.getContact(peer) === undefined) {
            this.#store.putContact({ identity: peer, addedAt: now, blocked: false })
          }
        }
        const info = this.#messageInfo(record, peerHex, cm.clock)
        after.push(() => {
          this.#subscribe()
          this.#events.emit('message', { ...info, installationId: r.installationId })
        })
        return
      }
      this.#onChatFromPeer(peer, record, cm, r, now, after)
      return
    }
    if (fromSelf) return
    if (app.type === ApplicationType.AcceptContactRequest) {
      const acr = decodeAcceptContactRequest(app.payload)
      this.#observeClock(this.#hex(sender), acr.clock)
      const mine = this.#store.getContactRequest(acr.id)
      const req =
        mine !== undefined && mine.direction === 'outgoing' && mine.state === 'pending'
          ? mine
          : pendingRequest(this.#store, sender, 'outgoing')
      if (req === undefined || !bytesEqual(req.identity, sender)) return
      this.#markAccepted(sender, req.id, now, r.pfs, after)
      return
    }
    if (app.type === ApplicationType.ContactUpdate) {
      const cu = decodeContactUpdate(app.payload)
      const st = cu.contactRequestPropagatedState
      if (st === undefined || st.localState !== BigInt(ContactRequestState.Dismissed)) return
      const req = pendingRequest(this.#store, sender, 'outgoing')
      if (req !== undefined) this.#store.setContactRequestState(req.id, 'declined', now)
    }
  }

  #onChatFromPeer(
    peer: Uint8Array,
    record: MessageRecord,
    cm: ChatMessage,
    r: Extract<HandleResult, { kind: 'message' }>,
    now: number,
    after: (() => void)[],
  ): void {
    const state = contactState(this.#store, peer)
    const peerHex = this.#hex(peer)
    if (cm.contentType === ContentType.ContactRequest) {
      if (state === 'mutual') return
      if (state === 'requested') {
        // Both asked: that is mutual consent.
        const mine = pendingRequest(this.#store, peer, 'outgoing')!
        this.#markAccepted(peer, mine.id, now, r.pfs, after)
        return
      }
      if (state === 'incoming') return
      this.#holdRequest(peer, record.id, cm.text, now, after)
      return
    }
    if (state === 'requested') {
      // An answer to our request is an acceptance.
      const mine = pendingRequest(this.#store, peer, 'outgoing')!
      this.#markAccepted(peer, mine.id, now, r.pfs, after)
    } else if (state !== 'mutual') {
      // Messages from non-contacts are held as requests, not shown as chat.
      if (state !== 'incoming') this.#holdRequest(peer, record.id, cm.text, now, after)
      return
    }
    // The record just stored, not read back (issue 9: the sync path stores thousands).
    const info = this.#messageInfo(record, peerHex, cm.clock)
    after.push(() => {
      this.#events.emit('message', { ...info, installationId: r.installationId })
    })
  }

  #holdRequest(
    peer: Uint8Array,
    id: string,
    text: string,
    now: number,
    after: (() => void)[],
  ): void {
    this.#store.addContactRequest({
      id,
      identity: peer,
      direction: 'incoming',
      state: 'pending',
      ...(text === '' ? {} : { text }),
      createdAt: now,
      updatedAt: now,
    })
    const info = this.#requestInfo(id)
    const pk = info.publicKey
    after.push(() => {
      this.#events.emit('contactRequest', {
        ...info,
        accept: () => this.acceptContact(pk),
        decline: () => this.declineContact(pk),
      })
    })
  }

  #markAccepted(
    peer: Uint8Array,
    requestId: string,
    now: number,
    pfs: boolean,
    after: (() => void)[],
  ): void {
    this.#store.setContactRequestState(requestId, 'accepted', now)
    if (this.#store.getContact(peer) === undefined) {
      this.#store.putContact({ identity: peer, addedAt: now, blocked: false })
    }
    const publicKey = this.#hex(peer)
    after.push(() => {
      this.#subscribe()
      this.#events.emit('contactAccepted', { publicKey, pfs })
    })
  }

  /** After a decryption failure: keep their bundle, replace our sessions, send ours. */
  async #reestablish(sender: Uint8Array, failed: ProtocolMessage): Promise<void> {
    this.#checkOpen()
    const now = this.#clock()
    this.#store.transaction(() => {
      for (const b of failed.bundles) {
        try {
          this.#proto.processBundle(b, sender)
        } catch (e) {
          if (!isPfsError(e)) throw e
        }
      }
      if (
        !bytesEqual(sender, this.#self) &&
        this.#store.getContact(sender) === undefined &&
        latestRequest(this.#store, sender) === undefined
      ) {
        this.#store.putContact({ identity: sender, addedAt: now, blocked: false })
      }
    })
    const message = this.#proto.reestablish(sender)
    this.#subscribe()
    await this.#publishTo(sender, message)
  }

  // self-healing (issue 10) ------------------------------------------------------------------

  /** True when `message` has a Double Ratchet entry for this installation. */
  #hasSessionEntry(message: ProtocolMessage): boolean {
    const map = message.encryptedMessage
    return (
      Object.hasOwn(map, this.installationId) && map[this.installationId]?.DRHeader !== undefined
    )
  }

  /**
   * The catch-up allowance for `sender` in this sync's retry pass: the number of its envelopes
   * with an entry for us that the sync fetched, once per sender per sync, and only when that is
   * more than MaxSkip. 0: none.
   */
  #grant(catchUp: CatchUp | undefined, sender: Uint8Array): number {
    if (catchUp?.retrying !== true) return 0
    const key = this.#hex(sender)
    const count = catchUp.counts.get(key) ?? 0
    if (count <= MAX_SKIP || catchUp.granted.has(key)) return 0
    catchUp.granted.add(key)
    return count
  }

  /** True when automatic repair may talk to `sender`: us, or someone we chat with. */
  #mayRepair(sender: Uint8Array, fromSelf: boolean): boolean {
    if (this.#opts.autoRepair === false) return false
    if (fromSelf) return true
    const state = contactState(this.#store, sender)
    return state === 'mutual' || state === 'requested'
  }

  /** Records a repair of `key` now, or false when the last one is less than the interval ago. */
  #rateLimit(map: Map<string, number>, key: string): boolean {
    const now = this.#clock()
    const last = map.get(key)
    if (last !== undefined && now >= last && now - last < REPAIR_INTERVAL_MS) return false
    if (map.size >= MAX_MEMO) map.clear()
    map.set(key, now)
    return true
  }

  /**
   * The automatic repair of an undecryptable message (issue 10). A relay message too far ahead
   * waits for the next sync (its envelope is not marked seen). A duplicate needs nothing. Every
   * other case (and too far ahead even after a sync's catch-up) re-establishes: the sender's
   * bundles are kept, our sessions with the failing installation are retired (a fresh X3DH on
   * our next send) and our bundle goes to the sender, whose messenger answers with its last
   * messages (`#answerRepairRequest`). Runs after the batch commits; rate-limited per sender.
   */
  #repair(
    sender: Uint8Array,
    fromSelf: boolean,
    failed: ProtocolMessage,
    reason: DecryptionFailureReason,
    via: Via,
  ): RepairAction {
    if (reason === 'duplicate' || !this.#mayRepair(sender, fromSelf)) return 'none'
    if (reason === 'too-far-ahead' && via.catchUp === undefined) return 'sync'
    if (!this.#rateLimit(this.#repairedAt, this.#hex(sender))) return 'rate-limited'
    const run = (): void => {
      this.#background(this.#autoReestablish(sender, failed))
    }
    if (this.#deferred === undefined) run()
    else this.#deferred.push(run)
    return 'reestablish'
  }

  async #autoReestablish(sender: Uint8Array, failed: ProtocolMessage): Promise<void> {
    if (this.#closed) return
    const installationId = failed.installationId
    const message = this.#store.transaction(() => {
      for (const b of failed.bundles) {
        try {
          this.#proto.processBundle(b, sender)
        } catch (e) {
          if (!isPfsError(e)) throw e
        }
      }
      return this.#proto.reestablish(sender, installationId === '' ? undefined : installationId)
    })
    await this.#publishTo(sender, message)
  }

  /**
   * A device of `sender` sent us its bare bundle 1:1: it could not read us (it re-established,
   * or it is a device our messages did not target). Retire our sessions with it, so the next
   * message runs a fresh X3DH against the bundle it just sent, and resend our last
   * `RESEND_COUNT` chat messages of the last 24 h, re-encrypted under their original ids: the
   * receiver keeps each id once, so a device that had them shows nothing twice. Rate-limited
   * per device.
   */
  #answerRepairRequest(sender: Uint8Array, installationId: string): void {
    if (installationId === '' || !this.#mayRepair(sender, false)) return
    if (!this.#rateLimit(this.#resentAt, `${this.#hex(sender)}/${installationId}`)) return
    this.#background(this.#resend(sender, installationId))
  }

  async #resend(sender: Uint8Array, installationId: string): Promise<void> {
    if (this.#closed) return
    const peerHex = this.#hex(sender)
    const since = this.#clock() - RESEND_WINDOW_MS
    const last = this.#store
      .listMessages(peerHex)
      .filter((r) => r.direction === 'outgoing' && r.sentAt >= since)
      .sort((a, b) => a.sentAt - b.sentAt)
      .slice(-RESEND_COUNT)
      .flatMap((r) => (r.payload === undefined ? [] : [r.payload]))
    const messages = this.#store.transaction(() => {
      this.#proto.reestablish(sender, installationId)
      return last.map((payload) => {
        const wrapped = wrapApplicationMessage(
          ApplicationType.ChatMessage,
          payload,
          this.#identity,
          this.#selfFull,
          this.#crypto,
        )
        return this.#proto.encrypt(sender, wrapped.bytes).message
      })
    })
    for (const m of messages) await this.#publishTo(sender, m)
  }

  // send --------------------------------------------------------------------------------------

  /**
   * Wraps, encrypts for `peer` (and our paired devices), stores, publishes. Everything that
   * changes the store runs in one transaction: a failure before publishing changes nothing.
   */
  async #send(
    peer: Uint8Array,
    type: number,
    payload: Uint8Array,
    hooks: {
      before?: () => void
      record?: (id: string, pfs: boolean) => MessageRecord
      after?: (id: string, pfs: boolean) => void
    },
  ): Promise<SendResult> {
    const wrapped = wrapApplicationMessage(
      type,
      payload,
      this.#identity,
      this.#selfFull,
      this.#crypto,
    )
    const now = this.#clock()
    const { theirs, ours } = this.#store.transaction(() => {
      hooks.before?.()
      const theirs = this.#proto.encrypt(peer, wrapped.bytes)
      const others = this.#store
        .listActiveInstallations(this.#self, this.#opts.maxInstallations ?? 3)
        .filter((i) => i.installationId !== this.installationId)
      const ours = others.length > 0 ? this.#proto.encrypt(this.#self, wrapped.bytes) : undefined
      const record = hooks.record?.(wrapped.id, theirs.pfs)
      if (record !== undefined) {
        this.#store.addMessage(record)
        for (const t of theirs.targets) {
          this.#store.setDeliveryState({
            messageId: wrapped.id,
            identity: peer,
            installationId: t,
            state: 'pending',
            updatedAt: now,
          })
        }
      }
      hooks.after?.(wrapped.id, theirs.pfs)
      return { theirs, ours }
    })
    const stored = hooks.record !== undefined
    let state: 'sent' | 'failed' = 'sent'
    // Our first message to them recorded the shared secret: listen where they will answer.
    if (!this.#negotiatedPeers.has(this.#hex(peer))) this.#subscribe()
    try {
      const negotiated = this.#opts.negotiatedTopics === true
      await this.#publishTo(peer, theirs.message, negotiated && theirs.agreed)
      if (ours !== undefined && ours.targets.length > 0)
        await this.#publishTo(this.#self, ours.message, negotiated && ours.agreed)
    } catch (e) {
      state = 'failed'
      throw e
    } finally {
      if (stored) this.#markDelivery(wrapped.id, peer, theirs.targets, state)
    }
    this.#stats.sent++
    this.#background(this.#maybeAdvertise())
    return {
      id: wrapped.id,
      pfs: theirs.pfs,
      devices: theirs.targets.length,
      failures: theirs.failures.map((f) => ({
        installationId: f.installationId,
        code: f.error.code,
      })),
    }
  }

  #markDelivery(
    id: string,
    peer: Uint8Array,
    targets: readonly string[],
    state: 'sent' | 'failed',
  ): void {
    const now = this.#clock()
    this.#store.transaction(() => {
      for (const t of targets) {
        this.#store.setDeliveryState({
          messageId: id,
          identity: peer,
          installationId: t,
          state,
          updatedAt: now,
        })
      }
    })
    for (const t of targets) this.#events.emit('delivery', { id, installationId: t, state })
  }

  /**
   * Signed with our identity key; symmetric on our negotiated topic with `identity` when every
   * target installation has agreed (`EncryptResult.agreed`, PROTOCOL.md §11.3-§11.4), otherwise
   * ECIES on its partitioned topic, where every device of it listens. Repair traffic (bundles,
   * re-establishment, resends) always takes the partitioned topic: the device it is for may not
   * know the secret yet.
   */
  #publishTo(identity: Uint8Array, message: ProtocolMessage, agreed = false): Promise<void> {
    const payload = encodeProtocolMessage(message)
    if (agreed) {
      const channel = this.#negotiatedChannel(identity)
      const key = this.#negotiatedKey(channel)
      const data = sealSymmetric(payload, key, this.#identity, { provider: this.#crypto })
      return this.#publish(channel.topic, data)
    }
    const full = this.#crypto.decompressPublicKey(identity)
    const data = sealAsymmetric(payload, full, this.#identity, { provider: this.#crypto })
    return this.#publish(partitionedTopic(full, this.#crypto), data)
  }

  async #publish(topic: Topic, data: Uint8Array, ttl?: number): Promise<void> {
    const envelope = seal(
      createEnvelope({
        topic,
        data,
        ttl: ttl ?? this.#opts.ttl ?? DEFAULT_TTL,
        now: Math.floor(this.#clock() / 1000),
      }),
      this.#opts.minPow ?? DEFAULT_MIN_POW,
      { provider: this.#crypto },
    )
    // Our own copy is not echoed back by the network; mark it seen for history sync.
    this.#receiver.seen.add(envelopeHash(envelope, this.#crypto), envelope.expiry)
    await this.#network.publish(envelope)
  }

  async #maybeAdvertise(): Promise<void> {
    if (this.#closed) return
    const interval = this.#opts.advertiseIntervalMs ?? DEFAULT_ADVERTISE_INTERVAL_MS
    if (this.#clock() - this.#lastAdvertised >= interval) {
      await this.advertise()
      return
    }
    await this.#advertiseIfChanged()
  }

  async #advertiseIfChanged(): Promise<void> {
    if (this.#closed || !this.#started) return
    const fp = bundleFingerprint(this.#proto.bundleMessage())
    if (fp !== this.#advertisedFingerprint) await this.advertise()
  }

  /**
   * `peerHex`'s newest verified contact-code advertisement from store nodes (or undefined when
   * there is none, none answered, or none in `timeoutMs`). Never throws.
   */
  async #lookupBundle(peerHex: string, timeoutMs: number): Promise<Bundle | undefined> {
    const dir = new NetworkDirectory({
      network: this.#network,
      crypto: this.#crypto,
      clock: this.#clock,
      minPow: this.#opts.minPow ?? DEFAULT_MIN_POW,
    })
    let timer: ReturnType<typeof setTimeout> | undefined
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(resolve, timeoutMs, undefined)
    })
    try {
      const found = await Promise.race([dir.resolve(peerHex).catch(() => undefined), late])
      return found?.bundle
    } finally {
      clearTimeout(timer)
      dir.close()
    }
  }

  /** Runs `p` without awaiting it; failures become `error` events. */
  #background(p: Promise<unknown>): void {
    const tracked = p.catch((e: unknown) => {
      this.#reportError(e)
    })
    this.#pending.add(tracked)
    void tracked.finally(() => this.#pending.delete(tracked))
  }

  #reportError(e: unknown): void {
    if (isPfsError(e)) {
      this.#events.emit('error', { code: e.code, message: e.message })
    } else {
      this.#events.emit('error', { code: 'INTERNAL', message: 'unexpected failure' })
    }
  }

  // helpers -----------------------------------------------------------------------------------

  #checkOpen(): void {
    if (this.#closed) throw new PfsError('INVALID_STATE', 'the messenger is closed')
  }

  #peerKey(text: string): Uint8Array {
    try {
      return parseKey(text, this.#crypto)
    } catch (e) {
      if (isPfsError(e))
        throw messengerError('UNKNOWN_CONTACT', 'not a valid chat key', {}, { cause: e })
      throw e
    }
  }

  #hex(identity: Uint8Array): string {
    // Memoized: every received message names its sender this way (a point decompression each).
    const k = bytesKey(identity)
    let h = this.#hexes.get(k)
    if (h === undefined) {
      h = `0x${toHex(this.#crypto.decompressPublicKey(identity))}`
      if (this.#hexes.size >= MAX_MEMO) this.#hexes.clear()
      this.#hexes.set(k, h)
    }
    return h
  }

  #nameOf(identity: Uint8Array): string {
    return chatIdentity(this.#crypto.decompressPublicKey(identity), this.#crypto).alias
  }

  /** True when a message to them now would travel in Double Ratchet sessions only. */
  #pfsWith(identity: Uint8Array): boolean {
    return (
      this.#store.listActiveInstallations(identity, this.#opts.maxInstallations ?? 3).length > 0
    )
  }

  #chatMessage(peerHex: string, text: string, contentType: number): ChatMessage {
    return create(ChatMessageSchema, {
      clock: this.#nextClock(peerHex),
      timestamp: BigInt(Math.floor(this.#clock())),
      text,
      chatId: peerHex,
      messageType: MessageType.OneToOne,
      contentType,
    })
  }

  /** Lamport clock of a chat: above everything seen, and at least the wall clock (status-go). */
  #nextClock(chat: string): bigint {
    const last = this.#lastClock(chat)
    const wall = BigInt(Math.floor(this.#clock()))
    const next = last + 1n > wall ? last + 1n : wall
    this.#chatClocks.set(chat, next)
    return next
  }

  #observeClock(chat: string, clock: bigint): void {
    if (clock > this.#lastClock(chat)) this.#chatClocks.set(chat, clock)
  }

  #lastClock(chat: string): bigint {
    const cached = this.#chatClocks.get(chat)
    if (cached !== undefined) return cached
    let max = 0n
    for (const m of this.#store.listMessages(chat, { limit: 100 })) {
      const c = clockOf(m)
      if (c > max) max = c
    }
    this.#chatClocks.set(chat, max)
    return max
  }

  #messageInfo(r: MessageRecord, peerHex: string, clock = clockOf(r)): ChatMessageInfo {
    const outgoing = r.direction === 'outgoing'
    return {
      id: r.id,
      from: outgoing ? this.publicKey : peerHex,
      to: outgoing ? peerHex : this.publicKey,
      outgoing,
      text: r.text,
      pfs: r.pfs,
      clock,
      sentAt: r.sentAt,
      receivedAt: r.receivedAt,
    }
  }

  #requestInfo(id: string): ContactRequestInfo {
    const r = this.#store.getContactRequest(id)!
    return {
      id: r.id,
      publicKey: this.#hex(r.identity),
      name: this.#nameOf(r.identity),
      direction: r.direction,
      state: r.state,
      ...(r.text === undefined ? {} : { text: r.text }),
      pfs: this.#store.getMessage(r.id)?.pfs ?? false,
      createdAt: r.createdAt,
    }
  }
}

function device(opts: MessengerOptions): { name: string; deviceType: string } {
  return { name: opts.deviceName ?? 'device', deviceType: opts.deviceType ?? 'desktop' }
}

/** A `0x04…` or `zQ3…` key (or a contact code / share link) as 33 compressed bytes. */
function parseKey(text: string, crypto: CryptoProvider): Uint8Array {
  return crypto.compressPublicKey(fromHex(parseContactCode(text, crypto).publicKey))
}

function checkChatId(chatId: string, crypto: CryptoProvider): string {
  try {
    return parseContactCode(chatId, crypto).publicKey
  } catch (e) {
    throw new PfsError('WIRE_MALFORMED', 'ChatMessage.chat_id is not a chat key', {}, { cause: e })
  }
}

function checkText(text: string, allowEmpty: boolean): string {
  if (typeof text !== 'string') throw new PfsError('INVALID_ARGUMENT', 'text must be a string')
  if (!allowEmpty && text.length === 0) throw new PfsError('INVALID_ARGUMENT', 'text is empty')
  if (text.length > MAX_TEXT_LENGTH) {
    throw new PfsError('INVALID_ARGUMENT', 'text too long', {
      length: text.length,
      max: MAX_TEXT_LENGTH,
    })
  }
  return text
}

function clockOf(m: MessageRecord): bigint {
  if (m.payload === undefined) return 0n
  try {
    return decodeChatMessage(m.payload).clock
  } catch {
    return 0n
  }
}

function deviceInfo(
  d:
    | Omit<DeviceRecord, 'version'>
    | (Omit<DeviceRecord, 'current' | 'version'> & { current: boolean }),
): DeviceInfo {
  return {
    installationId: d.installationId,
    ...(d.name === undefined ? {} : { name: d.name }),
    ...(d.deviceType === undefined ? {} : { deviceType: d.deviceType }),
    enabled: d.enabled,
    stale: d.stale,
    lastSeen: Number(d.lastSeen / 1_000_000n),
    current: d.current,
  }
}

function unknownDevice(): PfsError {
  return new PfsError('INVALID_ARGUMENT', 'unknown device')
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** What our bundle lists (installations and prekey versions), to re-advertise on change. */
function bundleFingerprint(message: ProtocolMessage): string {
  const b = message.bundles[0]
  if (b === undefined) return ''
  return Object.keys(b.signedPreKeys)
    .sort()
    .map((k) => `${k}:${b.signedPreKeys[k]!.version}:${toHex(b.signedPreKeys[k]!.signedPreKey)}`)
    .join(',')
}

/**
 * The reason of an undecryptable message (issue 10), or undefined for an error that is not a
 * decryption failure. `known`: the sender's installations before the message.
 */
function classifyFailure(
  e: PfsError,
  message: ProtocolMessage,
  known: ReadonlySet<string>,
): DecryptionFailureReason | undefined {
  const reason = DECRYPTION_FAILURES.get(e.code)
  if (reason !== 'no-session') return reason
  if (e.details['header'] === 'x3dh') return 'stale-bundle'
  return known.has(message.installationId) ? 'no-session' : 'unknown-installation'
}
