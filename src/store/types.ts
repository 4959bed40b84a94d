/**
 * The `Store` interface: everything the protocol and the messenger keep, as plain typed records
 * (DESIGN.md "Storage"; PROTOCOL.md §8–§10 for the lookups, §11.4 for shared secrets).
 *
 * Owns: the record shapes and the contract every store honours (`SqliteStore`, `MemoryStore`).
 * Does not own: protocol rules. The store never decides which session to use, when a device is
 * stale or when a bundle expires; it offers the lookups and updates those rules need, and the
 * protocol layer calls them inside one `transaction` per handled message.
 *
 * Conventions shared by every method:
 * - Synchronous. better-sqlite3 is synchronous, and one message is handled inside one transaction,
 *   so no `await` can slip between a read and the write that depends on it.
 * - Records in and out are copies: mutating a returned record (or an array passed in) never
 *   changes what is stored. Secret fields (`privateKey`, `sk`, `state`, `key`, `secret`, message
 *   bodies) are returned as fresh copies the caller should wipe after use.
 * - Public keys and ids are bytes (`Uint8Array`), installation ids and message ids are strings.
 * - Times: `bigint` nanoseconds where the protocol carries them (bundle and installation
 *   timestamps, PROTOCOL.md §4.1, §10); `number` milliseconds of the local clock elsewhere
 *   (`createdAt`, `expiresAt`, `storedAt`, message times). Seen-envelope expiries use whatever
 *   unit the caller prunes with (the transport uses seconds).
 * - Optional fields are absent (never `undefined`) in records a store returns.
 * - Errors: `INVALID_STATE` for a write that refers to a missing parent (a session for an unknown
 *   installation, a delivery for an unknown message) or breaks a uniqueness rule a method documents,
 *   or any call after `close()`; `INVALID_ARGUMENT` for malformed arguments; `STORE_FAILURE` /
 *   `STORE_CORRUPT` for engine failures. A method that throws has changed nothing.
 *
 * @module
 */

/** Our own identity and installation (one per store). */
export interface AccountRecord {
  /** Compressed secp256k1 identity public key, 33 bytes. */
  readonly identityPublicKey: Uint8Array
  /** Identity private key, 32 bytes. Secret. */
  readonly identityPrivateKey: Uint8Array
  /** This device's installation id. */
  readonly installationId: string
  /** Display name of this device (shown to our other devices). */
  readonly name?: string
  /** Device type announced to paired devices (e.g. `desktop`, `mobile`). */
  readonly deviceType?: string
  readonly createdAt: number
}

/** One of our own signed prekeys (PROTOCOL.md §4.1). */
export interface SignedPreKeyRecord {
  /** Compressed public key, 33 bytes; the bundle id peers put in X3DH headers. */
  readonly publicKey: Uint8Array
  /** Private key, 32 bytes. Secret. */
  readonly privateKey: Uint8Array
  readonly version: number
  readonly createdAt: number
  /** Expired keys are no longer advertised but still answer X3DH headers (PROTOCOL.md §8.2). */
  readonly expired: boolean
}

/** One of our own one-time prekeys. */
export interface OneTimePreKeyRecord {
  readonly publicKey: Uint8Array
  /** Secret. */
  readonly privateKey: Uint8Array
  readonly createdAt: number
}

/** A device (installation) of some identity, ours or a peer's (PROTOCOL.md §10). */
export interface InstallationRecord {
  /** Compressed identity public key, 33 bytes. */
  readonly identity: Uint8Array
  readonly installationId: string
  readonly enabled: boolean
  /** Version of the newest signed prekey seen for this installation. */
  readonly version: number
  /** Nanoseconds: when we first learned of the installation. */
  readonly firstSeen: bigint
  /** Nanoseconds: timestamp of the newest bundle that listed it, or its last activity. */
  readonly lastSeen: bigint
  /** Set by the protocol when the device has not been seen for too long (DESIGN.md). */
  readonly stale: boolean
  readonly name?: string
  readonly deviceType?: string
}

