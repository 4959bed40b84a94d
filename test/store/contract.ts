/**
 * The `Store` contract: one suite of behaviours every store must show, registered against a
 * factory so that `MemoryStore` and `SqliteStore` (memory.test.ts, sqlite.test.ts) are held to the
 * same semantics — orderings, upserts versus inserts, cascades, delete-on-read, the contact-request
 * state machine, copies in and out, errors, and transactions (commit, rollback of every table,
 * savepoints, refusal of async bodies).
 *
 * @module
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { isPfsError } from '../../src/errors.ts'
import type { ErrorCode } from '../../src/errors.ts'
import type {
  BundleRecord,
  InstallationRecord,
  MessageRecord,
  SessionRecord,
  Store,
} from '../../src/store/index.ts'

/** Makes a fresh, empty store; `dispose` closes it and removes what it left behind. */
export interface StoreFactory {
  readonly create: () => { readonly store: Store; readonly dispose: () => void }
}

export function b(...xs: number[]): Uint8Array {
  return Uint8Array.from(xs)
}

/** 33 bytes starting with `tag`: stands for a compressed public key. */
export function pk(tag: number): Uint8Array {
  const out = new Uint8Array(33).fill(tag)
  out[0] = 2
  return out
}

export const ALICE = pk(0xa1)
export const BOB = pk(0xb0)
export const CAROL = pk(0xc0)

export function installation(
  identity: Uint8Array,
  installationId: string,
  over: Partial<InstallationRecord> = {},
): InstallationRecord {
  return {
    identity,
    installationId,
    enabled: true,
    version: 1,
    firstSeen: 1_000n,
    lastSeen: 2_000n,
    stale: false,
    ...over,
  }
}

export function bundle(
  identity: Uint8Array,
  installationId: string,
  version: number,
  spk: Uint8Array,
  over: Partial<BundleRecord> = {},
): BundleRecord {
  return {
    identity,
    installationId,
    version,
    signedPreKey: spk,
    protocolVersion: 1,
    timestamp: 1_700_000_000_000_000_000n + BigInt(version),
    expired: false,
    ...over,
  }
}

export function session(
  id: Uint8Array,
  identity: Uint8Array,
  installationId: string,
  bundleId: Uint8Array,
  over: Partial<SessionRecord> = {},
): SessionRecord {
  return {
    id,
    identity,
    installationId,
    bundleId,
    ephemeralKey: pk(0xee),
    sk: new Uint8Array(32).fill(0x5c),
    state: b(1, 2, 3),
    createdAt: 100,
    expiresAt: 10_000,
    ...over,
  }
}

export function message(id: string, over: Partial<MessageRecord> = {}): MessageRecord {
  return {
    id,
    chatId: 'chat-bob',
    direction: 'outgoing',
    sender: ALICE,
    text: `text of ${id}`,
    sentAt: 1000,
    receivedAt: 1001,
    pfs: true,
    ...over,
  }
}

export function expectCode(fn: () => unknown, code: ErrorCode): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isPfsError(e), `expected a PfsError, got ${String(e)}`)
    assert.equal(e.code, code)
    return true
  })
}

/** Writes at least one row into every table (the base for rollback checks). */
export function populate(s: Store): void {
  s.putAccount({
    identityPublicKey: ALICE,
    identityPrivateKey: new Uint8Array(32).fill(0x11),
    installationId: 'alice-1',
    name: 'laptop',
    createdAt: 1,
  })
  s.putSignedPreKey({
    publicKey: pk(1),
    privateKey: new Uint8Array(32).fill(0x12),
    version: 1,
    createdAt: 2,
    expired: false,
  })
  s.putOneTimePreKey({ publicKey: pk(2), privateKey: new Uint8Array(32).fill(0x13), createdAt: 3 })
  s.putInstallation(installation(BOB, 'bob-1'))
  s.putInstallation(installation(ALICE, 'alice-2', { enabled: false }))
  s.putBundle(bundle(BOB, 'bob-1', 1, pk(3)))
  s.putSession(session(b(1), BOB, 'bob-1', pk(3)))
  s.putSkippedKey({ sessionId: b(1), ratchetPublic: pk(4), n: 0, key: b(9), storedAt: 5 })
  s.putSharedSecret(BOB, new Uint8Array(32).fill(0x14))
  s.addSharedSecretInstallation(BOB, 'bob-1')
  s.putContact({ identity: BOB, name: 'Bob', addedAt: 6, blocked: false })
  s.addContactRequest({
    id: 'req-1',
    identity: BOB,
    direction: 'incoming',
    state: 'pending',
    text: 'hi',
    createdAt: 7,
    updatedAt: 7,
  })
  s.addMessage(message('m-1'))
  s.setDeliveryState({
    messageId: 'm-1',
    identity: BOB,
    installationId: 'bob-1',
    state: 'sent',
    updatedAt: 8,
  })
  s.markEnvelopeSeen(b(0xee, 1), 100)
  s.putSyncCursor({ storeNode: 'node-a', topics: [b(1, 2, 3, 4)], syncedTo: 9 })
}

