/**
 * `MemoryStore`: the in-memory twin of `SqliteStore`, for tests, demos and simulations, with the
 * same semantics (the contract suite in test/store runs against both).
 *
 * Transactions are an undo log: every write records how to reverse itself, a savepoint is a mark
 * in the log, and a rollback replays the log backwards to the mark. That keeps a transaction's
 * cost proportional to what it writes (a snapshot-on-begin would copy every table per message).
 *
 * Owns: in-process tables and their orderings. Does not own: durability (nothing survives the
 * process) or encryption at rest (there is no file to copy).
 *
 * @module
 */
import { compareBytes, toHex, utf8 } from '../crypto/index.ts'
import { PfsError } from '../errors.ts'
import {
  asyncResultError,
  checkAccount,
  checkBool,
  checkBundle,
  checkBytes,
  checkContact,
  checkContactRequest,
  checkCount,
  checkDelivery,
  checkInstallation,
  checkInt,
  checkMessage,
  checkNs,
  checkOneTimePreKey,
  checkRequestTransition,
  checkSession,
  checkSignedPreKey,
  checkSkippedKey,
  checkString,
  checkSyncCursor,
  checkSyncFunction,
  checkTime,
  closedError,
  isThenable,
  topicSetKey,
  topicsFromKey,
} from './checks.ts'
import type {
  AccountRecord,
  BundleRecord,
  ContactRecord,
  ContactRequestRecord,
  DeliveryRecord,
  InstallationRecord,
  ListContactRequestsOptions,
  ListMessagesOptions,
  ListSignedPreKeysOptions,
  MessageRecord,
  OneTimePreKeyRecord,
  SessionRecord,
  SharedSecretRecord,
  SignedPreKeyRecord,
  SkippedKeyRecord,
  Store,
  SyncCursorRecord,
} from './types.ts'

type Undo = () => void

/**
 * A copy with fresh byte arrays and no `undefined` properties: what goes in never aliases what the
 * caller holds, and what comes out matches what SQLite returns (absent, not `undefined`).
 */
function copy<T>(v: T): T {
  // `new Uint8Array(view)` copies into a plain Uint8Array (also for a Buffer), without the
  // iterator protocol `Uint8Array.from` goes through: this runs for every field of every read.
  if (v instanceof Uint8Array) return new Uint8Array(v) as T
  if (Array.isArray(v)) return v.map((x: unknown) => copy(x)) as T
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {}
    const src = v as Record<string, unknown>
    for (const k of Object.keys(src)) {
      const x = src[k]
      if (x !== undefined) out[k] = copy(x)
    }
    return out as T
  }
  return v
}

/** SQLite's BINARY collation compares UTF-8 bytes; JS `<` compares UTF-16 units. Match SQLite. */
function compareText(a: string, b: string): number {
  return a === b ? 0 : compareBytes(utf8(a), utf8(b))
}

function cmpDesc<T extends number | bigint>(a: T, b: T): number {
  return a > b ? -1 : a < b ? 1 : 0
}

function key(...parts: (Uint8Array | string | number)[]): string {
  return JSON.stringify(parts.map((p) => (p instanceof Uint8Array ? toHex(p) : p)))
}

/** A map whose writes are recorded in the store's undo log while a transaction is open. */
class Table<V> {
  readonly #rows = new Map<string, V>()
  readonly #log: () => Undo[] | undefined

  constructor(log: () => Undo[] | undefined) {
    this.#log = log
  }

  get(k: string): V | undefined {
    return this.#rows.get(k)
  }

  has(k: string): boolean {
    return this.#rows.has(k)
  }

  values(): IterableIterator<V> {
    return this.#rows.values()
  }

  entries(): IterableIterator<[string, V]> {
    return this.#rows.entries()
  }

  get size(): number {
    return this.#rows.size
  }

