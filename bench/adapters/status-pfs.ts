/**
 * status-pfs: X3DH over secp256k1 and the Double Ratchet with either DH function, on either crypto
 * provider. A message on the wire is the reference's `EncryptedMessageProtocol` (DRHeader +
 * payload; the first one also carries the X3DHHeader), encoded and decoded by `src/wire` as a
 * receiving device would. The initiator verifies the responder's signed bundle on every
 * establishment, as the Signal libraries verify the signed prekey's signature.
 */
import type { CryptoProvider } from '../../src/crypto/index.ts'
import { decrypt, encrypt, initiator, responder, serialize } from '../../src/ratchet/index.ts'
import type { DhName, RatchetKeyPair, RatchetState } from '../../src/ratchet/index.ts'
import {
  DRHeaderSchema,
  EncryptedMessageProtocolSchema,
  X3DHHeaderSchema,
  create,
  decodeEncryptedMessage,
  encodeEncryptedMessage,
} from '../../src/wire/index.ts'
import { createBundle, verifyBundle, x3dhActive, x3dhPassive } from '../../src/x3dh/index.ts'
import type { Adapter, SessionPair } from './types.ts'

const INSTALLATION = 'bench-device'

function ratchetKeyPair(dh: DhName, crypto: CryptoProvider): RatchetKeyPair {
  if (dh === 'secp256k1') return crypto.generateKeyPair()
  const privateKey = crypto.x25519GeneratePrivateKey()
  return { privateKey, publicKey: crypto.x25519PublicKey(privateKey) }
}

/** `id` is the bundle id (the responder's SPK) that `DRHeader.id` carries on every message. */
function encode(
  sent: ReturnType<typeof encrypt>,
  id: Uint8Array,
  x3dh?: { key: Uint8Array; id: Uint8Array },
): Uint8Array {
  return encodeEncryptedMessage(
    create(EncryptedMessageProtocolSchema, {
      DRHeader: create(DRHeaderSchema, {
        key: sent.header.dh,
        n: sent.header.n,
        pn: sent.header.pn,
        id,
      }),
      ...(x3dh === undefined ? {} : { X3DHHeader: create(X3DHHeaderSchema, x3dh) }),
      payload: sent.ciphertext,
    }),
  )
}

function open(state: RatchetState, bytes: Uint8Array): ReturnType<typeof decrypt> {
  const m = decodeEncryptedMessage(bytes)
  const h = m.DRHeader
  if (h === undefined) throw new Error('no DRHeader')
  return decrypt(state, { dh: h.key, n: h.n, pn: h.pn }, m.payload)
}

export function statusPfs(dh: DhName, providerName: string, crypto: CryptoProvider): Adapter {
  const alice = crypto.generateKeyPair()
  const bob = crypto.generateKeyPair()
  const spk = crypto.generateKeyPair()
  const bundle = createBundle({
    identity: bob.privateKey,
    signedPreKeys: [{ installationId: INSTALLATION, key: spk.publicKey, version: 1 }],
    crypto,
  })
  // For x25519 the responder's first ratchet key cannot be the secp256k1 SPK: one made once,
  // published beside it (the whitepaper's variant).
  const bobRatchet = dh === 'secp256k1' ? spk : ratchetKeyPair(dh, crypto)

  function handshake(plaintext: Uint8Array): [RatchetState, RatchetState] {
    // Alice: verify Bob's bundle, X3DH, first message.
    verifyBundle(bundle, { crypto })
    const theirSpk = bundle.signedPreKeys[INSTALLATION]!.signedPreKey
    const ephemeral = crypto.generateKeyPair()
    const skA = x3dhActive({
      identity: alice.privateKey,
      ephemeral: ephemeral.privateKey,
      theirIdentity: bundle.identity,
      theirSignedPreKey: theirSpk,
      crypto,
    })
    const first = encrypt(initiator(skA, bobRatchet.publicKey, { dh, crypto }), plaintext)
    const wire = encode(first, theirSpk, { key: ephemeral.publicKey, id: theirSpk })
    ephemeral.privateKey.destroy()
    // Bob: X3DH from the header, decrypt.
    const m = decodeEncryptedMessage(wire)
    const x = m.X3DHHeader!
    const skB = x3dhPassive({
      identity: bob.privateKey,
      signedPreKey: spk.privateKey,
      theirIdentity: alice.publicKey,
      theirEphemeral: x.key,
      crypto,
    })
    const h = m.DRHeader!
    const got = decrypt(
      responder(skB, bobRatchet, { dh, crypto }),
      { dh: h.key, n: h.n, pn: h.pn },
      m.payload,
    )
    return [first.state, got.state]
  }

  return {
    name: `status-pfs ${dh}/${providerName}`,
    ours: true,
    establish(plaintext) {
      handshake(plaintext)
    },
    newSession(): SessionPair {
      const s = handshake(new Uint8Array(1))
      const reply = encrypt(s[1], new Uint8Array(1))
      s[1] = reply.state
      s[0] = open(s[0], encode(reply, spk.publicKey)).state
      return {
        encrypt(from, plaintext) {
          const sent = encrypt(s[from], plaintext)
          s[from] = sent.state
          return encode(sent, spk.publicKey)
        },
        decrypt(to, message) {
          const got = open(s[to], message as Uint8Array)
          s[to] = got.state
          return got.plaintext
        },
        serializedBytes: (side) => serialize(s[side]).length,
      }
    },
  }
}