/** Everything observable about the tables `populate` and the tests touch. */
export function dump(s: Store): unknown {
  const identities = [ALICE, BOB, CAROL]
  const installations = identities.flatMap((i) => s.listInstallations(i))
  const sessions = installations.flatMap((i) => s.listSessionsFor(i.identity, i.installationId))
  const chats = ['chat-bob', 'chat-carol']
  const messages = chats.flatMap((c) => s.listMessages(c))
  return {
    account: s.getAccount(),
    signedPreKeys: s.listSignedPreKeys({ includeExpired: true }),
    oneTimePreKeys: s.countOneTimePreKeys(),
    installations,
    bundles: identities.flatMap((i) => s.listBundles(i)),
    sessions,
    skipped: sessions.map((x) => s.countSkippedKeys(x.id)),
    secrets: s.listSharedSecrets(),
    contacts: s.listContacts(),
    requests: s.listContactRequests(),
    messages,
    messageCount: s.countMessages(),
    deliveries: messages.map((m) => s.listDeliveries(m.id)),
    seen: [b(0xee, 1), b(0xee, 2)].map((h) => s.hasSeenEnvelope(h)),
    cursors: s.listSyncCursors(),
  }
}

/** Writes to every table (used inside a transaction that then throws). */
function scribble(s: Store): void {
  s.putAccount({
    identityPublicKey: CAROL,
    identityPrivateKey: new Uint8Array(32),
    installationId: 'x',
    createdAt: 99,
  })
  s.putSignedPreKey({
    publicKey: pk(5),
    privateKey: new Uint8Array(32),
    version: 2,
    createdAt: 1,
    expired: false,
  })
  s.expireSignedPreKeysBelow(2)
  s.takeOneTimePreKey(pk(2))
  s.putInstallation(installation(CAROL, 'carol-1'))
  s.setInstallationEnabled(ALICE, 'alice-2', true)
  s.putBundle(bundle(BOB, 'bob-1', 2, pk(6)))
  s.expireBundlesBelow(BOB, 'bob-1', 2)
  s.updateSessionState(b(1), b(7, 7, 7))
  s.confirmSession(b(1))
  s.takeSkippedKey(pk(4), 0)
  s.putSession(session(b(2), CAROL, 'carol-1', pk(7)))
  s.putSkippedKey({ sessionId: b(2), ratchetPublic: pk(8), n: 3, key: b(1), storedAt: 1 })
  s.putSharedSecret(CAROL, new Uint8Array(32).fill(1))
  s.addSharedSecretInstallation(BOB, 'bob-2')
  s.deleteContact(BOB)
  s.setContactRequestState('req-1', 'accepted', 50)
  s.addMessage(message('m-2', { chatId: 'chat-carol' }))
  s.setDeliveryState({
    messageId: 'm-1',
    identity: BOB,
    installationId: 'bob-1',
    state: 'delivered',
    updatedAt: 51,
  })
  s.markEnvelopeSeen(b(0xee, 2), 100)
  s.pruneSeenEnvelopes(1_000)
  s.putSyncCursor({ storeNode: 'node-a', topics: [b(1, 2, 3, 4)], syncedTo: 99 })
  s.deleteInstallation(BOB, 'bob-1')
}

