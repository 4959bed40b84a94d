/**
 * The persisted variants of (b) and (c): two devices, each a `Protocol` on its own `SqliteStore`
 * file (synchronous NORMAL, WAL), so every `encrypt` and every `decrypt` is one store transaction
 * that loads the session, runs the ratchet and commits the new state (and, on receive, the
 * skipped keys). Messages cross as encoded `ProtocolMessage` bytes, as a transport carries them.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CryptoProvider, SecretKey } from '../../src/crypto/index.ts'
import { Protocol } from '../../src/protocol/index.ts'
import {
  decrypt,
  deserialize,
  encrypt,
  initiator,
  responder,
  serialize,
} from '../../src/ratchet/index.ts'
import type { Header, RatchetState } from '../../src/ratchet/index.ts'
import { SqliteStore } from '../../src/store/index.ts'
import { decodeProtocolMessage, encodeProtocolMessage } from '../../src/wire/index.ts'

/** Two persisted devices; a message is whatever `send` returns, opaque to the caller. */
export interface PersistedPair {
  send(from: 0 | 1, payload: Uint8Array): unknown
  receive(to: 0 | 1, message: unknown): Uint8Array
  close(): void
}

export function persistedPair(crypto: CryptoProvider): PersistedPair {
  const dir = mkdtempSync(join(tmpdir(), 'pfs-compare-'))
  const ids: SecretKey[] = [
    crypto.generateKeyPair().privateKey,
    crypto.generateKeyPair().privateKey,
  ]
  const stores = [0, 1].map((i) => SqliteStore.open(join(dir, `device-${i}.db`), { crypto }))
  const devices = [0, 1].map(
    (i) =>
      new Protocol({ store: stores[i]!, identity: ids[i]!, installationId: `device-${i}`, crypto }),
  )
  const publics = devices.map((d) => d.identityPublicKey)
  // Alice learns Bob's bundle out of band; Bob learns Alice's from her first message.
  devices[0]!.processBundle(devices[1]!.ourBundle())
  const pair: PersistedPair = {
    send(from, payload) {
      return encodeProtocolMessage(devices[from]!.encrypt(publics[from ^ 1]!, payload).message)
    },
    receive(to, bytes) {
      const got = devices[to]!.decrypt(publics[to ^ 1]!, decodeProtocolMessage(bytes as Uint8Array))
      if (got === undefined) throw new Error('own message')
      return got.payload
    },
    close() {
      for (const s of stores) s.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
  // Establish both ways before timing.
  pair.receive(1, pair.send(0, new Uint8Array(1)))
  pair.receive(0, pair.send(1, new Uint8Array(1)))
  return pair
}

/**
 * The same with the ratchet and the store alone (no protocol layer): per message one transaction
 * that loads the session record, deserializes the ratchet state, encrypts or decrypts, and writes
 * the new state back. Messages cross as `{header, ciphertext}` values.
 */
export function ratchetStorePair(crypto: CryptoProvider): PersistedPair {
  const dir = mkdtempSync(join(tmpdir(), 'pfs-compare-'))
  const stores = [0, 1].map((i) => SqliteStore.open(join(dir, `ratchet-${i}.db`), { crypto }))
  const sk = crypto.randomBytes(32)
  const spk = crypto.generateKeyPair()
  const id = Uint8Array.of(1, 2, 3, 4)
  const initial = [initiator(sk, spk.publicKey, { crypto }), responder(sk, spk, { crypto })]
  stores.forEach((store, i) => {
    const peer = crypto.generateKeyPair().publicKey
    store.transaction(() => {
      store.putInstallation({
        identity: peer,
        installationId: 'peer',
        enabled: true,
        version: 1,
        firstSeen: 1n,
        lastSeen: 1n,
        stale: false,
      })
      store.putSession({
        id,
        identity: peer,
        installationId: 'peer',
        bundleId: spk.publicKey,
        sk,
        state: serialize(initial[i]!),
        createdAt: 0,
        expiresAt: Number.MAX_SAFE_INTEGER,
      })
    })
  })
  const load = (i: 0 | 1): RatchetState => deserialize(stores[i]!.getSession(id)!.state, { crypto })
  const pair: PersistedPair = {
    send(from, payload) {
      const store = stores[from]!
      return store.transaction(() => {
        const sent = encrypt(load(from), payload)
        store.updateSessionState(id, serialize(sent.state))
        return { header: sent.header, ciphertext: sent.ciphertext }
      })
    },
    receive(to, message) {
      const store = stores[to]!
      const m = message as { header: Header; ciphertext: Uint8Array }
      return store.transaction(() => {
        const got = decrypt(load(to), m.header, m.ciphertext)
        store.updateSessionState(id, serialize(got.state))
        return got.plaintext
      })
    },
    close() {
      for (const s of stores) s.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
  pair.receive(1, pair.send(0, new Uint8Array(1)))
  pair.receive(0, pair.send(1, new Uint8Array(1)))
  return pair
}
