/**
 * Argument checks and small helpers both stores share, so that `SqliteStore` and `MemoryStore`
 * reject the same inputs with the same error (`INVALID_ARGUMENT`, naming the field, never its
 * value) and canonicalise the same way (topic sets of sync cursors).
 *
 * @module
 */
import { fromHex, toHex } from '../crypto/index.ts'
import { PfsError } from '../errors.ts'
import type {
  AccountRecord,
  BundleRecord,
  ContactRecord,
  ContactRequestRecord,
  DeliveryRecord,
  InstallationRecord,
  MessageRecord,
  OneTimePreKeyRecord,
  SessionRecord,
  SignedPreKeyRecord,
  SkippedKeyRecord,
  SyncCursorRecord,
} from './types.ts'

function invalid(name: string, expected: string): PfsError {
  return new PfsError('INVALID_ARGUMENT', `"${name}" expected ${expected}`, { field: name })
}

export function checkBytes(name: string, v: unknown): asserts v is Uint8Array {
  if (!(v instanceof Uint8Array)) throw invalid(name, 'a Uint8Array')
}

export function checkString(name: string, v: unknown): asserts v is string {
  if (typeof v !== 'string') throw invalid(name, 'a string')
}

export function checkInt(name: string, v: unknown): asserts v is number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw invalid(name, 'a safe integer')
}

export function checkCount(name: string, v: unknown): asserts v is number {
  checkInt(name, v)
  if (v < 0) throw invalid(name, 'a non-negative integer')
}

/** Times are stored as SQLite INTEGER (64-bit signed): finite numbers only, rounded down. */
export function checkTime(name: string, v: unknown): asserts v is number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid(name, 'a finite number')
}

export function checkNs(name: string, v: unknown): asserts v is bigint {
  if (typeof v !== 'bigint' || v < -(2n ** 63n) || v >= 2n ** 63n) {
    throw invalid(name, 'a signed 64-bit bigint')
  }
}

export function checkBool(name: string, v: unknown): asserts v is boolean {
  if (typeof v !== 'boolean') throw invalid(name, 'a boolean')
}

function checkOptional(check: (name: string, v: unknown) => void, name: string, v: unknown): void {
  if (v !== undefined) check(name, v)
}

function checkObject(name: string, v: unknown): asserts v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) throw invalid(name, 'an object')
}

const DIRECTIONS = ['incoming', 'outgoing']
const REQUEST_STATES = ['pending', 'accepted', 'declined']
const DELIVERY_STATES = ['pending', 'sent', 'delivered', 'failed']

function checkOneOf(name: string, v: unknown, allowed: readonly string[]): void {
  if (typeof v !== 'string' || !allowed.includes(v)) throw invalid(name, allowed.join(' | '))
}

export function checkAccount(r: AccountRecord): void {
  checkObject('account', r)
  checkBytes('identityPublicKey', r.identityPublicKey)
  checkBytes('identityPrivateKey', r.identityPrivateKey)
  checkString('installationId', r.installationId)
  checkOptional(checkString, 'name', r.name)
  checkOptional(checkString, 'deviceType', r.deviceType)
  checkTime('createdAt', r.createdAt)
}

export function checkSignedPreKey(r: SignedPreKeyRecord): void {
  checkObject('signedPreKey', r)
  checkBytes('publicKey', r.publicKey)
  checkBytes('privateKey', r.privateKey)
  checkInt('version', r.version)
  checkTime('createdAt', r.createdAt)
  checkBool('expired', r.expired)
}

export function checkOneTimePreKey(r: OneTimePreKeyRecord): void {
  checkObject('oneTimePreKey', r)
  checkBytes('publicKey', r.publicKey)
  checkBytes('privateKey', r.privateKey)
  checkTime('createdAt', r.createdAt)
}

export function checkInstallation(r: InstallationRecord): void {
  checkObject('installation', r)
  checkBytes('identity', r.identity)
  checkString('installationId', r.installationId)
  checkBool('enabled', r.enabled)
  checkInt('version', r.version)
  checkNs('firstSeen', r.firstSeen)
  checkNs('lastSeen', r.lastSeen)
  checkBool('stale', r.stale)
  checkOptional(checkString, 'name', r.name)
  checkOptional(checkString, 'deviceType', r.deviceType)
}

export function checkBundle(r: BundleRecord): void {
  checkObject('bundle', r)
  checkBytes('identity', r.identity)
  checkString('installationId', r.installationId)
  checkInt('version', r.version)
  checkBytes('signedPreKey', r.signedPreKey)
  checkInt('protocolVersion', r.protocolVersion)
  checkNs('timestamp', r.timestamp)
  checkBool('expired', r.expired)
}