/** A peer's signed prekey for one installation and version (PROTOCOL.md §4.4). */
export interface BundleRecord {
  readonly identity: Uint8Array
  readonly installationId: string
  readonly version: number
  /** Compressed signed prekey, 33 bytes. */
  readonly signedPreKey: Uint8Array
  /** Protocol version the installation announced (≥ 1: shared-secret negotiation, §11.4). */
  readonly protocolVersion: number
  /** Nanoseconds: the bundle's signed timestamp. */
  readonly timestamp: bigint
  readonly expired: boolean
}

/** A Double Ratchet session with one peer installation (PROTOCOL.md §9 `ratchet_info` + `sessions`). */
export interface SessionRecord {
  /** Session id, chosen by the protocol (unique). */
  readonly id: Uint8Array
  readonly identity: Uint8Array
  readonly installationId: string
  /** The signed prekey the X3DH ran against (ours when we were passive, theirs when active). */
  readonly bundleId: Uint8Array
  /** Our X3DH ephemeral public key while the session is unconfirmed (initiator only). */
  readonly ephemeralKey?: Uint8Array
  /** X3DH shared key SK, 32 bytes. Secret. */
  readonly sk: Uint8Array
  /** Serialized ratchet state (opaque to the store). Secret. */
  readonly state: Uint8Array
  readonly createdAt: number
  readonly expiresAt: number
}

/** A skipped (or not yet used) message key (DR §3.2 MKSKIPPED, PROTOCOL.md §9 `keys`). */
export interface SkippedKeyRecord {
  readonly sessionId: Uint8Array
  /** The ratchet public key (DHr) of the chain the key belongs to. */
  readonly ratchetPublic: Uint8Array
  /** Message number in that chain. */
  readonly n: number
  /** The message key. Secret. */
  readonly key: Uint8Array
  readonly storedAt: number
}

/** The static identity ECDH secret with a peer and the installations that agreed (§11.4). */
export interface SharedSecretRecord {
  readonly identity: Uint8Array
  /** Secret, 32 bytes. */
  readonly secret: Uint8Array
  /** Installations (theirs, and our own installation id) recorded as agreeing, sorted. */
  readonly installations: readonly string[]
}

/** A contact (someone in our address book). */
export interface ContactRecord {
  readonly identity: Uint8Array
  readonly name?: string
  readonly addedAt: number
  readonly blocked: boolean
}

export type ContactRequestState = 'pending' | 'accepted' | 'declined'
export type Direction = 'incoming' | 'outgoing'

/** A contact request. States move only from `pending` to `accepted` or `declined`. */
export interface ContactRequestRecord {
  readonly id: string
  readonly identity: Uint8Array
  readonly direction: Direction
  readonly state: ContactRequestState
  /** The introduction text. Secret (a message body). */
  readonly text?: string
  readonly createdAt: number
  readonly updatedAt: number
}

/** A chat message, incoming or outgoing. */
export interface MessageRecord {
  readonly id: string
  readonly chatId: string
  readonly direction: Direction
  /** Sender identity (ours for outgoing messages). */
  readonly sender: Uint8Array
  /** Message text. Secret. */
  readonly text: string
  /** Application payload bytes, when the message has more than text. Secret. */
  readonly payload?: Uint8Array
  readonly sentAt: number
  readonly receivedAt: number
  /** True when it travelled in a Double Ratchet session (not the DH fallback). */
  readonly pfs: boolean
}

export type DeliveryState = 'pending' | 'sent' | 'delivered' | 'failed'

/** Delivery state of an outgoing message to one target device. */
export interface DeliveryRecord {
  readonly messageId: string
  readonly identity: Uint8Array
  readonly installationId: string
  readonly state: DeliveryState
  readonly updatedAt: number
}

/** Where history sync with one store node stopped, for one set of topics. */
export interface SyncCursorRecord {
  readonly storeNode: string
  /** 4-byte topics; the set (order and duplicates ignored) identifies the cursor. */
  readonly topics: readonly Uint8Array[]
  /** The store node's opaque page cursor, when a page was left unfinished. */
  readonly cursor?: Uint8Array
  /** Envelopes sent up to this time (the transport's unit) have been fetched. */
  readonly syncedTo: number
}

