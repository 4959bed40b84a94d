/**
 * Every primitive of both providers against the reference vectors in /work/shared/vectors
 * (vectors/README.md): x3dh.json DH outputs and Keccak SK (PROTOCOL.md §3, §5), bundle.json
 * signatures (§4), ratchet.json KdfRK/KdfCK/Encrypt/Decrypt/DH traces (§7.1), dh_header.json
 * AES-GCM (§6), whisper_payload.json GCM, ECIES and signatures (§11.1).
 *
 * @module
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { concatBytes, utf8 } from '../../src/crypto/index.ts'
import type { CryptoProvider } from '../../src/crypto/index.ts'
import x3dh from '../../../shared/vectors/x3dh.json' with { type: 'json' }
import bundle from '../../../shared/vectors/bundle.json' with { type: 'json' }
import ratchet from '../../../shared/vectors/ratchet.json' with { type: 'json' }
import dhHeader from '../../../shared/vectors/dh_header.json' with { type: 'json' }
import whisper from '../../../shared/vectors/whisper_payload.json' with { type: 'json' }
import { PROVIDERS, h, hx, sk, throwsCode } from './helpers.ts'

/** doubleratchet v3.0.0 `KdfRK` and `deriveEncKeys` info strings (PROTOCOL.md §7.1). */
const KDF_RK_INFO = utf8('rsZUpEuXUqqwXBvSy3EcievAh4cMj6QL')
const ENC_INFO = utf8('pcwSByyx2CRdryCffXJwy7xgVZWtW5Sh')

interface KeyVector {
  readonly private: string
  readonly public_compressed: string
  readonly public_uncompressed: string
}

function checkKey(c: CryptoProvider, k: KeyVector): void {
  const key = c.secp256k1PrivateKey(h(k.private))
  assert.equal(hx(c.secp256k1PublicKey(key, true)), k.public_compressed)
  assert.equal(hx(c.secp256k1PublicKey(key, false)), k.public_uncompressed)
  assert.equal(hx(c.decompressPublicKey(h(k.public_compressed))), k.public_uncompressed)
  assert.equal(hx(c.compressPublicKey(h(k.public_uncompressed))), k.public_compressed)
}

/** The reference's `Encrypt(mk, pt, ad)` built from primitives (PROTOCOL.md §7.1). */
function drEncrypt(c: CryptoProvider, mk: Uint8Array, pt: Uint8Array, ad: Uint8Array) {
  const okm = c.hkdfSha256(mk, new Uint8Array(32), ENC_INFO, 80)
  const [enc, auth, iv] = [okm.subarray(0, 32), okm.subarray(32, 64), okm.subarray(64, 80)]
  const body = concatBytes(iv, c.aesCtr(enc, iv, pt))
  return { enc, auth, iv, ct: concatBytes(body, c.hmacSha256(auth, concatBytes(ad, body))) }
}

/** The reference's `Decrypt(mk, ct, ad)`: HMAC check, then CTR with the transmitted IV. */
function drDecrypt(c: CryptoProvider, mk: Uint8Array, ct: Uint8Array, ad: Uint8Array) {
  const okm = c.hkdfSha256(mk, new Uint8Array(32), ENC_INFO, 80)
  const body = ct.subarray(0, ct.length - 32)
  const tag = c.hmacSha256(okm.subarray(32, 64), concatBytes(ad, body))
  assert.ok(c.constantTimeEqual(tag, ct.subarray(ct.length - 32)), 'HMAC tag')
  return c.aesCtr(okm.subarray(0, 32), body.subarray(0, 16), body.subarray(16))
}

type Trace = Readonly<Record<string, string>>

/** The fields of a ratchet.json `send` event this file reads. */
interface SendEvent {
  readonly plaintext: string
  readonly associated_data_param: string
  readonly header_encoded: string
  readonly associated_data: string
  readonly message_key: string
  readonly aead_subkeys: {
    readonly enc_key: string
    readonly auth_key: string
    readonly iv: string
  }
  readonly ciphertext: string
}

