/**
 * One-time prekeys end to end through `Protocol` (our extension: src/protocol/one-time-prekeys.ts,
 * x3dh/x3dh.ts DH4, wire field X3DHHeader.one_time_pre_key = 1001) on MemoryStore and
 * SqliteStore: both sides agree on the 4-DH secret, the receiver's private half is deleted on use,
 * the header repeats the OPK until the reply, a replay or an unknown OPK fails typed with the store
 * unchanged, and a session without OPK keeps the reference's bytes.
 *
 * @module
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { bytesEqual, utf8 } from '../../src/crypto/index.ts'
import type { CompressedPublicKey, KeyPair } from '../../src/crypto/index.ts'
import { isPfsError } from '../../src/errors.ts'
import type { ErrorCode } from '../../src/errors.ts'
import type { KeyPurpose } from '../../src/protocol/index.ts'
import type { Store } from '../../src/store/index.ts'
import {
  EncryptedMessageProtocolSchema,
  ProtocolMessageSchema,
  X3DHHeaderSchema,
  clone,
  create,
  decodeProtocolMessage,
  encodeEncryptedMessage,
  encodeProtocolMessage,
  toBinary,
} from '../../src/wire/index.ts'
import { x3dhActive } from '../../src/x3dh/index.ts'
import { STORES, crypto, device, dump, identityKey } from './helpers.ts'
import type { Device } from './helpers.ts'

const text = (s: string): Uint8Array => utf8(s)

function throwsCode(fn: () => unknown, code: ErrorCode): void {
  assert.throws(fn, (e: unknown) => isPfsError(e, code), `expected ${code}`)
}

/** Creates `n` one-time prekeys in `store` (as the directory's `createOneTimePreKeys` does). */
function oneTimePreKeys(store: Store, n: number): Uint8Array[] {
  const out: Uint8Array[] = []
  store.transaction(() => {
    for (let i = 0; i < n; i++) {
      const pair = crypto.generateKeyPair()
      pair.privateKey.use((raw) => {
        store.putOneTimePreKey({ publicKey: pair.publicKey, privateKey: raw.slice(), createdAt: 0 })
      })
      pair.privateKey.destroy()
      out.push(pair.publicKey)
    }
  })
  return out
}

/** Deterministic key pairs, by purpose and count, so that two runs produce the same bytes. */
function scriptedKeys(seed: string): (purpose: KeyPurpose) => KeyPair {
  const counts = new Map<KeyPurpose, number>()
  return (purpose) => {
    const n = (counts.get(purpose) ?? 0) + 1
    counts.set(purpose, n)
    const privateKey = crypto.secp256k1PrivateKey(crypto.sha256(utf8(`${seed}:${purpose}:${n}`)))
    return {
      privateKey,
      publicKey: crypto.secp256k1PublicKey(privateKey, true) as CompressedPublicKey,
    }
  }
}

function pair(makeStore: () => Store, seed?: string): { alice: Device; bob: Device } {
  const options = (who: string) =>
    seed === undefined ? {} : { generateKeyPair: scriptedKeys(`${seed}:${who}`) }
  const alice = device(makeStore, 'alice', 'alice-1', undefined, options('alice'))
  const bob = device(makeStore, 'bob', 'bob-1', undefined, options('bob'))
  alice.protocol.processBundle(bob.protocol.ourBundle(), bob.publicKey)
  return { alice, bob }
}

/** Sends through the wire codec (so the field-1001 validation runs) and decrypts. */
function deliver(from: Device, to: Device, s: string) {
  const sent = from.protocol.encrypt(to.publicKey, text(s))
  assert.deepEqual(sent.failures, [])
  const wire = encodeProtocolMessage(sent.message)
  const got = to.protocol.decrypt(from.publicKey, decodeProtocolMessage(wire))
  assert.ok(got !== undefined)
  assert.deepEqual(got.payload, text(s))
  assert.equal(got.pfs, true)
  return { sent, wire }
}