/** Options of `listSignedPreKeys`. */
export interface ListSignedPreKeysOptions {
  /** Include expired keys (default false). */
  readonly includeExpired?: boolean
}

/** Options of `listMessages`: the newest `limit` messages sent strictly before `before`. */
export interface ListMessagesOptions {
  readonly before?: number
  readonly limit?: number
}

/** Options of `listContactRequests`. */
export interface ListContactRequestsOptions {
  readonly state?: ContactRequestState
  readonly identity?: Uint8Array
}

/**
 * Everything status-pfs persists. Implemented by `SqliteStore` and `MemoryStore` with identical
 * semantics (one contract test suite runs against both).
 */
export interface Store {
  /**
   * Runs `fn` so that all its writes commit together or not at all. When `fn` throws, every write
   * it made is undone and the error is rethrown unchanged.
   *
   * Nesting: a `transaction` inside another is a savepoint. If the inner `fn` throws, only its
   * writes are undone and the error propagates; the outer transaction may catch it and go on.
   * Nothing is durable before the outermost transaction returns.
   *
   * `fn` must be synchronous: an `async` function, or one that returns a promise, is rejected with
   * `INVALID_ARGUMENT` (and its writes undone), since its awaited part would run outside the
   * transaction.
   */
  transaction<T>(fn: () => T): T
  /** True while inside `transaction`. */
  readonly inTransaction: boolean
  /** Releases the store. Any later call throws `INVALID_STATE`; closing twice is a no-op. */
  close(): void

  // account ---------------------------------------------------------------------------------
  getAccount(): AccountRecord | undefined
  /** Creates or replaces our identity and installation. */
  putAccount(account: AccountRecord): void

  // own signed prekeys ----------------------------------------------------------------------
  /** Inserts or replaces (by public key). */
  putSignedPreKey(key: SignedPreKeyRecord): void
  /** Any of our signed prekeys, expired or not (X3DH passive looks up by bundle id). */
  getSignedPreKey(publicKey: Uint8Array): SignedPreKeyRecord | undefined
  /** Highest version first. */
  listSignedPreKeys(options?: ListSignedPreKeysOptions): SignedPreKeyRecord[]
  /** Marks every own signed prekey with a lower version expired; returns how many changed. */
  expireSignedPreKeysBelow(version: number): number
  deleteSignedPreKey(publicKey: Uint8Array): boolean

  // own one-time prekeys --------------------------------------------------------------------
  putOneTimePreKey(key: OneTimePreKeyRecord): void
  /** Returns and deletes the key (a one-time prekey is used at most once). */
  takeOneTimePreKey(publicKey: Uint8Array): OneTimePreKeyRecord | undefined
  countOneTimePreKeys(): number

  // installations ---------------------------------------------------------------------------
  /** Inserts or replaces by (identity, installationId). */
  putInstallation(installation: InstallationRecord): void
  getInstallation(identity: Uint8Array, installationId: string): InstallationRecord | undefined
  /** All installations of `identity`, newest `lastSeen` first (ties by installation id). */
  listInstallations(identity: Uint8Array): InstallationRecord[]
  /**
   * Enabled, non-stale installations of `identity`, newest `lastSeen` first (ties by installation
   * id), at most `limit` (PROTOCOL.md §10: targets are the newest 3).
   */
  listActiveInstallations(identity: Uint8Array, limit: number): InstallationRecord[]
  /** Returns false when the installation is unknown. */
  setInstallationEnabled(identity: Uint8Array, installationId: string, enabled: boolean): boolean
  /** Sets `stale` on every installation with `lastSeen < before`, clears it on the others. */
  markStaleInstallations(before: bigint): number
  /** Deletes the installation with its bundles, sessions and their skipped keys. */
  deleteInstallation(identity: Uint8Array, installationId: string): boolean

