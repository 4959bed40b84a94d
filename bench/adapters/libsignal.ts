/**
 * `libsignal` 6.0 (the Node port of libsignal-protocol-javascript used by Baileys: node:crypto for
 * AES/HMAC/HKDF, curve25519 in JS/wasm): X3DH with a signed prekey, the Double Ratchet, messages
 * as the Buffers the library returns. In-memory store of `SessionRecord` objects; the serialized
 * size is the record's JSON, the form the library persists. No one-time prekey.
 */
import { createRequire } from 'node:module'
import type { SessionRecord as Record, SignalStorage } from 'libsignal'

interface KeyPair {
  pubKey: Buffer
  privKey: Buffer
}
interface Lib {
  keyhelper: {
    generateIdentityKeyPair(): KeyPair
    generateSignedPreKey(
      id: KeyPair,
      keyId: number,
    ): { keyId: number; keyPair: KeyPair; signature: Buffer }
  }
  ProtocolAddress: new (name: string, deviceId: number) => { toString(): string }
  SessionBuilder: new (
    storage: SignalStorage,
    address: unknown,
  ) => {
    initOutgoing(device: unknown): Promise<void>
  }
  SessionCipher: new (
    storage: SignalStorage,
    address: unknown,
  ) => {
    encrypt(data: Buffer): Promise<{ type: number; body: Buffer }>
    decryptPreKeyWhisperMessage(data: Buffer): Promise<Buffer>
    decryptWhisperMessage(data: Buffer): Promise<Buffer>
  }
}

// CommonJS package: loaded through require so its own module layout is used as published.
const lib = createRequire(import.meta.url)('libsignal') as Lib
import type { Adapter, SessionPair } from './types.ts'

class Store implements SignalStorage {
  readonly sessions = new Map<string, Record>()
  readonly identity: KeyPair
  readonly registrationId: number
  readonly signed: KeyPair | undefined
  constructor(identity: KeyPair, registrationId: number, signed?: KeyPair) {
    this.identity = identity
    this.registrationId = registrationId
    this.signed = signed
  }
  loadSession(id: string): Promise<Record | undefined> {
    return Promise.resolve(this.sessions.get(id))
  }
  storeSession(id: string, session: Record): Promise<void> {
    this.sessions.set(id, session)
    return Promise.resolve()
  }
  isTrustedIdentity(): boolean {
    return true
  }
  loadPreKey(): Promise<undefined> {
    return Promise.resolve(undefined)
  }
  removePreKey(): void {}
  loadSignedPreKey(): KeyPair {
    return this.signed!
  }
  getOurRegistrationId(): number {
    return this.registrationId
  }
  getOurIdentity(): KeyPair {
    return this.identity
  }
}

const ALICE = new lib.ProtocolAddress('alice', 1)
const BOB = new lib.ProtocolAddress('bob', 1)

export function libsignal(): Adapter {
  const aliceId = lib.keyhelper.generateIdentityKeyPair()
  const bobId = lib.keyhelper.generateIdentityKeyPair()
  const spk = lib.keyhelper.generateSignedPreKey(bobId, 1)
  const device = {
    identityKey: bobId.pubKey,
    registrationId: 2,
    signedPreKey: { keyId: 1, publicKey: spk.keyPair.pubKey, signature: spk.signature },
  }

  async function handshake(plaintext: Uint8Array) {
    const a = new Store(aliceId, 1)
    const b = new Store(bobId, 2, spk.keyPair)
    await new lib.SessionBuilder(a, BOB).initOutgoing(device)
    const ca = new lib.SessionCipher(a, BOB)
    const cb = new lib.SessionCipher(b, ALICE)
    const first = await ca.encrypt(Buffer.from(plaintext))
    await cb.decryptPreKeyWhisperMessage(first.body)
    return { ciphers: [ca, cb] as const, stores: [a, b] as const }
  }

  const peers = [BOB, ALICE] as const
  return {
    name: 'libsignal 6.0 (JS port)',
    ours: false,
    async establish(plaintext) {
      await handshake(plaintext)
    },
    async newSession(): Promise<SessionPair> {
      const { ciphers, stores } = await handshake(new Uint8Array(1))
      const pair: SessionPair = {
        async encrypt(from, plaintext) {
          return ciphers[from].encrypt(
            Buffer.from(plaintext.buffer, plaintext.byteOffset, plaintext.length),
          )
        },
        async decrypt(to, message) {
          const m = message as { type: number; body: Buffer }
          return m.type === 3
            ? ciphers[to].decryptPreKeyWhisperMessage(m.body)
            : ciphers[to].decryptWhisperMessage(m.body)
        },
        serializedBytes: (side) =>
          Buffer.byteLength(
            JSON.stringify(stores[side].sessions.get(peers[side].toString())!.serialize()),
          ),
      }
      await pair.decrypt(0, await pair.encrypt(1, new Uint8Array(1)))
      return pair
    },
  }
}
