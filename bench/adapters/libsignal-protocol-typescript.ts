/**
 * `@privacyresearch/libsignal-protocol-typescript` (TypeScript port of libsignal-protocol-javascript,
 * WebCrypto + curve25519 in wasm): X3DH with a signed prekey, the Double Ratchet, messages as the
 * binary strings the library returns. An in-memory store of serialized session records, as the
 * library expects. No one-time prekey.
 */
import {
  KeyHelper,
  SessionBuilder,
  SessionCipher,
  SignalProtocolAddress,
} from '@privacyresearch/libsignal-protocol-typescript'
import type {
  KeyPairType,
  MessageType,
  SessionRecordType,
  SignedPreKeyPairType,
  StorageType,
} from '@privacyresearch/libsignal-protocol-typescript'
import type { Adapter, SessionPair } from './types.ts'

class Store implements StorageType {
  readonly sessions = new Map<string, SessionRecordType>()
  readonly identity: KeyPairType
  readonly registrationId: number
  readonly signed: SignedPreKeyPairType | undefined
  constructor(identity: KeyPairType, registrationId: number, signed?: SignedPreKeyPairType) {
    this.identity = identity
    this.registrationId = registrationId
    this.signed = signed
  }
  getIdentityKeyPair = (): Promise<KeyPairType> => Promise.resolve(this.identity)
  getLocalRegistrationId = (): Promise<number> => Promise.resolve(this.registrationId)
  isTrustedIdentity = (): Promise<boolean> => Promise.resolve(true)
  saveIdentity = (): Promise<boolean> => Promise.resolve(false)
  loadPreKey = (): Promise<KeyPairType | undefined> => Promise.resolve(undefined)
  storePreKey = (): Promise<void> => Promise.resolve()
  removePreKey = (): Promise<void> => Promise.resolve()
  storeSession = (address: string, record: SessionRecordType): Promise<void> => {
    this.sessions.set(address, record)
    return Promise.resolve()
  }
  loadSession = (address: string): Promise<SessionRecordType | undefined> =>
    Promise.resolve(this.sessions.get(address))
  loadSignedPreKey = (): Promise<KeyPairType | undefined> => Promise.resolve(this.signed?.keyPair)
  storeSignedPreKey = (): Promise<void> => Promise.resolve()
  removeSignedPreKey = (): Promise<void> => Promise.resolve()
}

const ALICE = new SignalProtocolAddress('alice', 1)
const BOB = new SignalProtocolAddress('bob', 1)

function arrayBuffer(u: Uint8Array): ArrayBuffer {
  return u.buffer.slice(u.byteOffset, u.byteOffset + u.length) as ArrayBuffer
}

export async function libsignalProtocolTypescript(): Promise<Adapter> {
  const aliceId = await KeyHelper.generateIdentityKeyPair()
  const bobId = await KeyHelper.generateIdentityKeyPair()
  const spk = await KeyHelper.generateSignedPreKey(bobId, 1)
  const device = {
    identityKey: bobId.pubKey,
    registrationId: 2,
    signedPreKey: { keyId: 1, publicKey: spk.keyPair.pubKey, signature: spk.signature },
  }

  async function handshake(
    plaintext: Uint8Array,
  ): Promise<[SessionCipher, SessionCipher, Store, Store]> {
    const a = new Store(aliceId, 1)
    const b = new Store(bobId, 2, spk)
    await new SessionBuilder(a, BOB).processPreKey(device)
    const ca = new SessionCipher(a, BOB)
    const cb = new SessionCipher(b, ALICE)
    const first = await ca.encrypt(arrayBuffer(plaintext))
    await cb.decryptPreKeyWhisperMessage(first.body!, 'binary')
    return [ca, cb, a, b]
  }

  return {
    name: 'libsignal-protocol-typescript 0.0.16',
    ours: false,
    async establish(plaintext) {
      await handshake(plaintext)
    },
    async newSession(): Promise<SessionPair> {
      const [ca, cb, a, b] = await handshake(new Uint8Array(1))
      const ciphers = [ca, cb] as const
      const stores = [a, b] as const
      const peers = [BOB, ALICE] as const
      const pair: SessionPair = {
        async encrypt(from, plaintext) {
          return ciphers[from].encrypt(arrayBuffer(plaintext))
        },
        async decrypt(to, message) {
          const m = message as MessageType
          const out =
            m.type === 3
              ? await ciphers[to].decryptPreKeyWhisperMessage(m.body!, 'binary')
              : await ciphers[to].decryptWhisperMessage(m.body!, 'binary')
          return new Uint8Array(out)
        },
        serializedBytes: (side) =>
          Buffer.byteLength(stores[side].sessions.get(peers[side].toString())!, 'utf8'),
      }
      await pair.decrypt(0, await pair.encrypt(1, new Uint8Array(1)))
      return pair
    },
  }
}