  // peers' bundles (signed prekeys) ---------------------------------------------------------
  /**
   * Inserts or replaces by (identity, installationId, version). The installation must exist
   * (`INVALID_STATE` otherwise); a signed prekey already stored for another slot is
   * `INVALID_STATE`.
   */
  putBundle(bundle: BundleRecord): void
  getBundle(identity: Uint8Array, installationId: string, version: number): BundleRecord | undefined
  /** The highest-version non-expired bundle of an installation. */
  getActiveBundle(identity: Uint8Array, installationId: string): BundleRecord | undefined
  /** Every bundle of `identity`, by installation id then version descending. */
  listBundles(identity: Uint8Array): BundleRecord[]
  findBundleBySignedPreKey(signedPreKey: Uint8Array): BundleRecord | undefined
  /**
   * Marks the installation's bundles with a version below `version` expired (a higher one arrived,
   * PROTOCOL.md §9 "Re-keying"); returns how many changed.
   */
  expireBundlesBelow(identity: Uint8Array, installationId: string, version: number): number

  // sessions --------------------------------------------------------------------------------
  /**
   * Inserts or replaces by id. The installation must exist (`INVALID_STATE`); a second session id
   * for the same (bundleId, identity, installationId) is `INVALID_STATE`.
   */
  putSession(session: SessionRecord): void
  getSession(id: Uint8Array): SessionRecord | undefined
  /** Replaces only the ratchet state (the per-message write); false when the session is unknown. */
  updateSessionState(id: Uint8Array, state: Uint8Array): boolean
  /** The session for (bundle id, identity, installation), expired or not (PROTOCOL.md §8.2). */
  findSession(
    bundleId: Uint8Array,
    identity: Uint8Array,
    installationId: string,
  ): SessionRecord | undefined
  /**
   * A session usable for sending to an installation (PROTOCOL.md §8.1): `expiresAt > now` and its
   * bundle id is not an expired signed prekey (ours or theirs). Newest `createdAt` first, then
   * lowest id — deterministic where the reference picks "any".
   */
  findActiveSession(
    identity: Uint8Array,
    installationId: string,
    now: number,
  ): SessionRecord | undefined
  /** All sessions with an installation, newest first. */
  listSessionsFor(identity: Uint8Array, installationId: string): SessionRecord[]
  /** Clears the X3DH ephemeral key (the peer answered, PROTOCOL.md §8.1); false when unknown. */
  confirmSession(id: Uint8Array): boolean
  /** Deletes the session and its skipped keys. */
  deleteSession(id: Uint8Array): boolean
  /** Deletes sessions with `expiresAt <= now` and their skipped keys; returns how many. */
  deleteExpiredSessions(now: number): number
  /**
   * Sets a session's `expiresAt` (the protocol stores there when the session stopped being used
   * for sending, whitepaper §3.2-§3.4); false when the session is unknown.
   */
  setSessionExpiry(id: Uint8Array, expiresAt: number): boolean
  /** Sessions with `expiresAt <= now`, oldest `expiresAt` first, then id. */
  listExpiredSessions(now: number): SessionRecord[]
  /** How many sessions (with any peer) run on the signed prekey `bundleId`. */
  countSessionsByBundle(bundleId: Uint8Array): number
  /**
   * Sets `expiresAt = at` on every session running on `bundleId` whose `expiresAt` is later
   * (re-keying, whitepaper §3.3); returns how many changed.
   */
  expireSessionsByBundle(bundleId: Uint8Array, at: number): number
  /** How many sessions the store holds, with every peer. */
  countSessions(): number

  // partitioned-device answers (whitepaper §4.5) --------------------------------------------
  /** When (ms) we last answered `identity`'s partitioned message with our bundle. */
  getBundleReplyTime(identity: Uint8Array): number | undefined
  /** Records (inserts or replaces) the time of such an answer. */
  setBundleReplyTime(identity: Uint8Array, at: number): void

