/**
 * `dh_header.json` (status-go `encryptWithDH` / `DecryptWithDH` / `BuildEncryptedMessage` without a
 * bundle / `BuildBundleAdvertiseMessage`, vectors/README.md "dh_header.json"), under both crypto
 * providers: with the recorded ephemeral key and nonce injected, `dhEncrypt` gives the exact
 * shared key, payload and `EncryptedMessageProtocol` bytes; for the two full-message cases, the
 * sender's bundle is rebuilt with `createBundle` (same keys and timestamp → same deterministic
 * signature) and the whole `ProtocolMessage` (map key `"none"`) encodes to the recorded bytes; the
 * recorded bytes decode, their bundle verifies to the sender, and `dhDecrypt` gives `decrypted`.
 *
 * The full-message cases also run through the `Protocol` API, in file order on the same two
 * devices, on each store (case 3's sender already has its bundle from case 2, as in the reference): a sender that
 * knows no installation of the recipient, with the recorded signed prekey, DH ephemeral and nonce
 * scripted and the clock at the recorded bundle timestamp, `encrypt()`s to the recorded
 * `ProtocolMessage` bytes (map key `"none"`, `pfs: false`); the recipient's `decrypt()` of the
 * recorded bytes gives `decrypted`, reported as not forward secret.
 */
import { fromHex, providers, toHex } from '../../../src/crypto/index.ts'
import type { CryptoProvider } from '../../../src/crypto/index.ts'
import {
  EncryptedMessageProtocolSchema,
  ProtocolMessageSchema,
  create,
  decodeEncryptedMessage,
  decodeProtocolMessage,
  encodeEncryptedMessage,
  encodeProtocolMessage,
} from '../../../src/wire/index.ts'
import {
  NO_INSTALLATION_ID,
  createBundle,
  dhDecrypt,
  dhEncrypt,
  verifyBundle,
} from '../../../src/x3dh/index.ts'
import type { CaseResult } from '../registry.ts'
import type { Clock, Scripted, StoreKind } from './protocol-script.ts'
import {
  STORE_KINDS,
  ScriptedDevice,
  diffMessage,
  errorText,
  openStore,
} from './protocol-script.ts'

interface Key {
  private: string
  public_compressed: string
}
interface DecodedBundle {
  identity: string
  signed_pre_keys: {
    installation_id: string
    signed_pre_key: string
    version: number
    protocol_version: number
  }[]
  signature: string
  timestamp: string
}
interface Case {
  name: string
  recipient_identity: Key
  sender_identity?: Key
  sender_signed_prekey?: Key
  sender_installation_id?: string
  recipient_installation_id?: string
  ephemeral: Key
  shared_key: string
  nonce: string
  plaintext: string
  aes_gcm_ciphertext_and_tag?: string
  payload?: string
  encrypted_message_protocol_protobuf?: string
  protocol_message_protobuf?: string
  protocol_message_decoded?: {
    installation_id: string
    bundles: DecodedBundle[]
    encrypted_message: { installation_id: string; message: { payload: string } }[]
  }
  decrypted: string
}

function eq(what: string, got: Uint8Array, want: string): void {
  if (toHex(got) !== want) throw new Error(`${what}: got ${toHex(got)}, want ${want}`)
}