export function registerStoreContract(name: string, factory: StoreFactory): void {
  const withStore = (fn: (s: Store) => void) => () => {
    const made = factory.create()
    try {
      fn(made.store)
    } finally {
      made.dispose()
    }
  }
  const it = (title: string, fn: (s: Store) => void): void => {
    void test(title, withStore(fn))
  }

  describe(`${name}: Store contract`, () => {
    describe('account and own prekeys', () => {
      it('account round-trips and is replaced', (s) => {
        assert.equal(s.getAccount(), undefined)
        const a = {
          identityPublicKey: ALICE,
          identityPrivateKey: new Uint8Array(32).fill(7),
          installationId: 'alice-1',
          createdAt: 5,
        }
        s.putAccount(a)
        assert.deepEqual(s.getAccount(), a)
        s.putAccount({ ...a, name: 'phone', deviceType: 'mobile' })
        assert.deepEqual(s.getAccount(), { ...a, name: 'phone', deviceType: 'mobile' })
      })

      it('signed prekeys: order, expiry below a version, lookup of expired ones', (s) => {
        const spk = (v: number, tag: number, expired = false) => ({
          publicKey: pk(tag),
          privateKey: new Uint8Array(32).fill(tag),
          version: v,
          createdAt: v * 10,
          expired,
        })
        s.putSignedPreKey(spk(1, 1))
        s.putSignedPreKey(spk(3, 3))
        s.putSignedPreKey(spk(2, 2))
        assert.deepEqual(
          s.listSignedPreKeys().map((k) => k.version),
          [3, 2, 1],
        )
        assert.equal(s.expireSignedPreKeysBelow(3), 2)
        assert.equal(s.expireSignedPreKeysBelow(3), 0)
        assert.deepEqual(s.listSignedPreKeys(), [spk(3, 3)])
        assert.deepEqual(
          s.listSignedPreKeys({ includeExpired: true }).map((k) => [k.version, k.expired]),
          [
            [3, false],
            [2, true],
            [1, true],
          ],
        )
        assert.deepEqual(s.getSignedPreKey(pk(1)), spk(1, 1, true))
        assert.equal(s.deleteSignedPreKey(pk(1)), true)
        assert.equal(s.deleteSignedPreKey(pk(1)), false)
        assert.equal(s.getSignedPreKey(pk(1)), undefined)
      })

      it('one-time prekeys are taken once', (s) => {
        const k = { publicKey: pk(9), privateKey: new Uint8Array(32).fill(9), createdAt: 1 }
        s.putOneTimePreKey(k)
        s.putOneTimePreKey({ ...k, publicKey: pk(10) })
        assert.equal(s.countOneTimePreKeys(), 2)
        assert.deepEqual(s.takeOneTimePreKey(pk(9)), k)
        assert.equal(s.takeOneTimePreKey(pk(9)), undefined)
        assert.equal(s.countOneTimePreKeys(), 1)
      })
    })

    describe('installations and bundles', () => {
      it('installations: upsert, order by last seen, active filter and limit', (s) => {
        s.putInstallation(installation(BOB, 'b-old', { lastSeen: 10n }))
        s.putInstallation(installation(BOB, 'b-new', { lastSeen: 30n, name: 'n', deviceType: 'd' }))
        s.putInstallation(installation(BOB, 'b-mid', { lastSeen: 20n }))
        s.putInstallation(installation(BOB, 'b-tie', { lastSeen: 20n }))
        s.putInstallation(installation(BOB, 'b-off', { lastSeen: 40n, enabled: false }))
        s.putInstallation(installation(BOB, 'b-stale', { lastSeen: 50n, stale: true }))
        s.putInstallation(installation(CAROL, 'c-1', { lastSeen: 99n }))
        assert.deepEqual(
          s.listInstallations(BOB).map((i) => i.installationId),
          ['b-stale', 'b-off', 'b-new', 'b-mid', 'b-tie', 'b-old'],
        )
        assert.deepEqual(
          s.listActiveInstallations(BOB, 3).map((i) => i.installationId),
          ['b-new', 'b-mid', 'b-tie'],
        )
        assert.deepEqual(s.listActiveInstallations(BOB, 0), [])
        assert.deepEqual(
          s.getInstallation(BOB, 'b-new'),
          installation(BOB, 'b-new', { lastSeen: 30n, name: 'n', deviceType: 'd' }),
        )
        assert.equal(s.getInstallation(BOB, 'nope'), undefined)
        assert.equal(s.setInstallationEnabled(BOB, 'b-off', true), true)
        assert.equal(s.setInstallationEnabled(BOB, 'nope', true), false)
        assert.equal(s.getInstallation(BOB, 'b-off')?.enabled, true)
        // upsert replaces every field, including clearing optional ones
        s.putInstallation(installation(BOB, 'b-new', { lastSeen: 31n }))
        assert.deepEqual(
          s.getInstallation(BOB, 'b-new'),
          installation(BOB, 'b-new', { lastSeen: 31n }),
        )
      })

      it('markStaleInstallations sets and clears the flag by last seen', (s) => {
        s.putInstallation(installation(BOB, 'old', { lastSeen: 10n }))
        s.putInstallation(installation(BOB, 'new', { lastSeen: 30n, stale: true }))
        assert.equal(s.markStaleInstallations(20n), 2)
        assert.equal(s.getInstallation(BOB, 'old')?.stale, true)
        assert.equal(s.getInstallation(BOB, 'new')?.stale, false)
        assert.equal(s.markStaleInstallations(20n), 0)
      })

      it('bundles need their installation and a unique signed prekey', (s) => {
        expectCode(() => s.putBundle(bundle(BOB, 'bob-1', 1, pk(3))), 'INVALID_STATE')
        s.putInstallation(installation(BOB, 'bob-1'))
        s.putInstallation(installation(BOB, 'bob-2'))
        s.putBundle(bundle(BOB, 'bob-1', 1, pk(3)))
        expectCode(() => s.putBundle(bundle(BOB, 'bob-2', 1, pk(3))), 'INVALID_STATE')
        // same slot, same key: an update
        s.putBundle(bundle(BOB, 'bob-1', 1, pk(3), { protocolVersion: 0 }))
        assert.equal(s.getBundle(BOB, 'bob-1', 1)?.protocolVersion, 0)
      })

      it('bundles: active = highest non-expired, expiry below a version, lookups', (s) => {
        s.putInstallation(installation(BOB, 'bob-1'))
        s.putInstallation(installation(BOB, 'bob-0'))
        s.putBundle(bundle(BOB, 'bob-1', 1, pk(1)))
        s.putBundle(bundle(BOB, 'bob-1', 3, pk(3)))
        s.putBundle(bundle(BOB, 'bob-1', 2, pk(2)))
        s.putBundle(bundle(BOB, 'bob-0', 5, pk(5)))
        assert.equal(s.getActiveBundle(BOB, 'bob-1')?.version, 3)
        assert.deepEqual(
          s.listBundles(BOB).map((x) => [x.installationId, x.version]),
          [
            ['bob-0', 5],
            ['bob-1', 3],
            ['bob-1', 2],
            ['bob-1', 1],
          ],
        )
        assert.equal(s.expireBundlesBelow(BOB, 'bob-1', 3), 2)
        assert.equal(s.expireBundlesBelow(BOB, 'bob-1', 3), 0)
        assert.equal(s.getBundle(BOB, 'bob-1', 2)?.expired, true)
        assert.equal(s.getBundle(BOB, 'bob-0', 5)?.expired, false)
        s.putBundle(bundle(BOB, 'bob-1', 3, pk(3), { expired: true }))
        assert.equal(s.getActiveBundle(BOB, 'bob-1'), undefined)
        assert.deepEqual(s.findBundleBySignedPreKey(pk(5)), bundle(BOB, 'bob-0', 5, pk(5)))
        assert.equal(s.findBundleBySignedPreKey(pk(9)), undefined)
        assert.equal(s.listBundles(CAROL).length, 0)
      })

      it('bundle timestamps keep full 64-bit nanosecond precision', (s) => {
        s.putInstallation(installation(BOB, 'bob-1', { firstSeen: 2n ** 62n + 1n }))
        const ts = 1_712_345_678_901_234_567n
        s.putBundle(bundle(BOB, 'bob-1', 1, pk(1), { timestamp: ts }))
        assert.equal(s.getBundle(BOB, 'bob-1', 1)?.timestamp, ts)
        assert.equal(s.getInstallation(BOB, 'bob-1')?.firstSeen, 2n ** 62n + 1n)
      })

      it('deleting an installation removes its bundles, sessions and skipped keys', (s) => {
        s.putInstallation(installation(BOB, 'bob-1'))
        s.putInstallation(installation(BOB, 'bob-2'))
        s.putBundle(bundle(BOB, 'bob-1', 1, pk(1)))
        s.putSession(session(b(1), BOB, 'bob-1', pk(1)))
        s.putSession(session(b(2), BOB, 'bob-2', pk(2)))
        s.putSkippedKey({ sessionId: b(1), ratchetPublic: pk(8), n: 1, key: b(1), storedAt: 1 })
        // an installation upsert must not cascade
        s.putInstallation(installation(BOB, 'bob-1', { lastSeen: 5n }))
        assert.ok(s.getSession(b(1)))
        assert.equal(s.countSkippedKeys(b(1)), 1)
        assert.equal(s.deleteInstallation(BOB, 'bob-1'), true)
        assert.equal(s.deleteInstallation(BOB, 'bob-1'), false)
        assert.equal(s.getBundle(BOB, 'bob-1', 1), undefined)
        assert.equal(s.getSession(b(1)), undefined)
        assert.equal(s.takeSkippedKey(pk(8), 1), undefined)
        assert.ok(s.getSession(b(2)))
      })
    })

    describe('sessions and skipped keys', () => {
      it('sessions: round-trip, lookups, state update, confirmation', (s) => {
        expectCode(() => s.putSession(session(b(1), BOB, 'bob-1', pk(1))), 'INVALID_STATE')
        s.putInstallation(installation(BOB, 'bob-1'))
        const rec = session(b(1), BOB, 'bob-1', pk(1))
        s.putSession(rec)
        assert.deepEqual(s.getSession(b(1)), rec)
        assert.deepEqual(s.findSession(pk(1), BOB, 'bob-1'), rec)
        assert.equal(s.findSession(pk(1), BOB, 'bob-2'), undefined)
        assert.equal(s.findSession(pk(2), BOB, 'bob-1'), undefined)
        assert.equal(s.updateSessionState(b(1), b(4, 5)), true)
        assert.equal(s.updateSessionState(b(9), b(4, 5)), false)
        assert.deepEqual(s.getSession(b(1))?.state, b(4, 5))
        assert.equal(s.confirmSession(b(1)), true)
        const { ephemeralKey: _, ...confirmed } = { ...rec, state: b(4, 5) }
        assert.deepEqual(s.getSession(b(1)), confirmed)
        assert.equal('ephemeralKey' in s.getSession(b(1))!, false)
        assert.equal(s.confirmSession(b(9)), false)
      })

      it('one session per (bundle id, identity, installation)', (s) => {
        s.putInstallation(installation(BOB, 'bob-1'))
        s.putSession(session(b(1), BOB, 'bob-1', pk(1)))
        expectCode(() => s.putSession(session(b(2), BOB, 'bob-1', pk(1))), 'INVALID_STATE')
        s.putSession(session(b(1), BOB, 'bob-1', pk(1), { expiresAt: 5 })) // same id: update
        assert.equal(s.getSession(b(1))?.expiresAt, 5)
        assert.equal(s.getSession(b(2)), undefined)
      })

      it('findActiveSession skips expired sessions and expired prekeys, newest first', (s) => {
        s.putInstallation(installation(BOB, 'bob-1'))
        s.putBundle(bundle(BOB, 'bob-1', 1, pk(1)))
        s.putBundle(bundle(BOB, 'bob-1', 2, pk(2)))
        s.putSignedPreKey({
          publicKey: pk(3),
          privateKey: new Uint8Array(32),
          version: 1,
          createdAt: 1,
          expired: false,
        })
        s.putSession(session(b(1), BOB, 'bob-1', pk(1), { createdAt: 10 }))
        s.putSession(session(b(2), BOB, 'bob-1', pk(2), { createdAt: 20 }))
        s.putSession(session(b(3), BOB, 'bob-1', pk(3), { createdAt: 30 }))
        s.putSession(session(b(4), BOB, 'bob-1', pk(4), { createdAt: 40, expiresAt: 50 }))
        const active = (now: number) => s.findActiveSession(BOB, 'bob-1', now)?.id[0]
        assert.equal(active(0), 4)
        assert.equal(active(50), 3)
        s.expireSignedPreKeysBelow(2) // our prekey behind session 3 expires
        assert.equal(active(50), 2)
        s.expireBundlesBelow(BOB, 'bob-1', 3) // both of Bob's bundles expire
        assert.equal(active(50), undefined)
        assert.equal(active(0), 4)
        assert.equal(s.findActiveSession(BOB, 'other', 0), undefined)
        assert.deepEqual(
          s.listSessionsFor(BOB, 'bob-1').map((x) => x.id[0]),
          [4, 3, 2, 1],
        )
        // ties on createdAt: lowest id first
        s.putSession(session(b(0), BOB, 'bob-1', pk(9), { createdAt: 40, expiresAt: 50 }))
        assert.equal(active(0), 0)
      })

      it('deleting sessions removes their skipped keys; expired sessions go', (s) => {
        s.putInstallation(installation(BOB, 'bob-1'))
        s.putSession(session(b(1), BOB, 'bob-1', pk(1), { expiresAt: 100 }))
        s.putSession(session(b(2), BOB, 'bob-1', pk(2), { expiresAt: 200 }))
        s.putSkippedKey({ sessionId: b(1), ratchetPublic: pk(7), n: 1, key: b(1), storedAt: 1 })
        s.putSkippedKey({ sessionId: b(2), ratchetPublic: pk(8), n: 1, key: b(2), storedAt: 1 })
        assert.equal(s.deleteExpiredSessions(99), 0)
        assert.equal(s.deleteExpiredSessions(100), 1)
        assert.equal(s.takeSkippedKey(pk(7), 1), undefined)
        assert.equal(s.deleteSession(b(2)), true)
        assert.equal(s.deleteSession(b(2)), false)
        assert.equal(s.takeSkippedKey(pk(8), 1), undefined)
      })

      it('skipped keys: delete on read, count, replace, prune keeps the newest', (s) => {
        s.putInstallation(installation(BOB, 'bob-1'))
        expectCode(
          () =>
            s.putSkippedKey({
              sessionId: b(1),
              ratchetPublic: pk(7),
              n: 0,
              key: b(1),
              storedAt: 1,
            }),
          'INVALID_STATE',
        )
        s.putSession(session(b(1), BOB, 'bob-1', pk(1)))
        s.putSession(session(b(2), BOB, 'bob-1', pk(2)))
        for (let n = 0; n < 5; n++) {
          s.putSkippedKey({ sessionId: b(1), ratchetPublic: pk(7), n, key: b(n), storedAt: 10 + n })
        }
        s.putSkippedKey({ sessionId: b(2), ratchetPublic: pk(8), n: 0, key: b(99), storedAt: 1 })
        assert.equal(s.countSkippedKeys(b(1)), 5)
        assert.deepEqual(s.takeSkippedKey(pk(7), 2), {
          sessionId: b(1),
          ratchetPublic: pk(7),
          n: 2,
          key: b(2),
          storedAt: 12,
        })
        assert.equal(s.takeSkippedKey(pk(7), 2), undefined, 'a used key is gone')
        assert.equal(s.countSkippedKeys(b(1)), 4)
        // re-storing (pk7, 0) makes it the newest
        s.putSkippedKey({ sessionId: b(1), ratchetPublic: pk(7), n: 0, key: b(50), storedAt: 20 })
        assert.equal(s.countSkippedKeys(b(1)), 4)
        assert.equal(s.pruneSkippedKeys(b(1), 2), 2)
        assert.equal(s.countSkippedKeys(b(1)), 2)
        assert.equal(s.takeSkippedKey(pk(7), 1), undefined)
        assert.equal(s.takeSkippedKey(pk(7), 3), undefined)
        assert.deepEqual(s.takeSkippedKey(pk(7), 0)?.key, b(50))
        assert.deepEqual(s.takeSkippedKey(pk(7), 4)?.key, b(4))
        assert.equal(s.countSkippedKeys(b(2)), 1, 'other sessions untouched')
        assert.equal(s.pruneSkippedKeys(b(2), 5), 0)
        assert.equal(s.deleteSkippedKeysBefore(1), 0)
        assert.equal(s.deleteSkippedKeysBefore(2), 1)
        assert.equal(s.countSkippedKeys(b(2)), 0)
      })
    })

    describe('session expiry and partitioned-device answers (issue 5)', () => {
      it('setSessionExpiry, listExpiredSessions, countSessionsByBundle', (s) => {
        s.putInstallation(installation(BOB, 'bob-1'))
        s.putInstallation(installation(CAROL, 'carol-1'))
        s.putSession(session(b(1), BOB, 'bob-1', pk(1), { expiresAt: 500 }))
        s.putSession(session(b(2), BOB, 'bob-1', pk(2), { expiresAt: 300 }))
        s.putSession(session(b(3), CAROL, 'carol-1', pk(1), { expiresAt: 300 }))
        assert.equal(s.setSessionExpiry(b(9), 1), false)
        assert.deepEqual(s.listExpiredSessions(299), [])
        assert.deepEqual(
          s.listExpiredSessions(300).map((x) => x.id[0]),
          [2, 3],
        )
        assert.equal(s.setSessionExpiry(b(1), 100), true)
        assert.equal(s.getSession(b(1))?.expiresAt, 100)
        assert.deepEqual(s.getSession(b(1))?.state, b(1, 2, 3), 'only the expiry changes')
        assert.deepEqual(
          s.listExpiredSessions(300).map((x) => x.id[0]),
          [1, 2, 3],
        )
        assert.equal(s.countSessionsByBundle(pk(1)), 2)
        assert.equal(s.countSessionsByBundle(pk(2)), 1)
        assert.equal(s.countSessionsByBundle(pk(5)), 0)
        assert.equal(s.countSessions(), 3)
        // pk(1): session 1 expires at 100 already, session 3 at 300 -> only 3 moves to 200
        assert.equal(s.expireSessionsByBundle(pk(1), 200), 1)
        assert.equal(s.getSession(b(1))?.expiresAt, 100)
        assert.equal(s.getSession(b(3))?.expiresAt, 200)
        assert.equal(s.getSession(b(2))?.expiresAt, 300)
        assert.equal(s.expireSessionsByBundle(pk(1), 200), 0)
      })

      it('bundle reply times are per identity, replaced, and roll back', (s) => {
        assert.equal(s.getBundleReplyTime(BOB), undefined)
        s.setBundleReplyTime(BOB, 1_000)
        s.setBundleReplyTime(CAROL, 5)
        s.setBundleReplyTime(BOB, 2_000)
        assert.equal(s.getBundleReplyTime(BOB), 2_000)
        assert.equal(s.getBundleReplyTime(CAROL), 5)
        assert.throws(() =>
          s.transaction(() => {
            s.setBundleReplyTime(BOB, 9_000)
            throw new Error('boom')
          }),
        )
        assert.equal(s.getBundleReplyTime(BOB), 2_000)
        expectCode(() => s.setBundleReplyTime(BOB, Number.NaN), 'INVALID_ARGUMENT')
      })
    })

    describe('shared secrets', () => {
      it('keeps the first secret, records agreeing installations', (s) => {
        expectCode(() => s.addSharedSecretInstallation(BOB, 'bob-1'), 'INVALID_STATE')
        s.putSharedSecret(BOB, new Uint8Array(32).fill(1))
        s.putSharedSecret(BOB, new Uint8Array(32).fill(2))
        s.addSharedSecretInstallation(BOB, 'bob-2')
        s.addSharedSecretInstallation(BOB, 'alice-1')
        s.addSharedSecretInstallation(BOB, 'bob-2')
        assert.deepEqual(s.getSharedSecret(BOB), {
          identity: BOB,
          secret: new Uint8Array(32).fill(1),
          installations: ['alice-1', 'bob-2'],
        })
        assert.equal(s.getSharedSecret(CAROL), undefined)
        s.putSharedSecret(ALICE, new Uint8Array(32).fill(3))
        assert.deepEqual(
          s.listSharedSecrets().map((x) => [x.identity[1], x.installations.length]),
          [
            [0xa1, 0],
            [0xb0, 2],
          ],
        )
      })
    })

    describe('contacts and contact requests', () => {
      it('contacts: upsert, order, delete', (s) => {
        s.putContact({ identity: BOB, name: 'Bob', addedAt: 2, blocked: false })
        s.putContact({ identity: CAROL, addedAt: 1, blocked: true })
        assert.deepEqual(
          s.listContacts().map((c) => c.identity[1]),
          [0xc0, 0xb0],
        )
        s.putContact({ identity: BOB, addedAt: 2, blocked: true })
        assert.deepEqual(s.getContact(BOB), { identity: BOB, addedAt: 2, blocked: true })
        assert.equal(s.deleteContact(BOB), true)
        assert.equal(s.deleteContact(BOB), false)
        assert.equal(s.getContact(BOB), undefined)
      })

      it('requests: pending → accepted | declined, nothing else', (s) => {
        const req = {
          id: 'r1',
          identity: BOB,
          direction: 'incoming' as const,
          state: 'pending' as const,
          text: 'hello, it is Bob',
          createdAt: 5,
          updatedAt: 5,
        }
        s.addContactRequest(req)
        s.addContactRequest({ ...req, id: 'r0', identity: CAROL, createdAt: 6, updatedAt: 6 })
        expectCode(() => s.addContactRequest(req), 'INVALID_STATE')
        expectCode(
          () => s.addContactRequest({ ...req, id: 'r2', state: 'accepted' }),
          'INVALID_STATE',
        )
        assert.deepEqual(s.getContactRequest('r1'), req)
        assert.deepEqual(
          s.listContactRequests().map((r) => r.id),
          ['r1', 'r0'],
        )
        assert.deepEqual(s.setContactRequestState('r1', 'accepted', 9), {
          ...req,
          state: 'accepted',
          updatedAt: 9,
        })
        expectCode(() => s.setContactRequestState('r1', 'declined', 10), 'INVALID_STATE')
        expectCode(() => s.setContactRequestState('nope', 'declined', 10), 'INVALID_STATE')
        expectCode(
          () => s.setContactRequestState('r0', 'pending' as 'accepted', 10),
          'INVALID_ARGUMENT',
        )
        assert.deepEqual(
          s.listContactRequests({ state: 'pending' }).map((r) => r.id),
          ['r0'],
        )
        assert.deepEqual(
          s.listContactRequests({ identity: BOB }).map((r) => r.state),
          ['accepted'],
        )
        const { text: _, ...noText } = { ...req, id: 'r3' }
        s.addContactRequest(noText)
        assert.deepEqual(s.getContactRequest('r3'), noText)
      })
    })

    describe('messages and deliveries', () => {
      it('messages: once per id, ordered pages, counts, payloads', (s) => {
        assert.equal(s.addMessage(message('a', { sentAt: 3 })), true)
        assert.equal(s.addMessage(message('a', { text: 'changed' })), false)
        assert.equal(s.getMessage('a')?.text, 'text of a')
        s.addMessage(message('c', { sentAt: 1, payload: b(1, 2), direction: 'incoming' }))
        s.addMessage(message('b', { sentAt: 3, pfs: false, text: 'ünïcødé 🙂' }))
        s.addMessage(message('d', { sentAt: 2, chatId: 'chat-carol' }))
        assert.deepEqual(
          s.listMessages('chat-bob').map((m) => m.id),
          ['c', 'a', 'b'],
        )
        assert.deepEqual(
          s.listMessages('chat-bob', { limit: 2 }).map((m) => m.id),
          ['a', 'b'],
        )
        assert.deepEqual(
          s.listMessages('chat-bob', { before: 3 }).map((m) => m.id),
          ['c'],
        )
        assert.deepEqual(s.listMessages('chat-bob', { limit: 0 }), [])
        assert.deepEqual(
          s.getMessage('c'),
          message('c', { sentAt: 1, payload: b(1, 2), direction: 'incoming' }),
        )
        assert.equal(s.getMessage('b')?.text, 'ünïcødé 🙂')
        assert.equal(s.countMessages(), 4)
        assert.equal(s.countMessages('chat-carol'), 1)
        assert.equal(s.countMessages('nope'), 0)
        assert.equal(s.getMessage('nope'), undefined)
      })

      it('delivery states per device, removed with their message', (s) => {
        const d = {
          messageId: 'm',
          identity: BOB,
          installationId: 'bob-1',
          state: 'pending' as const,
          updatedAt: 1,
        }
        expectCode(() => s.setDeliveryState(d), 'INVALID_STATE')
        s.addMessage(message('m'))
        s.setDeliveryState(d)
        s.setDeliveryState({ ...d, installationId: 'bob-0', state: 'sent' })
        s.setDeliveryState({ ...d, state: 'delivered', updatedAt: 2 })
        assert.deepEqual(s.listDeliveries('m'), [
          { ...d, installationId: 'bob-0', state: 'sent' },
          { ...d, state: 'delivered', updatedAt: 2 },
        ])
        expectCode(() => s.setDeliveryState({ ...d, state: 'lost' as 'sent' }), 'INVALID_ARGUMENT')
        assert.equal(s.deleteMessage('m'), true)
        assert.equal(s.deleteMessage('m'), false)
        assert.deepEqual(s.listDeliveries('m'), [])
      })
    })

    describe('seen envelopes and sync cursors', () => {
      it('seen hashes: first sighting true, duplicates false, pruned after expiry', (s) => {
        assert.equal(s.markEnvelopeSeen(b(1), 10), true)
        assert.equal(s.markEnvelopeSeen(b(1), 99), false)
        assert.equal(s.markEnvelopeSeen(b(2), 20), true)
        assert.equal(s.hasSeenEnvelope(b(1)), true)
        assert.equal(s.hasSeenEnvelope(b(3)), false)
        assert.equal(s.pruneSeenEnvelopes(10), 0)
        assert.equal(s.pruneSeenEnvelopes(11), 1)
        assert.equal(s.hasSeenEnvelope(b(1)), false)
        assert.equal(s.hasSeenEnvelope(b(2)), true)
      })

      it('sync cursors are keyed by store node and topic set', (s) => {
        const t1 = b(1, 1, 1, 1)
        const t2 = b(2, 2, 2, 2)
        s.putSyncCursor({ storeNode: 'n1', topics: [t2, t1, t2], cursor: b(9), syncedTo: 5 })
        s.putSyncCursor({ storeNode: 'n1', topics: [t1], syncedTo: 6 })
        s.putSyncCursor({ storeNode: 'n0', topics: [], syncedTo: 7 })
        assert.deepEqual(s.getSyncCursor('n1', [t1, t2]), {
          storeNode: 'n1',
          topics: [t1, t2],
          cursor: b(9),
          syncedTo: 5,
        })
        s.putSyncCursor({ storeNode: 'n1', topics: [t1, t2], syncedTo: 8 })
        assert.deepEqual(s.getSyncCursor('n1', [t2, t1]), {
          storeNode: 'n1',
          topics: [t1, t2],
          syncedTo: 8,
        })
        assert.deepEqual(
          s.listSyncCursors().map((c) => [c.storeNode, c.topics.length]),
          [
            ['n0', 0],
            ['n1', 1],
            ['n1', 2],
          ],
        )
        assert.equal(s.listSyncCursors('n1').length, 2)
        assert.equal(s.deleteSyncCursor('n1', [t1]), true)
        assert.equal(s.deleteSyncCursor('n1', [t1]), false)
        assert.equal(s.getSyncCursor('n1', [t1]), undefined)
      })
    })

    describe('records are copies', () => {
      it('mutating inputs or outputs never changes what is stored', (s) => {
        populate(s)
        const before = dump(s)
        const key = new Uint8Array(32).fill(3)
        const rec = session(b(5), BOB, 'bob-1', pk(30), { sk: key })
        s.putSession(rec)
        key.fill(0)
        assert.deepEqual(s.getSession(b(5))?.sk, new Uint8Array(32).fill(3))
        s.getSession(b(5))!.state.fill(0xff)
        s.getAccount()!.identityPrivateKey.fill(0)
        s.listInstallations(BOB)[0]!.identity.fill(0)
        s.deleteSession(b(5))
        assert.deepEqual(dump(s), before)
        const got = s.getSession(b(1))!
        assert.ok(!(got.sk instanceof Buffer), 'plain Uint8Array, not a Buffer')
      })
    })

    describe('errors', () => {
      it('malformed arguments are INVALID_ARGUMENT and change nothing', (s) => {
        populate(s)
        const before = dump(s)
        const bad = [
          () => s.getSession('x' as unknown as Uint8Array),
          () => s.putInstallation({ ...installation(BOB, 'x'), lastSeen: 5 as unknown as bigint }),
          () => s.putSession({ ...session(b(9), BOB, 'bob-1', pk(40)), sk: null as never }),
          () => s.listActiveInstallations(BOB, -1),
          () => s.takeSkippedKey(pk(4), 1.5),
          () => s.addMessage({ ...message('z'), direction: 'sideways' as 'incoming' }),
          () =>
            s.putBundle({ ...bundle(BOB, 'bob-1', 9, pk(41)), expired: 1 as unknown as boolean }),
          () => s.putSyncCursor({ storeNode: 'n', topics: 'ab' as never, syncedTo: 1 }),
          () => s.markEnvelopeSeen(b(1), Number.NaN),
          () => s.putAccount(null as never),
        ]
        for (const fn of bad) expectCode(fn, 'INVALID_ARGUMENT')
        assert.deepEqual(dump(s), before)
      })

      it('a closed store refuses every call', (s) => {
        populate(s)
        s.close()
        s.close()
        expectCode(() => s.getAccount(), 'INVALID_STATE')
        expectCode(() => s.addMessage(message('x')), 'INVALID_STATE')
        expectCode(() => s.transaction(() => 1), 'INVALID_STATE')
      })
    })

    describe('transactions', () => {
      it('commits all writes together and returns the result', (s) => {
        populate(s)
        assert.equal(s.inTransaction, false)
        const r = s.transaction(() => {
          assert.equal(s.inTransaction, true)
          s.addMessage(message('t1'))
          s.updateSessionState(b(1), b(8))
          return 42
        })
        assert.equal(r, 42)
        assert.equal(s.inTransaction, false)
        assert.ok(s.getMessage('t1'))
        assert.deepEqual(s.getSession(b(1))?.state, b(8))
      })

      it('an exception inside leaves every table as before and is rethrown unchanged', (s) => {
        populate(s)
        const before = dump(s)
        const boom = new Error('boom')
        assert.throws(
          () =>
            s.transaction(() => {
              scribble(s)
              assert.notDeepEqual(dump(s), before)
              throw boom
            }),
          (e) => e === boom,
        )
        assert.equal(s.inTransaction, false)
        assert.deepEqual(dump(s), before)
        // and the store still works
        s.transaction(() => s.addMessage(message('after')))
        assert.ok(s.getMessage('after'))
      })

      it('a failing store call inside rolls back the earlier writes of the transaction', (s) => {
        populate(s)
        const before = dump(s)
        expectCode(
          () =>
            s.transaction(() => {
              s.addMessage(message('t2'))
              s.putSession(session(b(3), CAROL, 'unknown', pk(50))) // no such installation
            }),
          'INVALID_STATE',
        )
        assert.deepEqual(dump(s), before)
      })

      it('nested transactions are savepoints', (s) => {
        populate(s)
        s.transaction(() => {
          s.addMessage(message('outer-1'))
          assert.throws(() =>
            s.transaction(() => {
              s.addMessage(message('inner'))
              s.takeSkippedKey(pk(4), 0)
              throw new Error('inner fails')
            }),
          )
          assert.equal(s.inTransaction, true)
          assert.equal(s.getMessage('inner'), undefined)
          assert.equal(s.countSkippedKeys(b(1)), 1)
          s.transaction(() => s.addMessage(message('inner-ok')))
          s.addMessage(message('outer-2'))
        })
        for (const id of ['outer-1', 'inner-ok', 'outer-2']) assert.ok(s.getMessage(id), id)
        assert.equal(s.getMessage('inner'), undefined)
        // an outer failure undoes released savepoints too
        const before = dump(s)
        assert.throws(() =>
          s.transaction(() => {
            s.transaction(() => s.addMessage(message('gone')))
            throw new Error('outer fails')
          }),
        )
        assert.deepEqual(dump(s), before)
      })

      it('async bodies are refused and their synchronous writes undone', (s) => {
        populate(s)
        const before = dump(s)
        expectCode(
          () =>
            // eslint-disable-next-line @typescript-eslint/require-await -- the point of the test
            s.transaction(async () => {
              s.addMessage(message('async'))
            }),
          'INVALID_ARGUMENT',
        )
        expectCode(
          () =>
            s.transaction(() => {
              s.addMessage(message('thenable'))
              return Promise.resolve(1)
            }),
          'INVALID_ARGUMENT',
        )
        assert.equal(s.inTransaction, false)
        assert.deepEqual(dump(s), before)
      })
    })
  })
}