export function checkSession(r: SessionRecord): void {
  checkObject('session', r)
  checkBytes('id', r.id)
  checkBytes('identity', r.identity)
  checkString('installationId', r.installationId)
  checkBytes('bundleId', r.bundleId)
  checkOptional(checkBytes, 'ephemeralKey', r.ephemeralKey)
  checkBytes('sk', r.sk)
  checkBytes('state', r.state)
  checkTime('createdAt', r.createdAt)
  checkTime('expiresAt', r.expiresAt)
}

export function checkSkippedKey(r: SkippedKeyRecord): void {
  checkObject('skippedKey', r)
  checkBytes('sessionId', r.sessionId)
  checkBytes('ratchetPublic', r.ratchetPublic)
  checkCount('n', r.n)
  checkBytes('key', r.key)
  checkTime('storedAt', r.storedAt)
}

export function checkContact(r: ContactRecord): void {
  checkObject('contact', r)
  checkBytes('identity', r.identity)
  checkOptional(checkString, 'name', r.name)
  checkTime('addedAt', r.addedAt)
  checkBool('blocked', r.blocked)
}

export function checkContactRequest(r: ContactRequestRecord): void {
  checkObject('contactRequest', r)
  checkString('id', r.id)
  checkBytes('identity', r.identity)
  checkOneOf('direction', r.direction, DIRECTIONS)
  checkOneOf('state', r.state, REQUEST_STATES)
  checkOptional(checkString, 'text', r.text)
  checkTime('createdAt', r.createdAt)
  checkTime('updatedAt', r.updatedAt)
}

export function checkRequestTransition(state: unknown): void {
  checkOneOf('state', state, ['accepted', 'declined'])
}

export function checkMessage(r: MessageRecord): void {
  checkObject('message', r)
  checkString('id', r.id)
  checkString('chatId', r.chatId)
  checkOneOf('direction', r.direction, DIRECTIONS)
  checkBytes('sender', r.sender)
  checkString('text', r.text)
  checkOptional(checkBytes, 'payload', r.payload)
  checkTime('sentAt', r.sentAt)
  checkTime('receivedAt', r.receivedAt)
  checkBool('pfs', r.pfs)
}

export function checkDelivery(r: DeliveryRecord): void {
  checkObject('delivery', r)
  checkString('messageId', r.messageId)
  checkBytes('identity', r.identity)
  checkString('installationId', r.installationId)
  checkOneOf('state', r.state, DELIVERY_STATES)
  checkTime('updatedAt', r.updatedAt)
}

export function checkSyncCursor(r: SyncCursorRecord): void {
  checkObject('syncCursor', r)
  checkString('storeNode', r.storeNode)
  checkTopics(r.topics)
  checkOptional(checkBytes, 'cursor', r.cursor)
  checkTime('syncedTo', r.syncedTo)
}

export function checkTopics(topics: readonly Uint8Array[]): void {
  if (!Array.isArray(topics)) throw invalid('topics', 'an array')
  for (const t of topics) checkBytes('topics[]', t)
}

/**
 * The canonical form of a topic set: sorted, de-duplicated lowercase hex joined by commas. Both
 * stores key sync cursors by it, so `[a, b]` and `[b, a, a]` name the same cursor.
 */
export function topicSetKey(topics: readonly Uint8Array[]): string {
  checkTopics(topics)
  return [...new Set(topics.map((t) => toHex(t)))].sort().join(',')
}

/** Parses `topicSetKey` output back to topics (sorted, unique). */
export function topicsFromKey(key: string): Uint8Array[] {
  if (key === '') return []
  return key.split(',').map((h) => fromHex(h))
}

/**
 * Rejects an `async` transaction body before it runs: its awaited part would escape the
 * transaction (the commit happens at the first `await`).
 */
export function checkSyncFunction(fn: unknown): asserts fn is () => unknown {
  if (typeof fn !== 'function') throw invalid('fn', 'a function')
  if (fn.constructor.name === 'AsyncFunction' || fn.constructor.name === 'AsyncGeneratorFunction') {
    throw new PfsError('INVALID_ARGUMENT', 'transaction function must be synchronous')
  }
}

/** True for a value a caller would `await` (a returned promise means `fn` was async). */
export function isThenable(v: unknown): boolean {
  return (
    (typeof v === 'object' || typeof v === 'function') &&
    v !== null &&
    typeof (v as { then?: unknown }).then === 'function'
  )
}

/** The error for a promise-returning transaction body (its writes have been undone). */
export function asyncResultError(): PfsError {
  return new PfsError('INVALID_ARGUMENT', 'transaction function returned a promise')
}

export function closedError(): PfsError {
  return new PfsError('INVALID_STATE', 'store is closed')
}