  set(k: string, v: V): void {
    const log = this.#log()
    if (log !== undefined) {
      const had = this.#rows.has(k)
      const prev = this.#rows.get(k)
      log.push(had ? () => this.#rows.set(k, prev as V) : () => this.#rows.delete(k))
    }
    this.#rows.set(k, v)
  }

  delete(k: string): boolean {
    if (!this.#rows.has(k)) return false
    const log = this.#log()
    if (log !== undefined) {
      const prev = this.#rows.get(k) as V
      log.push(() => this.#rows.set(k, prev))
    }
    return this.#rows.delete(k)
  }
}

interface StoredSkippedKey extends SkippedKeyRecord {
  /** Insertion order: `pruneSkippedKeys` keeps the highest. */
  readonly seq: number
}

interface StoredSecret {
  readonly identity: Uint8Array
  readonly secret: Uint8Array
}

interface StoredCursor {
  readonly storeNode: string
  readonly topicKey: string
  readonly cursor?: Uint8Array
  readonly syncedTo: number
}

const ACCOUNT = 'account'

/** An in-memory `Store` with the same semantics as `SqliteStore`. */
export class MemoryStore implements Store {
  #log: Undo[] | undefined
  #depth = 0
  #closed = false
  #seq = 0
  readonly #current = (): Undo[] | undefined => this.#log

  readonly #account = new Table<AccountRecord>(this.#current)
  readonly #signedPreKeys = new Table<SignedPreKeyRecord>(this.#current)
  readonly #oneTimePreKeys = new Table<OneTimePreKeyRecord>(this.#current)
  readonly #installations = new Table<InstallationRecord>(this.#current)
  readonly #bundles = new Table<BundleRecord>(this.#current)
  readonly #sessions = new Table<SessionRecord>(this.#current)
  readonly #skipped = new Table<StoredSkippedKey>(this.#current)
  readonly #secrets = new Table<StoredSecret>(this.#current)
  readonly #secretInstallations = new Table<{ identity: Uint8Array; installationId: string }>(
    this.#current,
  )
  readonly #contacts = new Table<ContactRecord>(this.#current)
  readonly #requests = new Table<ContactRequestRecord>(this.#current)
  readonly #messages = new Table<MessageRecord>(this.#current)
  readonly #deliveries = new Table<DeliveryRecord>(this.#current)
  readonly #seen = new Table<number>(this.#current)
  readonly #cursors = new Table<StoredCursor>(this.#current)
  readonly #bundleReplies = new Table<number>(this.#current)

  // transactions -----------------------------------------------------------------------------

  get inTransaction(): boolean {
    return this.#depth > 0
  }

  transaction<T>(fn: () => T): T {
    this.#open()
    checkSyncFunction(fn)
    const outer = this.#depth === 0
    if (outer) this.#log = []
    const log = this.#log!
    const mark = log.length
    this.#depth++
    try {
      const result = fn()
      if (isThenable(result)) throw asyncResultError()
      return result
    } catch (e) {
      for (let i = log.length - 1; i >= mark; i--) log[i]!()
      log.length = mark
      throw e
    } finally {
      this.#depth--
      if (outer) this.#log = undefined
    }
  }

  /** Runs a multi-step write atomically (a savepoint when already inside a transaction). */
  #atomic<T>(fn: () => T): T {
    return this.transaction(fn)
  }

  #open(): void {
    if (this.#closed) throw closedError()
  }

  close(): void {
    this.#closed = true
  }

  /**
   * Every table's rows as one JSON string (bytes as hex, bigints as decimal), in key order: tests
   * compare two dumps to prove that a failed operation changed nothing.
   */
  dump(): string {
    this.#open()
    const tables: Record<string, Table<unknown>> = {
      account: this.#account,
      signedPreKeys: this.#signedPreKeys,
      oneTimePreKeys: this.#oneTimePreKeys,
      installations: this.#installations,
      bundles: this.#bundles,
      sessions: this.#sessions,
      skipped: this.#skipped,
      secrets: this.#secrets,
      secretInstallations: this.#secretInstallations,
      contacts: this.#contacts,
      requests: this.#requests,
      messages: this.#messages,
      deliveries: this.#deliveries,
      seen: this.#seen,
      cursors: this.#cursors,
      bundleReplies: this.#bundleReplies,
    }
    const out: Record<string, [string, unknown][]> = {}
    for (const [name, table] of Object.entries(tables)) {
      out[name] = [...table.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    }
    return JSON.stringify(out, (_k, v: unknown) => {
      if (v instanceof Uint8Array) return toHex(v)
      if (typeof v === 'bigint') return `${v}n`
      return v
    })
  }

  // account ---------------------------------------------------------------------------------

  getAccount(): AccountRecord | undefined {
    this.#open()
    return copy(this.#account.get(ACCOUNT))
  }

  putAccount(account: AccountRecord): void {
    this.#open()
    checkAccount(account)
    this.#account.set(ACCOUNT, copy(account))
  }

  // own signed prekeys ----------------------------------------------------------------------

  putSignedPreKey(k: SignedPreKeyRecord): void {
    this.#open()
    checkSignedPreKey(k)
    this.#signedPreKeys.set(key(k.publicKey), copy(k))
  }

  getSignedPreKey(publicKey: Uint8Array): SignedPreKeyRecord | undefined {
    this.#open()
    checkBytes('publicKey', publicKey)
    return copy(this.#signedPreKeys.get(key(publicKey)))
  }

  listSignedPreKeys(options: ListSignedPreKeysOptions = {}): SignedPreKeyRecord[] {
    this.#open()
    const all = options.includeExpired === true
    return [...this.#signedPreKeys.values()]
      .filter((k) => all || !k.expired)
      .sort((a, b) => cmpDesc(a.version, b.version) || compareBytes(a.publicKey, b.publicKey))
      .map(copy)
  }

  expireSignedPreKeysBelow(version: number): number {
    this.#open()
    checkInt('version', version)
    let n = 0
    for (const [k, v] of [...this.#signedPreKeys.entries()]) {
      if (v.version < version && !v.expired) {
        this.#signedPreKeys.set(k, { ...v, expired: true })
        n++
      }
    }
    return n
  }

  deleteSignedPreKey(publicKey: Uint8Array): boolean {
    this.#open()
    checkBytes('publicKey', publicKey)
    return this.#signedPreKeys.delete(key(publicKey))
  }

  // one-time prekeys ------------------------------------------------------------------------

  putOneTimePreKey(k: OneTimePreKeyRecord): void {
    this.#open()
    checkOneTimePreKey(k)
    this.#oneTimePreKeys.set(key(k.publicKey), copy(k))
  }

  takeOneTimePreKey(publicKey: Uint8Array): OneTimePreKeyRecord | undefined {
    this.#open()
    checkBytes('publicKey', publicKey)
    const k = key(publicKey)
    const found = this.#oneTimePreKeys.get(k)
    if (found !== undefined) this.#oneTimePreKeys.delete(k)
    return copy(found)
  }

  countOneTimePreKeys(): number {
    this.#open()
    return this.#oneTimePreKeys.size
  }

  // installations ---------------------------------------------------------------------------

  putInstallation(i: InstallationRecord): void {
    this.#open()
    checkInstallation(i)
    this.#installations.set(key(i.identity, i.installationId), copy(i))
  }

  getInstallation(identity: Uint8Array, installationId: string): InstallationRecord | undefined {
    this.#open()
    checkBytes('identity', identity)
    checkString('installationId', installationId)
    return copy(this.#installations.get(key(identity, installationId)))
  }

  #installationsOf(identity: Uint8Array): InstallationRecord[] {
    return [...this.#installations.values()]
      .filter((i) => compareBytes(i.identity, identity) === 0)
      .sort(
        (a, b) =>
          cmpDesc(a.lastSeen, b.lastSeen) || compareText(a.installationId, b.installationId),
      )
  }

  listInstallations(identity: Uint8Array): InstallationRecord[] {
    this.#open()
    checkBytes('identity', identity)
    return this.#installationsOf(identity).map(copy)
  }

  listActiveInstallations(identity: Uint8Array, limit: number): InstallationRecord[] {
    this.#open()
    checkBytes('identity', identity)
    checkCount('limit', limit)
    return this.#installationsOf(identity)
      .filter((i) => i.enabled && !i.stale)
      .slice(0, limit)
      .map(copy)
  }

  setInstallationEnabled(identity: Uint8Array, installationId: string, enabled: boolean): boolean {
    this.#open()
    checkBytes('identity', identity)
    checkString('installationId', installationId)
    checkBool('enabled', enabled)
    const k = key(identity, installationId)
    const found = this.#installations.get(k)
    if (found === undefined) return false
    this.#installations.set(k, { ...found, enabled })
    return true
  }

  markStaleInstallations(before: bigint): number {
    this.#open()
    checkNs('before', before)
    let n = 0
    for (const [k, i] of [...this.#installations.entries()]) {
      const stale = i.lastSeen < before
      if (stale !== i.stale) {
        this.#installations.set(k, { ...i, stale })
        n++
      }
    }
    return n
  }

  deleteInstallation(identity: Uint8Array, installationId: string): boolean {
    this.#open()
    checkBytes('identity', identity)
    checkString('installationId', installationId)
    const k = key(identity, installationId)
    if (!this.#installations.has(k)) return false
    return this.#atomic(() => {
      for (const [bk, b] of [...this.#bundles.entries()]) {
        if (key(b.identity, b.installationId) === k) this.#bundles.delete(bk)
      }
      for (const s of [...this.#sessions.values()]) {
        if (key(s.identity, s.installationId) === k) this.#deleteSession(s.id)
      }
      return this.#installations.delete(k)
    })
  }

  #requireInstallation(identity: Uint8Array, installationId: string): void {
    if (!this.#installations.has(key(identity, installationId))) {
      throw new PfsError('INVALID_STATE', 'unknown installation')
    }
  }

  // bundles ---------------------------------------------------------------------------------

  putBundle(b: BundleRecord): void {
    this.#open()
    checkBundle(b)
    this.#requireInstallation(b.identity, b.installationId)
    const k = key(b.identity, b.installationId, b.version)
    const other = this.#bundleBySpk(b.signedPreKey)
    if (other !== undefined && key(other.identity, other.installationId, other.version) !== k) {
      throw new PfsError('INVALID_STATE', 'signed prekey already stored for another bundle')
    }
    this.#bundles.set(k, copy(b))
  }

  getBundle(
    identity: Uint8Array,
    installationId: string,
    version: number,
  ): BundleRecord | undefined {
    this.#open()
    checkBytes('identity', identity)
    checkString('installationId', installationId)
    checkInt('version', version)
    return copy(this.#bundles.get(key(identity, installationId, version)))
  }

  getActiveBundle(identity: Uint8Array, installationId: string): BundleRecord | undefined {
    this.#open()
    checkBytes('identity', identity)
    checkString('installationId', installationId)
    const k = key(identity, installationId)
    let best: BundleRecord | undefined
    for (const b of this.#bundles.values()) {
      if (b.expired || key(b.identity, b.installationId) !== k) continue
      if (best === undefined || b.version > best.version) best = b
    }
    return copy(best)
  }

  listBundles(identity: Uint8Array): BundleRecord[] {
    this.#open()
    checkBytes('identity', identity)
    return [...this.#bundles.values()]
      .filter((b) => compareBytes(b.identity, identity) === 0)
      .sort(
        (a, b) => compareText(a.installationId, b.installationId) || cmpDesc(a.version, b.version),
      )
      .map(copy)
  }

  #bundleBySpk(spk: Uint8Array): BundleRecord | undefined {
    for (const b of this.#bundles.values()) if (compareBytes(b.signedPreKey, spk) === 0) return b
    return undefined
  }

  findBundleBySignedPreKey(signedPreKey: Uint8Array): BundleRecord | undefined {
    this.#open()
    checkBytes('signedPreKey', signedPreKey)
    return copy(this.#bundleBySpk(signedPreKey))
  }

  expireBundlesBelow(identity: Uint8Array, installationId: string, version: number): number {
    this.#open()
    checkBytes('identity', identity)
    checkString('installationId', installationId)
    checkInt('version', version)
    const k = key(identity, installationId)
    let n = 0
    for (const [bk, b] of [...this.#bundles.entries()]) {
      if (!b.expired && b.version < version && key(b.identity, b.installationId) === k) {
        this.#bundles.set(bk, { ...b, expired: true })
        n++
      }
    }
    return n
  }

  // sessions --------------------------------------------------------------------------------

  putSession(s: SessionRecord): void {
    this.#open()
    checkSession(s)
    this.#requireInstallation(s.identity, s.installationId)
    const id = key(s.id)
    for (const [k, other] of this.#sessions.entries()) {
      if (
        k !== id &&
        compareBytes(other.bundleId, s.bundleId) === 0 &&
        compareBytes(other.identity, s.identity) === 0 &&
        other.installationId === s.installationId
      ) {
        throw new PfsError('INVALID_STATE', 'another session exists for this bundle and device')
      }
    }
    this.#sessions.set(id, copy(s))
  }

  getSession(id: Uint8Array): SessionRecord | undefined {
    this.#open()
    checkBytes('id', id)
    return copy(this.#sessions.get(key(id)))
  }

  updateSessionState(id: Uint8Array, state: Uint8Array): boolean {
    this.#open()
    checkBytes('id', id)
    checkBytes('state', state)
    const k = key(id)
    const s = this.#sessions.get(k)
    if (s === undefined) return false
    this.#sessions.set(k, { ...s, state: new Uint8Array(state) })
    return true
  }

  findSession(
    bundleId: Uint8Array,
    identity: Uint8Array,
    installationId: string,
  ): SessionRecord | undefined {
    this.#open()
    checkBytes('bundleId', bundleId)
    checkBytes('identity', identity)
    checkString('installationId', installationId)
    for (const s of this.#sessions.values()) {
      if (
        compareBytes(s.bundleId, bundleId) === 0 &&
        compareBytes(s.identity, identity) === 0 &&
        s.installationId === installationId
      ) {
        return copy(s)
      }
    }
    return undefined
  }

  #sessionsFor(identity: Uint8Array, installationId: string): SessionRecord[] {
    return [...this.#sessions.values()]
      .filter(
        (s) => compareBytes(s.identity, identity) === 0 && s.installationId === installationId,
      )
      .sort((a, b) => cmpDesc(a.createdAt, b.createdAt) || compareBytes(a.id, b.id))
  }

  /** True when `spk` is a signed prekey (ours or a peer's) marked expired. */
  #expiredPreKey(spk: Uint8Array): boolean {
    if (this.#signedPreKeys.get(key(spk))?.expired === true) return true
    return this.#bundleBySpk(spk)?.expired === true
  }

  findActiveSession(
    identity: Uint8Array,
    installationId: string,
    now: number,
  ): SessionRecord | undefined {
    this.#open()
    checkBytes('identity', identity)
    checkString('installationId', installationId)
    checkTime('now', now)
    const found = this.#sessionsFor(identity, installationId).find(
      (s) => s.expiresAt > now && !this.#expiredPreKey(s.bundleId),
    )
    return copy(found)
  }

  listSessionsFor(identity: Uint8Array, installationId: string): SessionRecord[] {
    this.#open()
    checkBytes('identity', identity)
    checkString('installationId', installationId)
    return this.#sessionsFor(identity, installationId).map(copy)
  }

  confirmSession(id: Uint8Array): boolean {
    this.#open()
    checkBytes('id', id)
    const k = key(id)
    const s = this.#sessions.get(k)
    if (s === undefined) return false
    const { ephemeralKey: _, ...rest } = s
    this.#sessions.set(k, rest)
    return true
  }

  #deleteSession(id: Uint8Array): boolean {
    for (const [k, sk] of [...this.#skipped.entries()]) {
      if (compareBytes(sk.sessionId, id) === 0) this.#skipped.delete(k)
    }
    return this.#sessions.delete(key(id))
  }

  deleteSession(id: Uint8Array): boolean {
    this.#open()
    checkBytes('id', id)
    if (!this.#sessions.has(key(id))) return false
    return this.#atomic(() => this.#deleteSession(id))
  }

  deleteExpiredSessions(now: number): number {
    this.#open()
    checkTime('now', now)
    const expired = [...this.#sessions.values()].filter((s) => s.expiresAt <= now)
    if (expired.length === 0) return 0
    return this.#atomic(() => {
      for (const s of expired) this.#deleteSession(s.id)
      return expired.length
    })
  }

  setSessionExpiry(id: Uint8Array, expiresAt: number): boolean {
    this.#open()
    checkBytes('id', id)
    checkTime('expiresAt', expiresAt)
    const k = key(id)
    const s = this.#sessions.get(k)
    if (s === undefined) return false
    this.#sessions.set(k, { ...s, expiresAt })
    return true
  }

  listExpiredSessions(now: number): SessionRecord[] {
    this.#open()
    checkTime('now', now)
    return [...this.#sessions.values()]
      .filter((s) => s.expiresAt <= now)
      .sort((a, b) => -cmpDesc(a.expiresAt, b.expiresAt) || compareBytes(a.id, b.id))
      .map(copy)
  }

  countSessionsByBundle(bundleId: Uint8Array): number {
    this.#open()
    checkBytes('bundleId', bundleId)
    let n = 0
    for (const s of this.#sessions.values()) if (compareBytes(s.bundleId, bundleId) === 0) n++
    return n
  }

  expireSessionsByBundle(bundleId: Uint8Array, at: number): number {
    this.#open()
    checkBytes('bundleId', bundleId)
    checkTime('at', at)
    const hit = [...this.#sessions.entries()].filter(
      ([, s]) => compareBytes(s.bundleId, bundleId) === 0 && s.expiresAt > at,
    )
    for (const [k, s] of hit) this.#sessions.set(k, { ...s, expiresAt: at })
    return hit.length
  }

  countSessions(): number {
    this.#open()
    return [...this.#sessions.values()].length
  }

  // partitioned-device answers --------------------------------------------------------------

  getBundleReplyTime(identity: Uint8Array): number | undefined {
    this.#open()
    checkBytes('identity', identity)
    return this.#bundleReplies.get(key(identity))
  }

  setBundleReplyTime(identity: Uint8Array, at: number): void {
    this.#open()
    checkBytes('identity', identity)
    checkTime('at', at)
    this.#bundleReplies.set(key(identity), at)
  }

  // skipped keys ----------------------------------------------------------------------------

  putSkippedKey(k: SkippedKeyRecord): void {
    this.#open()
    checkSkippedKey(k)
    if (!this.#sessions.has(key(k.sessionId))) {
      throw new PfsError('INVALID_STATE', 'unknown session')
    }
    this.#skipped.set(key(k.ratchetPublic, k.n), { ...copy(k), seq: ++this.#seq })
  }

  takeSkippedKey(ratchetPublic: Uint8Array, n: number): SkippedKeyRecord | undefined {
    this.#open()
    checkBytes('ratchetPublic', ratchetPublic)
    checkCount('n', n)
    const k = key(ratchetPublic, n)
    const found = this.#skipped.get(k)
    if (found === undefined) return undefined
    this.#skipped.delete(k)
    const { seq: _, ...record } = found
    return copy(record)
  }

  countSkippedKeys(sessionId: Uint8Array): number {
    this.#open()
    checkBytes('sessionId', sessionId)
    let n = 0
    for (const k of this.#skipped.values()) if (compareBytes(k.sessionId, sessionId) === 0) n++
    return n
  }

  pruneSkippedKeys(sessionId: Uint8Array, keep: number): number {
    this.#open()
    checkBytes('sessionId', sessionId)
    checkCount('keep', keep)
    const mine = [...this.#skipped.entries()]
      .filter(([, k]) => compareBytes(k.sessionId, sessionId) === 0)
      .sort(([, a], [, b]) => b.seq - a.seq)
    const doomed = mine.slice(keep)
    for (const [k] of doomed) this.#skipped.delete(k)
    return doomed.length
  }

  deleteSkippedKeysBefore(before: number): number {
    this.#open()
    checkTime('before', before)
    let n = 0
    for (const [k, v] of [...this.#skipped.entries()]) {
      if (v.storedAt < before) {
        this.#skipped.delete(k)
        n++
      }
    }
    return n
  }

  // shared secrets --------------------------------------------------------------------------

  putSharedSecret(identity: Uint8Array, secret: Uint8Array): void {
    this.#open()
    checkBytes('identity', identity)
    checkBytes('secret', secret)
    const k = key(identity)
    if (!this.#secrets.has(k)) this.#secrets.set(k, copy({ identity, secret }))
  }

  #secretRecord(s: StoredSecret): SharedSecretRecord {
    const installations = [...this.#secretInstallations.values()]
      .filter((i) => compareBytes(i.identity, s.identity) === 0)
      .map((i) => i.installationId)
      .sort(compareText)
    return { ...copy(s), installations }
  }

  getSharedSecret(identity: Uint8Array): SharedSecretRecord | undefined {
    this.#open()
    checkBytes('identity', identity)
    const s = this.#secrets.get(key(identity))
    return s === undefined ? undefined : this.#secretRecord(s)
  }

  addSharedSecretInstallation(identity: Uint8Array, installationId: string): void {
    this.#open()
    checkBytes('identity', identity)
    checkString('installationId', installationId)
    if (!this.#secrets.has(key(identity))) {
      throw new PfsError('INVALID_STATE', 'no shared secret for this identity')
    }
    this.#secretInstallations.set(key(identity, installationId), {
      identity: Uint8Array.from(identity),
      installationId,
    })
  }

  listSharedSecrets(): SharedSecretRecord[] {
    this.#open()
    return [...this.#secrets.values()]
      .sort((a, b) => compareBytes(a.identity, b.identity))
      .map((s) => this.#secretRecord(s))
  }

  // contacts --------------------------------------------------------------------------------

  putContact(c: ContactRecord): void {
    this.#open()
    checkContact(c)
    this.#contacts.set(key(c.identity), copy(c))
  }

  getContact(identity: Uint8Array): ContactRecord | undefined {
    this.#open()
    checkBytes('identity', identity)
    return copy(this.#contacts.get(key(identity)))
  }

  listContacts(): ContactRecord[] {
    this.#open()
    return [...this.#contacts.values()]
      .sort((a, b) => a.addedAt - b.addedAt || compareBytes(a.identity, b.identity))
      .map(copy)
  }

  deleteContact(identity: Uint8Array): boolean {
    this.#open()
    checkBytes('identity', identity)
    return this.#contacts.delete(key(identity))
  }

  addContactRequest(r: ContactRequestRecord): void {
    this.#open()
    checkContactRequest(r)
    if (r.state !== 'pending') throw new PfsError('INVALID_STATE', 'a new request must be pending')
    if (this.#requests.has(r.id)) throw new PfsError('INVALID_STATE', 'contact request exists')
    this.#requests.set(r.id, copy(r))
  }

  getContactRequest(id: string): ContactRequestRecord | undefined {
    this.#open()
    checkString('id', id)
    return copy(this.#requests.get(id))
  }

  listContactRequests(options: ListContactRequestsOptions = {}): ContactRequestRecord[] {
    this.#open()
    if (options.identity !== undefined) checkBytes('identity', options.identity)
    return [...this.#requests.values()]
      .filter(
        (r) =>
          (options.state === undefined || r.state === options.state) &&
          (options.identity === undefined || compareBytes(r.identity, options.identity) === 0),
      )
      .sort((a, b) => a.createdAt - b.createdAt || compareText(a.id, b.id))
      .map(copy)
  }

  setContactRequestState(
    id: string,
    state: 'accepted' | 'declined',
    at: number,
  ): ContactRequestRecord {
    this.#open()
    checkString('id', id)
    checkRequestTransition(state)
    checkTime('at', at)
    const r = this.#requests.get(id)
    if (r === undefined) throw new PfsError('INVALID_STATE', 'unknown contact request')
    if (r.state !== 'pending') {
      throw new PfsError('INVALID_STATE', 'contact request is no longer pending', {
        state: r.state,
      })
    }
    const updated = { ...r, state, updatedAt: at }
    this.#requests.set(id, updated)
    return copy(updated)
  }

  // messages --------------------------------------------------------------------------------

  addMessage(m: MessageRecord): boolean {
    this.#open()
    checkMessage(m)
    if (this.#messages.has(m.id)) return false
    this.#messages.set(m.id, copy(m))
    return true
  }

  getMessage(id: string): MessageRecord | undefined {
    this.#open()
    checkString('id', id)
    return copy(this.#messages.get(id))
  }

  listMessages(chatId: string, options: ListMessagesOptions = {}): MessageRecord[] {
    this.#open()
    checkString('chatId', chatId)
    const { before, limit } = options
    if (before !== undefined) checkTime('before', before)
    if (limit !== undefined) checkCount('limit', limit)
    const all = [...this.#messages.values()]
      .filter((m) => m.chatId === chatId && (before === undefined || m.sentAt < before))
      .sort((a, b) => a.sentAt - b.sentAt || compareText(a.id, b.id))
    const page = limit === undefined ? all : limit === 0 ? [] : all.slice(-limit)
    return page.map(copy)
  }

  countMessages(chatId?: string): number {
    this.#open()
    if (chatId === undefined) return this.#messages.size
    checkString('chatId', chatId)
    let n = 0
    for (const m of this.#messages.values()) if (m.chatId === chatId) n++
    return n
  }

  deleteMessage(id: string): boolean {
    this.#open()
    checkString('id', id)
    if (!this.#messages.has(id)) return false
    return this.#atomic(() => {
      for (const [k, d] of [...this.#deliveries.entries()]) {
        if (d.messageId === id) this.#deliveries.delete(k)
      }
      return this.#messages.delete(id)
    })
  }

  setDeliveryState(d: DeliveryRecord): void {
    this.#open()
    checkDelivery(d)
    if (!this.#messages.has(d.messageId)) throw new PfsError('INVALID_STATE', 'unknown message')
    this.#deliveries.set(key(d.messageId, d.identity, d.installationId), copy(d))
  }

  listDeliveries(messageId: string): DeliveryRecord[] {
    this.#open()
    checkString('messageId', messageId)
    return [...this.#deliveries.values()]
      .filter((d) => d.messageId === messageId)
      .sort(
        (a, b) =>
          compareBytes(a.identity, b.identity) || compareText(a.installationId, b.installationId),
      )
      .map(copy)
  }

  // seen envelopes --------------------------------------------------------------------------

  markEnvelopeSeen(hash: Uint8Array, expiresAt: number): boolean {
    this.#open()
    checkBytes('hash', hash)
    checkTime('expiresAt', expiresAt)
    const k = key(hash)
    if (this.#seen.has(k)) return false
    this.#seen.set(k, expiresAt)
    return true
  }

  hasSeenEnvelope(hash: Uint8Array): boolean {
    this.#open()
    checkBytes('hash', hash)
    return this.#seen.has(key(hash))
  }

  pruneSeenEnvelopes(now: number): number {
    this.#open()
    checkTime('now', now)
    let n = 0
    for (const [k, exp] of [...this.#seen.entries()]) {
      if (exp < now) {
        this.#seen.delete(k)
        n++
      }
    }
    return n
  }

  // sync cursors ----------------------------------------------------------------------------

  #cursorRecord(c: StoredCursor): SyncCursorRecord {
    return {
      storeNode: c.storeNode,
      topics: topicsFromKey(c.topicKey),
      ...(c.cursor !== undefined && { cursor: Uint8Array.from(c.cursor) }),
      syncedTo: c.syncedTo,
    }
  }

  putSyncCursor(c: SyncCursorRecord): void {
    this.#open()
    checkSyncCursor(c)
    const topicKey = topicSetKey(c.topics)
    this.#cursors.set(
      key(c.storeNode, topicKey),
      copy({
        storeNode: c.storeNode,
        topicKey,
        ...(c.cursor !== undefined && { cursor: c.cursor }),
        syncedTo: c.syncedTo,
      }),
    )
  }

  getSyncCursor(storeNode: string, topics: readonly Uint8Array[]): SyncCursorRecord | undefined {
    this.#open()
    checkString('storeNode', storeNode)
    const c = this.#cursors.get(key(storeNode, topicSetKey(topics)))
    return c === undefined ? undefined : this.#cursorRecord(c)
  }

  listSyncCursors(storeNode?: string): SyncCursorRecord[] {
    this.#open()
    if (storeNode !== undefined) checkString('storeNode', storeNode)
    return [...this.#cursors.values()]
      .filter((c) => storeNode === undefined || c.storeNode === storeNode)
      .sort((a, b) => compareText(a.storeNode, b.storeNode) || compareText(a.topicKey, b.topicKey))
      .map((c) => this.#cursorRecord(c))
  }

  deleteSyncCursor(storeNode: string, topics: readonly Uint8Array[]): boolean {
    this.#open()
    checkString('storeNode', storeNode)
    return this.#cursors.delete(key(storeNode, topicSetKey(topics)))
  }
}