  // skipped message keys --------------------------------------------------------------------
  /**
   * Stores a key; the session must exist (`INVALID_STATE`). A key with the same (ratchetPublic, n)
   * is replaced and counts as the newest.
   */
  putSkippedKey(key: SkippedKeyRecord): void
  /** Returns and deletes the key for (ratchet public key, n) (PROTOCOL.md §9: looked up so). */
  takeSkippedKey(ratchetPublic: Uint8Array, n: number): SkippedKeyRecord | undefined
  countSkippedKeys(sessionId: Uint8Array): number
  /** Keeps the `keep` most recently stored keys of a session, deletes the rest; returns deleted. */
  pruneSkippedKeys(sessionId: Uint8Array, keep: number): number
  /** Deletes keys with `storedAt < before` (all sessions); returns how many. */
  deleteSkippedKeysBefore(before: number): number

  // shared secrets (PROTOCOL.md §11.4) ------------------------------------------------------
  /** Stores the secret for a peer; an existing secret is kept (it never changes for a pair). */
  putSharedSecret(identity: Uint8Array, secret: Uint8Array): void
  getSharedSecret(identity: Uint8Array): SharedSecretRecord | undefined
  /** Records that an installation agreed; the secret must exist (`INVALID_STATE`). */
  addSharedSecretInstallation(identity: Uint8Array, installationId: string): void
  /** All shared secrets (to load negotiated topics at start-up), by identity bytes. */
  listSharedSecrets(): SharedSecretRecord[]

  // contacts and contact requests -----------------------------------------------------------
  putContact(contact: ContactRecord): void
  getContact(identity: Uint8Array): ContactRecord | undefined
  /** By `addedAt`, then identity bytes. */
  listContacts(): ContactRecord[]
  deleteContact(identity: Uint8Array): boolean
  /** Records a new request; its state must be `pending` and its id new (`INVALID_STATE`). */
  addContactRequest(request: ContactRequestRecord): void
  getContactRequest(id: string): ContactRequestRecord | undefined
  /** By `createdAt`, then id. */
  listContactRequests(options?: ListContactRequestsOptions): ContactRequestRecord[]
  /**
   * Moves a pending request to `accepted` or `declined` and returns the updated record.
   * `INVALID_STATE` if the request is unknown or no longer pending, `INVALID_ARGUMENT` for
   * `pending`.
   */
  setContactRequestState(
    id: string,
    state: 'accepted' | 'declined',
    at: number,
  ): ContactRequestRecord

  // messages and deliveries -----------------------------------------------------------------
  /**
   * Stores a message; returns false (and changes nothing) when its id is already stored, so a
   * redelivered message is recorded once.
   */
  addMessage(message: MessageRecord): boolean
  getMessage(id: string): MessageRecord | undefined
  /** Oldest first; with `limit`, the newest `limit` messages (before `before`). */
  listMessages(chatId: string, options?: ListMessagesOptions): MessageRecord[]
  /** Messages in a chat, or in all chats. */
  countMessages(chatId?: string): number
  /** Deletes a message and its delivery states. */
  deleteMessage(id: string): boolean
  /** Inserts or updates one device's delivery state; the message must exist (`INVALID_STATE`). */
  setDeliveryState(delivery: DeliveryRecord): void
  /** By identity bytes, then installation id. */
  listDeliveries(messageId: string): DeliveryRecord[]

  // seen envelopes (de-duplication) ---------------------------------------------------------
  /** Records an envelope hash; false when it was already recorded (a duplicate). */
  markEnvelopeSeen(hash: Uint8Array, expiresAt: number): boolean
  hasSeenEnvelope(hash: Uint8Array): boolean
  /** Deletes hashes with `expiresAt < now`; returns how many. */
  pruneSeenEnvelopes(now: number): number

  // store-node sync cursors -----------------------------------------------------------------
  putSyncCursor(cursor: SyncCursorRecord): void
  getSyncCursor(storeNode: string, topics: readonly Uint8Array[]): SyncCursorRecord | undefined
  /** By store node, then topic set. */
  listSyncCursors(storeNode?: string): SyncCursorRecord[]
  deleteSyncCursor(storeNode: string, topics: readonly Uint8Array[]): boolean
}
