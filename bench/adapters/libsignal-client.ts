/**
 * `@signalapp/libsignal-client` (Signal's Rust implementation behind N-API): X3DH with XEdDSA
 * signed prekeys over Curve25519, the Double Ratchet, messages as `SignalMessage` /
 * `PreKeySignalMessage` bytes. In-memory stores holding the library's record objects. No one-time
 * prekey and no Kyber prekey, so the handshake is the same shape as status-pfs's (IK + SPK + EK).
 */
import * as S from '@signalapp/libsignal-client'
import type { Adapter, SessionPair } from './types.ts'

class Sessions extends S.SessionStore {
  readonly map = new Map<string, S.SessionRecord>()
  saveSession(name: S.ProtocolAddress, record: S.SessionRecord): Promise<void> {
    this.map.set(name.toString(), record)
    return Promise.resolve()
  }
  getSession(name: S.ProtocolAddress): Promise<S.SessionRecord | null> {
    return Promise.resolve(this.map.get(name.toString()) ?? null)
  }
  getExistingSessions(addresses: S.ProtocolAddress[]): Promise<S.SessionRecord[]> {
    return Promise.resolve(addresses.map((a) => this.map.get(a.toString())!))
  }
}

class Identities extends S.IdentityKeyStore {
  readonly #known = new Map<string, S.PublicKey>()
  readonly key: S.IdentityKeyPair
  readonly registrationId: number
  constructor(key: S.IdentityKeyPair, registrationId: number) {
    super()
    this.key = key
    this.registrationId = registrationId
  }
  getIdentityKey(): Promise<S.PrivateKey> {
    return Promise.resolve(this.key.privateKey)
  }
  getLocalRegistrationId(): Promise<number> {
    return Promise.resolve(this.registrationId)
  }
  saveIdentity(name: S.ProtocolAddress, key: S.PublicKey): Promise<boolean> {
    const had = this.#known.get(name.toString())
    this.#known.set(name.toString(), key)
    return Promise.resolve(had !== undefined && had.compare(key) !== 0)
  }
  isTrustedIdentity(): Promise<boolean> {
    return Promise.resolve(true)
  }
  getIdentity(name: S.ProtocolAddress): Promise<S.PublicKey | null> {
    return Promise.resolve(this.#known.get(name.toString()) ?? null)
  }
}

class PreKeys extends S.PreKeyStore {
  savePreKey(): Promise<void> {
    return Promise.resolve()
  }
  getPreKey(): Promise<S.PreKeyRecord> {
    return Promise.reject(new Error('no one-time prekeys'))
  }
  removePreKey(): Promise<void> {
    return Promise.resolve()
  }
}

class SignedPreKeys extends S.SignedPreKeyStore {
  readonly record: S.SignedPreKeyRecord
  constructor(record: S.SignedPreKeyRecord) {
    super()
    this.record = record
  }
  saveSignedPreKey(): Promise<void> {
    return Promise.resolve()
  }
  getSignedPreKey(): Promise<S.SignedPreKeyRecord> {
    return Promise.resolve(this.record)
  }
}

class KyberPreKeys extends S.KyberPreKeyStore {
  saveKyberPreKey(): Promise<void> {
    return Promise.resolve()
  }
  getKyberPreKey(): Promise<S.KyberPreKeyRecord> {
    return Promise.reject(new Error('no Kyber prekeys'))
  }
  markKyberPreKeyUsed(): Promise<void> {
    return Promise.resolve()
  }
}

const ALICE = S.ProtocolAddress.new('alice', 1)
const BOB = S.ProtocolAddress.new('bob', 1)

interface Party {
  readonly sessions: Sessions
  readonly identities: Identities
}

export function libsignalClient(): Adapter {
  const aliceId = S.IdentityKeyPair.generate()
  const bobId = S.IdentityKeyPair.generate()
  const spk = S.PrivateKey.generate()
  const spkSignature = bobId.privateKey.sign(spk.getPublicKey().serialize())
  const spkRecord = S.SignedPreKeyRecord.new(1, Date.now(), spk.getPublicKey(), spk, spkSignature)
  const bundle = S.PreKeyBundle.new(
    2,
    1,
    null,
    null,
    1,
    spk.getPublicKey(),
    spkSignature,
    bobId.publicKey,
  )
  const preKeys = new PreKeys()
  const signedPreKeys = new SignedPreKeys(spkRecord)
  const kyber = new KyberPreKeys()

  async function handshake(plaintext: Uint8Array): Promise<[Party, Party]> {
    const a: Party = { sessions: new Sessions(), identities: new Identities(aliceId, 1) }
    const b: Party = { sessions: new Sessions(), identities: new Identities(bobId, 2) }
    await S.processPreKeyBundle(bundle, BOB, a.sessions, a.identities)
    const first = await S.signalEncrypt(Buffer.from(plaintext), BOB, a.sessions, a.identities)
    const wire = first.serialize()
    await S.signalDecryptPreKey(
      S.PreKeySignalMessage.deserialize(wire),
      ALICE,
      b.sessions,
      b.identities,
      preKeys,
      signedPreKeys,
      kyber,
    )
    return [a, b]
  }

  const peer = [BOB, ALICE] as const

  return {
    name: 'libsignal-client 0.65 (Rust)',
    ours: false,
    async establish(plaintext) {
      await handshake(plaintext)
    },
    async newSession(): Promise<SessionPair> {
      const p = await handshake(new Uint8Array(1))
      const pair: SessionPair = {
        async encrypt(from, plaintext) {
          const m = await S.signalEncrypt(
            Buffer.from(plaintext.buffer, plaintext.byteOffset, plaintext.length),
            peer[from],
            p[from].sessions,
            p[from].identities,
          )
          return { type: m.type(), bytes: m.serialize() }
        },
        async decrypt(to, message) {
          const m = message as { type: S.CiphertextMessageType; bytes: Buffer }
          if (m.type === S.CiphertextMessageType.PreKey) {
            return S.signalDecryptPreKey(
              S.PreKeySignalMessage.deserialize(m.bytes),
              peer[to],
              p[to].sessions,
              p[to].identities,
              preKeys,
              signedPreKeys,
              kyber,
            )
          }
          return S.signalDecrypt(
            S.SignalMessage.deserialize(m.bytes),
            peer[to],
            p[to].sessions,
            p[to].identities,
          )
        },
        serializedBytes: (side) =>
          p[side].sessions.map.get(peer[side].toString())!.serialize().length,
      }
      await pair.decrypt(0, await pair.encrypt(1, new Uint8Array(1)))
      return pair
    },
  }
}