for (const [name, c] of PROVIDERS) {
  describe(`${name}: x3dh.json`, () => {
    for (const v of x3dh.cases) {
      test(v.name, () => {
        for (const k of [v.alice_identity, v.alice_ephemeral, v.bob_identity, v.bob_signed_prekey])
          checkKey(c, k)
        const dh = (a: KeyVector, b: KeyVector) =>
          c.secp256k1Ecdh(sk(a.private), h(b.public_compressed))
        const active = [
          dh(v.alice_identity, v.bob_signed_prekey),
          dh(v.alice_ephemeral, v.bob_identity),
          dh(v.alice_ephemeral, v.bob_signed_prekey),
        ]
        const passive = [
          dh(v.bob_signed_prekey, v.alice_identity),
          dh(v.bob_identity, v.alice_ephemeral),
          dh(v.bob_signed_prekey, v.alice_ephemeral),
        ]
        assert.equal(hx(active[0]!), v.dh1_aliceIdentity_bobSignedPreKey)
        assert.equal(hx(active[1]!), v.dh2_aliceEphemeral_bobIdentity)
        assert.equal(hx(active[2]!), v.dh3_aliceEphemeral_bobSignedPreKey)
        assert.deepEqual(passive, active)
        for (const d of active) assert.equal(d.length, 32, 'DH output is left-padded to 32')
        assert.equal(hx(c.keccak256(concatBytes(...active))), v.sk_active)
        assert.equal(hx(c.keccak256(concatBytes(...passive))), v.sk_passive)
      })
    }
  })

  describe(`${name}: bundle.json`, () => {
    for (const v of bundle.cases) {
      test(v.name, () => {
        checkKey(c, v.identity_key)
        const material = h(v.signature_material)
        const identity = sk(v.identity_key.private)
        assert.equal(hx(c.keccak256(material)), v.signature_digest_keccak256)
        assert.equal(hx(c.signKeccak(material, identity)), v.signature)
        assert.equal(
          hx(c.secp256k1SignRecoverable(h(v.signature_digest_keccak256), identity)),
          v.signature,
        )
        const recovered = c.recoverKeccak(material, h(v.signature))
        assert.equal(hx(recovered), v.identity_key.public_uncompressed)
        assert.equal(hx(c.compressPublicKey(recovered)), v.bundle.identity)
        assert.ok(c.verifyKeccak(material, h(v.signature), h(v.bundle.identity)))
      })
    }
    for (const v of bundle.tampered) {
      test(`tampered: ${v.name}`, () => {
        const material = h(v.signature_material)
        const sig = h(v.bundle.signature)
        const identity = h(v.bundle.identity)
        assert.equal(c.verifyKeccak(material, sig, identity), false)
        if (v.error === 'invalid public key') {
          throwsCode(() => c.compressPublicKey(identity), 'INVALID_KEY', v.name)
        } else if (v.error.startsWith('invalid signature')) {
          throwsCode(() => c.recoverKeccak(material, sig), 'INVALID_SIGNATURE', v.name)
        } else {
          assert.notEqual(hx(c.recoverKeccak(material, sig)), hx(c.decompressPublicKey(identity)))
        }
      })
    }
  })

  describe(`${name}: ratchet.json`, () => {
    for (const v of ratchet.cases) {
      const x25519 = v.crypto === 'default'
      test(v.session.name, () => {
        const s = v.session
        const ciphertexts = new Map<string, string>()
        const traces: Trace[] = [...(s.alice_init.trace as Trace[])]
        for (const e of s.events) traces.push(...(e.trace as Trace[]))
        let count = 0
        for (const t of traces) {
          switch (t['op']) {
            case 'GenerateDH': {
              const pub = x25519
                ? c.x25519PublicKey(c.x25519PrivateKey(h(t['private']!)))
                : c.secp256k1PublicKey(c.secp256k1PrivateKey(h(t['private']!)), true)
              assert.equal(hx(pub), t['public'])
              break
            }
            case 'DH': {
              const priv = sk(t['own_private']!)
              const out = x25519
                ? c.x25519(priv, h(t['remote_public']!))
                : c.secp256k1Ecdh(priv, h(t['remote_public']!))
              assert.equal(hx(out), t['output'])
              break
            }
            case 'KdfRK': {
              const okm = c.hkdfSha256(h(t['dh_output']!), h(t['root_key_in']!), KDF_RK_INFO, 96)
              assert.equal(hx(okm), t['root_key_out']! + t['chain_key_out']! + t['header_key_out']!)
              break
            }
            case 'KdfCK': {
              const ck = h(t['chain_key_in']!)
              assert.equal(hx(c.hmacSha256(ck, Uint8Array.of(0x0f))), t['chain_key_out'])
              assert.equal(hx(c.hmacSha256(ck, Uint8Array.of(0x10))), t['message_key'])
              break
            }
            case 'Encrypt': {
              const r = drEncrypt(
                c,
                h(t['message_key']!),
                h(t['plaintext']!),
                h(t['associated_data']!),
              )
              assert.equal(hx(r.ct), t['ciphertext'])
              ciphertexts.set(t['message_key']! + t['associated_data']!, t['ciphertext']!)
              break
            }
            case 'Decrypt': {
              const ct = ciphertexts.get(t['message_key']! + t['associated_data']!)
              assert.ok(ct !== undefined, 'every decrypted message was encrypted earlier')
              const pt = drDecrypt(c, h(t['message_key']!), h(ct), h(t['associated_data']!))
              assert.equal(hx(pt), t['plaintext'])
              break
            }
            default:
              assert.fail(`unknown trace op ${t['op']}`)
          }
          count++
        }
        assert.ok(count > 10, 'the trace was walked')
        for (const event of s.events) {
          if (event.action !== 'send') continue
          const e = event as SendEvent
          const r = drEncrypt(c, h(e.message_key), h(e.plaintext), h(e.associated_data))
          assert.equal(hx(r.enc), e.aead_subkeys.enc_key)
          assert.equal(hx(r.auth), e.aead_subkeys.auth_key)
          assert.equal(hx(r.iv), e.aead_subkeys.iv)
          assert.equal(hx(r.ct), e.ciphertext)
          assert.equal(e.associated_data, e.associated_data_param + e.header_encoded)
        }
      })
    }
  })

  describe(`${name}: dh_header.json`, () => {
    for (const v of dhHeader.cases) {
      test(v.name, () => {
        const shared = c.secp256k1Ecdh(
          sk(v.ephemeral.private),
          h(v.recipient_identity.public_compressed),
        )
        assert.equal(hx(shared), v.shared_key)
        const back = c.secp256k1Ecdh(
          sk(v.recipient_identity.private),
          h(v.ephemeral.public_compressed),
        )
        assert.equal(hx(back), v.shared_key)
        const payload = c.encryptSymmetric(shared, h(v.plaintext), h(v.nonce))
        assert.equal(hx(payload.subarray(payload.length - 12)), v.nonce, 'nonce appended (§6)')
        if ('payload' in v) {
          assert.equal(hx(payload), v.payload)
          assert.equal(
            hx(c.aesGcmSeal(shared, h(v.nonce), h(v.plaintext))),
            v.aes_gcm_ciphertext_and_tag,
          )
        } else {
          assert.ok(v.protocol_message_protobuf.includes(hx(payload)), 'payload inside the message')
        }
        assert.equal(hx(c.decryptSymmetric(shared, payload)), v.decrypted)
        const bad = Uint8Array.from(payload)
        bad[0]! ^= 1
        throwsCode(() => c.decryptSymmetric(shared, bad), 'MAC_MISMATCH')
      })
    }
  })

  describe(`${name}: whisper_payload.json`, () => {
    for (const v of whisper.cases) {
      test(v.name, () => {
        const raw = h(v.plaintext_raw)
        if ('sender_key' in v) {
          const unsigned = raw.subarray(0, raw.length - 65)
          assert.equal(hx(c.keccak256(unsigned)), v.signed_hash_keccak256)
          assert.equal(
            hx(c.signKeccak(unsigned, sk(v.sender_key.private))),
            v.plaintext_fields.signature,
          )
          assert.equal(
            hx(c.recoverKeccak(unsigned, raw.subarray(raw.length - 65))),
            v.recovered_signer_uncompressed,
          )
        }
        if ('aes_gcm' in v) {
          const { key, nonce, ciphertext_and_tag } = v.aes_gcm
          assert.equal(hx(c.aesGcmSeal(h(key), h(nonce), raw)), ciphertext_and_tag)
          const data = c.encryptSymmetric(h(key), raw, h(nonce))
          assert.equal(hx(data), v.envelope.data)
          assert.equal(hx(c.decryptSymmetric(h(key), data)), v.plaintext_raw)
        }
        if ('ecies' in v && v.recipient_key !== undefined) {
          const e = v.ecies
          const recipient = h(v.recipient_key.public_uncompressed)
          const z = c.secp256k1Ecdh(sk(e.ephemeral_private), recipient)
          assert.equal(hx(z), e.shared_z)
          const k = c.sha256(concatBytes(Uint8Array.of(0, 0, 0, 1), z))
          assert.equal(hx(k), e.kdf_output)
          assert.equal(hx(k.subarray(0, 16)), e.ke_aes128)
          assert.equal(hx(c.sha256(k.subarray(16))), e.km_hmac_sha256_key)
          const body = c.aesCtr(k.subarray(0, 16), h(e.iv), raw)
          assert.equal(hx(body), e.aes128_ctr_body)
          const tag = c.hmacSha256(h(e.km_hmac_sha256_key), concatBytes(h(e.iv), body))
          assert.equal(hx(tag), e.hmac_tag)
          for (const to of [recipient, h(v.recipient_key.public_compressed)]) {
            const data = c.eciesEncrypt(to, raw, {
              ephemeral: sk(e.ephemeral_private),
              iv: h(e.iv),
            })
            assert.equal(hx(data), v.envelope.data)
          }
          assert.equal(
            hx(c.eciesDecrypt(sk(v.recipient_key.private), h(v.envelope.data))),
            e.decrypted,
          )
          const bad = h(v.envelope.data)
          bad[bad.length - 1]! ^= 1
          throwsCode(() => c.eciesDecrypt(sk(v.recipient_key.private), bad), 'MAC_MISMATCH')
        }
        assert.equal(hx(c.keccak256(h(v.envelope_rlp))), v.envelope_hash_keccak256)
      })
    }
  })
}
