/**
 * `dh_header.json` (status-go `encryptWithDH` / `DecryptWithDH` / `BuildEncryptedMessage` without a
 * bundle / `BuildBundleAdvertiseMessage`, vectors/README.md "dh_header.json"), under both crypto
 * providers: with the recorded ephemeral key and nonce injected, `dhEncrypt` gives the exact
 * shared key, payload and `EncryptedMessageProtocol` bytes; for the two full-message cases, the
 * sender's bundle is rebuilt with `createBundle` (same keys and timestamp → same deterministic
 * signature) and the whole `ProtocolMessage` (map key `"none"`) encodes to the recorded bytes; the
 * recorded bytes decode, their bundle verifies to the sender, and `dhDecrypt` gives `decrypted`.
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

export default function run(json: unknown): CaseResult[] {
  const { cases } = json as { cases: Case[] }
  return cases.map((c) => {
    for (const [name, crypto] of Object.entries(providers)) {
      try {
        check(c, crypto)
      } catch (e) {
        return { name: c.name, error: `[${name}] ${(e as Error).message}` }
      }
    }
    return { name: c.name }
  })
}