for (const [storeName, makeStore] of STORES) {
  describe(`[${storeName}] one-time prekeys`, () => {
    test('both sides agree on the 4-DH secret; the OPK is taken once and repeated until the reply', () => {
      const { alice, bob } = pair(makeStore)
      const [opk, spare] = oneTimePreKeys(bob.store, 2) as [Uint8Array, Uint8Array]
      assert.equal(alice.protocol.useOneTimePreKey(bob.publicKey, 'bob-1', opk), true)
      // A second OPK for the same installation is not needed: the session exists.
      assert.equal(alice.protocol.useOneTimePreKey(bob.publicKey, 'bob-1', spare), false)
      const first = deliver(alice, bob, 'hello').sent.message.encryptedMessage['bob-1']!
      assert.ok(first.X3DHHeader !== undefined)
      assert.deepEqual(first.X3DHHeader.oneTimePreKey, opk)
      assert.equal(bob.store.countOneTimePreKeys(), 1, 'the used private half is deleted')
      assert.equal(bob.store.takeOneTimePreKey(opk), undefined)
      const [aSession] = alice.store.listSessionsFor(bob.publicKey, 'bob-1')
      const [bSession] = bob.store.listSessionsFor(alice.publicKey, 'alice-1')
      assert.ok(aSession !== undefined && bSession !== undefined)
      assert.deepEqual(aSession.sk, bSession.sk)
      // The header (with the OPK) repeats until Bob answers: Bob, no longer holding the OPK,
      // decrypts it in the session it set up.
      const second = deliver(alice, bob, 'again').sent.message.encryptedMessage['bob-1']!
      assert.deepEqual(second.X3DHHeader?.oneTimePreKey, opk)
      deliver(bob, alice, 'hi alice')
      const third = deliver(alice, bob, 'after reply').sent.message.encryptedMessage['bob-1']!
      assert.equal(third.X3DHHeader, undefined, 'confirmed: no header, the OPK forgotten')
      const [confirmed] = alice.store.listSessionsFor(bob.publicKey, 'bob-1')
      assert.equal(confirmed?.ephemeralKey, undefined)
      assert.equal(bob.store.countOneTimePreKeys(), 1)
    })

    test('out of order: the second message takes the OPK, the first still decrypts', () => {
      const { alice, bob } = pair(makeStore)
      const [opk] = oneTimePreKeys(bob.store, 1) as [Uint8Array]
      alice.protocol.useOneTimePreKey(bob.publicKey, 'bob-1', opk)
      const m1 = alice.protocol.encrypt(bob.publicKey, text('one')).message
      const m2 = alice.protocol.encrypt(bob.publicKey, text('two')).message
      assert.deepEqual(bob.protocol.decrypt(alice.publicKey, m2)?.payload, text('two'))
      assert.equal(bob.store.countOneTimePreKeys(), 0)
      assert.deepEqual(bob.protocol.decrypt(alice.publicKey, m1)?.payload, text('one'))
    })

    test('a replayed first message fails typed and changes nothing', () => {
      const { alice, bob } = pair(makeStore)
      const [opk] = oneTimePreKeys(bob.store, 2) as [Uint8Array]
      alice.protocol.useOneTimePreKey(bob.publicKey, 'bob-1', opk)
      const { wire } = deliver(alice, bob, 'hello')
      const before = dump(bob.store, [alice.publicKey])
      assert.throws(
        () => bob.protocol.decrypt(alice.publicKey, decodeProtocolMessage(wire)),
        (e: unknown) => isPfsError(e),
      )
      assert.equal(dump(bob.store, [alice.publicKey]), before)
      assert.equal(bob.store.countOneTimePreKeys(), 1)
    })

    test('a header naming an OPK we do not hold fails SESSION_NOT_FOUND with the store unchanged', () => {
      const { alice, bob } = pair(makeStore)
      oneTimePreKeys(bob.store, 1)
      const stranger = crypto.generateKeyPair()
      stranger.privateKey.destroy()
      alice.protocol.useOneTimePreKey(bob.publicKey, 'bob-1', stranger.publicKey)
      const sent = alice.protocol.encrypt(bob.publicKey, text('hello'))
      const before = dump(bob.store, [alice.publicKey])
      throwsCode(() => bob.protocol.decrypt(alice.publicKey, sent.message), 'SESSION_NOT_FOUND')
      assert.equal(dump(bob.store, [alice.publicKey]), before)
      assert.equal(bob.store.countOneTimePreKeys(), 1)
      // A bad decrypt after the OPK was taken puts it back (one transaction).
      const [opk] = oneTimePreKeys(bob.store, 1) as [Uint8Array]
      const carol = device(makeStore, 'carol', 'carol-1')
      carol.protocol.processBundle(bob.protocol.ourBundle(), bob.publicKey)
      carol.protocol.useOneTimePreKey(bob.publicKey, 'bob-1', opk)
      const m = clone(
        ProtocolMessageSchema,
        carol.protocol.encrypt(bob.publicKey, text('x')).message,
      )
      const entry = m.encryptedMessage['bob-1']!
      entry.payload = Uint8Array.from(entry.payload, (b, i) => (i === 0 ? b ^ 1 : b))
      throwsCode(() => bob.protocol.decrypt(carol.publicKey, m), 'MAC_MISMATCH')
      assert.equal(bob.store.countOneTimePreKeys(), 2)
    })

    test('the caller gets typed errors; nothing is stored then', () => {
      const { alice, bob } = pair(makeStore)
      const [opk] = oneTimePreKeys(bob.store, 1) as [Uint8Array]
      throwsCode(
        () => alice.protocol.useOneTimePreKey(bob.publicKey, 'bob-2', opk),
        'INVALID_STATE',
      )
      throwsCode(
        () => alice.protocol.useOneTimePreKey(bob.publicKey, 'bob-1', new Uint8Array(33)),
        'INVALID_KEY',
      )
      throwsCode(
        () => alice.protocol.useOneTimePreKey(alice.publicKey, 'alice-2', opk),
        'INVALID_ARGUMENT',
      )
      assert.equal(alice.protocol.sessionCount(), 0)
    })

    test('without an OPK the session and its bytes are the reference X3DH', () => {
      const run = (withOpk: boolean) => {
        const { alice, bob } = pair(makeStore, 'bytes')
        const bobOpk = scriptedKeys('bob-opk')('x3dh-ephemeral')
        if (withOpk) alice.protocol.useOneTimePreKey(bob.publicKey, 'bob-1', bobOpk.publicKey)
        const entry = alice.protocol.encrypt(bob.publicKey, text('hello')).message.encryptedMessage[
          'bob-1'
        ]!
        const [session] = alice.store.listSessionsFor(bob.publicKey, 'bob-1')
        assert.ok(session !== undefined && entry.X3DHHeader !== undefined)
        // The ephemeral key is the first one the scripted source handed Alice.
        const ephemeral = scriptedKeys('bytes:alice')('x3dh-ephemeral')
        assert.deepEqual(entry.X3DHHeader.key, ephemeral.publicKey)
        const expected = x3dhActive({
          identity: identityKey('alice'),
          ephemeral: ephemeral.privateKey,
          theirIdentity: bob.publicKey,
          theirSignedPreKey: entry.X3DHHeader.id,
          ...(withOpk ? { theirOneTimePreKey: bobOpk.publicKey } : {}),
        })
        assert.deepEqual(session.sk, expected)
        return { entry, sk: session.sk }
      }
      const plain = run(false)
      const again = run(false)
      const extended = run(true)
      // The reference's X3DHHeader: fields 1 and 4 only, no trace of field 1001.
      const header = plain.entry.X3DHHeader!
      assert.equal(header.oneTimePreKey.length, 0)
      assert.deepEqual(
        toBinary(X3DHHeaderSchema, header),
        toBinary(X3DHHeaderSchema, create(X3DHHeaderSchema, { key: header.key, id: header.id })),
      )
      assert.deepEqual(encodeEncryptedMessage(plain.entry), encodeEncryptedMessage(again.entry))
      assert.ok(!bytesEqual(plain.sk, extended.sk), 'DH4 changes SK')
      // Field 1001 costs tag (2 bytes) + length (1) + key (33).
      const plainLen = toBinary(X3DHHeaderSchema, header).length
      const extLen = toBinary(X3DHHeaderSchema, extended.entry.X3DHHeader!).length
      assert.equal(extLen - plainLen, 36)
    })

    test('the codec rejects a one-time prekey field of the wrong length', () => {
      const { alice, bob } = pair(makeStore)
      const [opk] = oneTimePreKeys(bob.store, 1) as [Uint8Array]
      alice.protocol.useOneTimePreKey(bob.publicKey, 'bob-1', opk)
      const m = clone(
        ProtocolMessageSchema,
        alice.protocol.encrypt(bob.publicKey, text('x')).message,
      )
      for (const length of [1, 32, 34, 65]) {
        const entry = clone(EncryptedMessageProtocolSchema, m.encryptedMessage['bob-1']!)
        entry.X3DHHeader!.oneTimePreKey = new Uint8Array(length).fill(2)
        const bad = clone(ProtocolMessageSchema, m)
        bad.encryptedMessage['bob-1'] = entry
        throwsCode(() => decodeProtocolMessage(encodeProtocolMessage(bad)), 'WIRE_MALFORMED')
      }
      assert.ok(decodeProtocolMessage(encodeProtocolMessage(m)) !== undefined)
    })
  })
}