function check(c: Case, crypto: CryptoProvider): void {
  const recipient = crypto.secp256k1PrivateKey(fromHex(c.recipient_identity.private))
  const ephemeral = crypto.secp256k1PrivateKey(fromHex(c.ephemeral.private))
  eq(
    'shared_key',
    crypto.secp256k1Ecdh(ephemeral, fromHex(c.recipient_identity.public_compressed)),
    c.shared_key,
  )
  const { header, payload } = dhEncrypt(
    fromHex(c.recipient_identity.public_compressed),
    fromHex(c.plaintext),
    { ephemeral, nonce: fromHex(c.nonce), crypto },
  )
  eq('DHHeader.key', header.key, c.ephemeral.public_compressed)
  if (c.aes_gcm_ciphertext_and_tag !== undefined) {
    eq('ciphertext and tag', payload.subarray(0, payload.length - 12), c.aes_gcm_ciphertext_and_tag)
  }
  if (c.payload !== undefined) eq('payload', payload, c.payload)
  const entry = create(EncryptedMessageProtocolSchema, { DHHeader: header, payload })

  if (c.encrypted_message_protocol_protobuf !== undefined) {
    eq(
      'EncryptedMessageProtocol',
      encodeEncryptedMessage(entry),
      c.encrypted_message_protocol_protobuf,
    )
    const decoded = decodeEncryptedMessage(fromHex(c.encrypted_message_protocol_protobuf))
    if (decoded.DHHeader === undefined) throw new Error('decoded entry has no DH header')
    eq(
      'decrypted',
      dhDecrypt(recipient, decoded.DHHeader, decoded.payload, { crypto }),
      c.decrypted,
    )
  }

  if (c.protocol_message_protobuf !== undefined) {
    const d = c.protocol_message_decoded
    const sender = c.sender_identity
    if (d === undefined || sender === undefined) throw new Error('incomplete case')
    const [vb] = d.bundles
    if (vb === undefined || d.bundles.length !== 1) throw new Error('expected one bundle')
    if (c.sender_signed_prekey !== undefined) {
      const spk = vb.signed_pre_keys[0]?.signed_pre_key
      if (spk !== c.sender_signed_prekey.public_compressed) throw new Error('sender SPK differs')
    }
    eq(
      'payload (decoded message)',
      payload,
      d.encrypted_message.find((e) => e.installation_id === NO_INSTALLATION_ID)?.message.payload ??
        '',
    )
    const bundle = createBundle({
      identity: crypto.secp256k1PrivateKey(fromHex(sender.private)),
      signedPreKeys: vb.signed_pre_keys.map((s) => ({
        installationId: s.installation_id,
        key: fromHex(s.signed_pre_key),
        version: s.version,
        protocolVersion: s.protocol_version,
      })),
      timestamp: BigInt(vb.timestamp),
      crypto,
    })
    eq('bundle signature', bundle.signature, vb.signature)
    const message = create(ProtocolMessageSchema, {
      installationId: d.installation_id,
      bundles: [bundle],
      encryptedMessage: { [NO_INSTALLATION_ID]: entry },
    })
    eq('ProtocolMessage', encodeProtocolMessage(message), c.protocol_message_protobuf)

    // Receiving side: decode, verify the attached bundle, open the "none" entry.
    const received = decodeProtocolMessage(fromHex(c.protocol_message_protobuf))
    const [rb] = received.bundles
    if (rb === undefined) throw new Error('received message has no bundle')
    eq('received bundle identity', verifyBundle(rb, { crypto }), sender.public_compressed)
    const got = received.encryptedMessage[NO_INSTALLATION_ID]
    if (got?.DHHeader === undefined) throw new Error('no "none" entry with a DH header')
    eq('decrypted', dhDecrypt(recipient, got.DHHeader, got.payload, { crypto }), c.decrypted)
  }
}

/** The two devices of the full-message cases, shared by the cases in file order. */
interface Pair {
  readonly clock: Clock
  readonly sender: ScriptedDevice
  readonly recipient: ScriptedDevice
}

function pairFor(c: Case, crypto: CryptoProvider, store: StoreKind, prev: Pair | undefined): Pair {
  if (prev !== undefined) return prev
  const installation = c.sender_installation_id ?? c.protocol_message_decoded?.installation_id
  if (c.sender_identity === undefined || installation === undefined) {
    throw new Error('first full-message case lacks the sender identity or installation')
  }
  const clock: Clock = { now: 0n }
  const common = { crypto, clock }
  return {
    clock,
    sender: new ScriptedDevice({
      ...common,
      name: 'sender',
      store: openStore(store),
      identity: c.sender_identity,
      installationId: installation,
    }),
    recipient: new ScriptedDevice({
      ...common,
      name: 'recipient',
      store: openStore(store),
      identity: c.recipient_identity,
      installationId: c.recipient_installation_id ?? 'recipient',
    }),
  }
}

