/**
 * `protocol_message.json` (status-go `Protocol.GetBundle` / `ProcessPublicBundle` /
 * `BuildEncryptedMessage` / `HandleMessage`, vectors/README.md "protocol_message.json") through
 * the `Protocol` API, under both crypto providers and on a MemoryStore per party: with the recorded
 * keys injected by purpose and the clock set to each recorded bundle timestamp, Bob's bundle and
 * every `ProtocolMessage` equal the recorded ones field by field (same headers, same ciphertexts,
 * same deterministic bundle signatures); the receiver, given the recorded bytes, recovers the
 * recorded payload and negotiated shared secret.
 */
import { fromHex, providers, toHex } from '../../../src/crypto/index.ts'
import type { CryptoProvider, KeyPair } from '../../../src/crypto/index.ts'
import { Protocol } from '../../../src/protocol/index.ts'
import type { KeyPurpose } from '../../../src/protocol/index.ts'
import { MemoryStore } from '../../../src/store/index.ts'
import {
  BundleSchema,
  ProtocolMessageSchema,
  decodeBundle,
  decodeProtocolMessage,
  encodeProtocolMessage,
  equals,
} from '../../../src/wire/index.ts'
import type { CaseResult } from '../registry.ts'

interface Key {
  private: string
  public_compressed: string
}
interface Case {
  name: string
  sender: 'alice' | 'bob'
  plaintext_payload: string
  protocol_message_protobuf: string
  protocol_message_decoded: { bundles: { timestamp: string }[] }
  receiver_decrypted_payload: string
  receiver_negotiated_shared_secret?: string
}
interface Vectors {
  alice_identity: Key
  bob_identity: Key
  alice_installation_id: string
  bob_installation_id: string
  alice_signed_prekey: Key
  bob_signed_prekey: Key
  alice_x3dh_ephemeral: Key
  alice_ratchet_key_1: Key
  alice_ratchet_key_2: Key
  bob_ratchet_key_1: Key
  bob_ratchet_key_2: Key
  bob_bundle: { bundle: { timestamp: string }; bundle_protobuf: string }
  cases: Case[]
}

/** Hands out the recorded keys by purpose, in recorded order; anything unscripted is an error. */
function scripted(
  crypto: CryptoProvider,
  keys: Partial<Record<KeyPurpose, Key[]>>,
): (purpose: KeyPurpose) => KeyPair {
  const queues = new Map(Object.entries(keys).map(([p, ks]) => [p, [...ks]]))
  return (purpose) => {
    const next = queues.get(purpose)?.shift()
    if (next === undefined) throw new Error(`unscripted key requested: ${purpose}`)
    const pair = crypto.keyPairFromPrivate(crypto.secp256k1PrivateKey(fromHex(next.private)))
    if (toHex(pair.publicKey) !== next.public_compressed) throw new Error(`bad ${purpose} key`)
    return pair
  }
}

interface Party {
  readonly protocol: Protocol
  readonly publicKey: Uint8Array
  setTime(ns: bigint): void
}

function party(
  crypto: CryptoProvider,
  identity: Key,
  installationId: string,
  keys: Partial<Record<KeyPurpose, Key[]>>,
): Party {
  let now = 0n
  const protocol = new Protocol({
    store: new MemoryStore(),
    identity: crypto.secp256k1PrivateKey(fromHex(identity.private)),
    installationId,
    crypto,
    clock: () => now,
    generateKeyPair: scripted(crypto, keys),
  })
  return {
    protocol,
    publicKey: fromHex(identity.public_compressed),
    setTime: (ns) => {
      now = ns
    },
  }
}

function runAll(v: Vectors, crypto: CryptoProvider, errors: Map<string, string[]>): void {
  const alice = party(crypto, v.alice_identity, v.alice_installation_id, {
    'signed-prekey': [v.alice_signed_prekey],
    'x3dh-ephemeral': [v.alice_x3dh_ephemeral],
    ratchet: [v.alice_ratchet_key_1, v.alice_ratchet_key_2],
  })
  const bob = party(crypto, v.bob_identity, v.bob_installation_id, {
    'signed-prekey': [v.bob_signed_prekey],
    ratchet: [v.bob_ratchet_key_1, v.bob_ratchet_key_2],
  })
  bob.setTime(BigInt(v.bob_bundle.bundle.timestamp))
  const bobBundle = bob.protocol.ourBundle()
  if (!equals(BundleSchema, bobBundle, decodeBundle(fromHex(v.bob_bundle.bundle_protobuf)))) {
    throw new Error("Bob's bundle differs from bob_bundle")
  }
  alice.protocol.processBundle(bobBundle)
  for (const c of v.cases) {
    const fail = (msg: string): void => {
      const list = errors.get(c.name) ?? []
      list.push(`${crypto.name}: ${msg}`)
      errors.set(c.name, list)
    }
    const [sender, receiver] = c.sender === 'alice' ? [alice, bob] : [bob, alice]
    const ts = BigInt(c.protocol_message_decoded.bundles[0]!.timestamp)
    sender.setTime(ts)
    receiver.setTime(ts)
    const recorded = fromHex(c.protocol_message_protobuf)
    const sent = sender.protocol.encrypt(receiver.publicKey, fromHex(c.plaintext_payload))
    if (sent.failures.length > 0 || !sent.pfs) fail(`send failures ${sent.failures.length}`)
    if (!equals(ProtocolMessageSchema, sent.message, decodeProtocolMessage(recorded))) {
      fail(`ProtocolMessage differs: ${toHex(encodeProtocolMessage(sent.message))}`)
    }
    const got = receiver.protocol.decrypt(sender.publicKey, decodeProtocolMessage(recorded))
    if (got === undefined) {
      fail('receiver got nothing')
      continue
    }
    if (toHex(got.payload) !== c.receiver_decrypted_payload) fail('decrypted payload differs')
    if (!got.pfs) fail('receiver reports pfs false')
    const secret = got.sharedSecret === undefined ? undefined : toHex(got.sharedSecret)
    if (secret !== c.receiver_negotiated_shared_secret) fail('negotiated shared secret differs')
  }
}

export default function run(json: unknown): CaseResult[] {
  const v = json as Vectors
  const errors = new Map<string, string[]>()
  for (const crypto of Object.values(providers)) {
    try {
      runAll(v, crypto, errors)
    } catch (e) {
      for (const c of v.cases) {
        const list = errors.get(c.name) ?? []
        list.push(`${crypto.name}: ${e instanceof Error ? e.message : String(e)}`)
        errors.set(c.name, list)
      }
    }
  }
  return v.cases.map((c) => {
    const e = errors.get(c.name)
    return e === undefined ? { name: c.name } : { name: c.name, error: e.join('; ') }
  })
}