/** One full-message case through `Protocol.encrypt` / `Protocol.decrypt`; returns the problems. */
function checkProtocol(c: Case, pair: Pair): string[] {
  const out: string[] = []
  const d = c.protocol_message_decoded
  const recorded = c.protocol_message_protobuf
  if (d === undefined || recorded === undefined) throw new Error('incomplete case')
  const { sender, recipient } = pair
  if (d.installation_id !== sender.installationId) {
    throw new Error(`sender installation ${d.installation_id} differs from the earlier case`)
  }
  const script: Scripted[] = [
    { purpose: 'dh-ephemeral', label: 'ephemeral', key: c.ephemeral },
    { purpose: 'nonce', label: 'nonce', nonce: fromHex(c.nonce) },
  ]
  if (c.sender_signed_prekey !== undefined) {
    script.push({
      purpose: 'signed-prekey',
      label: 'sender_signed_prekey',
      key: c.sender_signed_prekey,
    })
  }
  const ts = d.bundles[0]?.timestamp
  if (ts === undefined) throw new Error('no bundle timestamp')
  pair.clock.now = BigInt(ts)
  sender.script(script)
  const sent = sender.protocol.encrypt(recipient.identityPublic, fromHex(c.plaintext))
  out.push(...sender.leftover())
  if (sent.pfs) out.push('sender reports pfs true for the DH fallback')
  if (sent.targets.join(',') !== NO_INSTALLATION_ID) {
    out.push(`targets: got ${sent.targets.join(',')}, want ${NO_INSTALLATION_ID}`)
  }
  for (const f of sent.failures) out.push(`send failure ${f.installationId}: ${errorText(f.error)}`)
  const bytes = toHex(encodeProtocolMessage(sent.message))
  if (bytes !== recorded) {
    const diff = diffMessage(sent.message, decodeProtocolMessage(fromHex(recorded)))
    out.push(`Protocol ProtocolMessage differs: ${diff.length > 0 ? diff.join('; ') : bytes}`)
  }
  recipient.script([])
  try {
    const got = recipient.protocol.decrypt(
      sender.identityPublic,
      decodeProtocolMessage(fromHex(recorded)),
    )
    if (got === undefined) out.push('Protocol receiver decrypted nothing')
    else {
      if (toHex(got.payload) !== c.decrypted) {
        out.push(`Protocol receiver payload: got ${toHex(got.payload)}, want ${c.decrypted}`)
      }
      if (got.pfs) out.push('Protocol receiver reports pfs true for the DH fallback')
    }
  } catch (e) {
    out.push(`Protocol receiver: ${errorText(e)}`)
  } finally {
    out.push(...recipient.leftover())
  }
  return out
}

export default function run(json: unknown): CaseResult[] {
  const { cases } = json as { cases: Case[] }
  const errors = new Map<string, string[]>()
  const fail = (c: Case, provider: string, msg: string): void => {
    errors.set(c.name, [...(errors.get(c.name) ?? []), `[${provider}] ${msg}`])
  }
  for (const [name, crypto] of Object.entries(providers)) {
    for (const c of cases) {
      try {
        check(c, crypto)
      } catch (e) {
        fail(c, name, (e as Error).message)
      }
    }
    for (const store of STORE_KINDS) {
      let pair: Pair | undefined
      for (const c of cases) {
        if (c.protocol_message_protobuf === undefined) continue
        try {
          pair = pairFor(c, crypto, store, pair)
          const problems = checkProtocol(c, pair)
          if (problems.length > 0) fail(c, `${name}/${store}`, problems.join('; '))
        } catch (e) {
          fail(c, `${name}/${store}`, `Protocol: ${errorText(e)}`)
        }
      }
      pair?.sender.store.close()
      pair?.recipient.store.close()
    }
  }
  return cases.map((c) => {
    const e = errors.get(c.name)
    return e === undefined ? { name: c.name } : { name: c.name, error: e.join(' ') }
  })
}
