/**
 * Builds a full `CryptoProvider` from a backend's `Primitives`: the reference's composite
 * constructions are written once here, so both backends share them byte for byte.
 *
 * @module
 */
import { PfsError } from '../errors.ts'
import { bytesEqual, concatBytes, constantTimeEqual, wipe } from './bytes.ts'
import { checkSignature, invalidKey, macMismatch } from './checks.ts'
import type {
  CompressedPublicKey,
  CryptoProvider,
  EciesOptions,
  KeyPair,
  Primitives,
  RecoverableSignature,
  UncompressedPublicKey,
} from './types.ts'
import type { SecretKey } from './secret.ts'

/** AES-GCM nonce length of status-go's `EncryptSymmetric` (PROTOCOL.md §6). */
export const GCM_NONCE_LENGTH = 12
const GCM_TAG_LENGTH = 16
/** go-ethereum ECIES_AES128_SHA256: 65-byte R, 16-byte IV, 32-byte HMAC-SHA256 tag. */
const ECIES_R_LENGTH = 65
const ECIES_IV_LENGTH = 16
const ECIES_TAG_LENGTH = 32

function checkPublicKeyShape(publicKey: Uint8Array): void {
  const ok =
    (publicKey.length === 33 && (publicKey[0] === 2 || publicKey[0] === 3)) ||
    (publicKey.length === 65 && publicKey[0] === 4)
  if (!ok) throw invalidKey('invalid public key')
}

/** Slots of the conversion memo, per output form (a power of two). */
const CONVERTED_SLOTS = 512

/**
 * Memoizes SEC1 conversions of public keys: the receive path converts the same few senders' keys
 * for every message (signer → chat key, chat key → message id), and one conversion is a point
 * decompression (~9 µs on the addon, ~200 µs on noble; issue 9 catch-up profile). A direct-mapped
 * table indexed by two bytes of X (uniform for valid keys), checked byte for byte; a collision
 * only evicts. Keys are public (no constant-time compare needed), only valid ones are kept, and
 * every call returns a fresh copy.
 */
function convertedKeys(
  convert: (publicKey: Uint8Array, compressed: boolean) => Uint8Array,
): (publicKey: Uint8Array, compressed: boolean) => Uint8Array {
  const inputs: (Uint8Array | undefined)[] = new Array<undefined>(4 * CONVERTED_SLOTS)
  const outputs: (Uint8Array | undefined)[] = new Array<undefined>(4 * CONVERTED_SLOTS)
  return (publicKey, compressed) => {
    checkPublicKeyShape(publicKey)
    // One quarter of the table per (input form, output form): the receive path compresses both
    // forms of the same sender's key, which would otherwise evict each other on every message.
    const slot =
      (((publicKey[1]! << 8) | publicKey[2]!) & (CONVERTED_SLOTS - 1)) +
      (compressed ? 2 * CONVERTED_SLOTS : 0) +
      (publicKey.length === 33 ? CONVERTED_SLOTS : 0)
    const known = inputs[slot]
    if (known !== undefined && bytesEqual(known, publicKey)) return outputs[slot]!.slice()
    const out = convert(publicKey, compressed)
    inputs[slot] = publicKey.slice()
    outputs[slot] = out.slice()
    return out
  }
}

/** Wraps `p` with the composite operations. */
export function makeProvider(p: Primitives): CryptoProvider {
  const convert = convertedKeys((k, c) => p.secp256k1ConvertPublicKey(k, c))
  const compress = (publicKey: Uint8Array): CompressedPublicKey =>
    convert(publicKey, true) as CompressedPublicKey
  const decompress = (publicKey: Uint8Array): UncompressedPublicKey =>
    convert(publicKey, false) as UncompressedPublicKey
  const keyPairFromPrivate = (privateKey: SecretKey): KeyPair => ({
    privateKey,
    publicKey: p.secp256k1PublicKey(privateKey, true) as CompressedPublicKey,
  })

  // NIST SP 800-56 concatenation KDF with SHA-256, as go-ethereum's ecies.concatKDF with s1 empty;
  // one block suffices for the 32 bytes ECIES_AES128_SHA256 needs.
  const eciesKeys = (z: Uint8Array): { ke: Uint8Array; km: Uint8Array } => {
    const k = p.sha256(concatBytes(new Uint8Array([0, 0, 0, 1]), z))
    const ke = k.slice(0, 16)
    const km = p.sha256(k.subarray(16, 32))
    wipe(k, z)
    return { ke, km }
  }

  const pair = p.hmacSha256Pair?.bind(p)
  return {
    ...p,
    hmacSha256Pair:
      pair ?? ((key, first, second) => [p.hmacSha256(key, first), p.hmacSha256(key, second)]),
    generateKeyPair: () => keyPairFromPrivate(p.secp256k1GeneratePrivateKey()),
    keyPairFromPrivate,
    compressPublicKey: compress,
    decompressPublicKey: decompress,
    isValidPublicKey(publicKey) {
      try {
        compress(publicKey)
        return true
      } catch {
        return false
      }
    },
    signKeccak: (data, privateKey) =>
      p.secp256k1SignRecoverable(p.keccak256(data), privateKey) as RecoverableSignature,
    recoverKeccak(data, signature) {
      checkSignature(signature)
      return p.secp256k1Recover(p.keccak256(data), signature, false) as UncompressedPublicKey
    },
    verifyKeccak(data, signature, publicKey) {
      try {
        const recovered = p.secp256k1Recover(p.keccak256(data), signature, false)
        return constantTimeEqual(recovered, decompress(publicKey))
      } catch {
        return false
      }
    },
    encryptSymmetric(key, plaintext, nonce) {
      const n = nonce ?? p.randomBytes(GCM_NONCE_LENGTH)
      if (n.length !== GCM_NONCE_LENGTH) throw new TypeError('"nonce" expected 12 bytes')
      return concatBytes(p.aesGcmSeal(key, n, plaintext), n)
    },
    decryptSymmetric(key, data) {
      if (data.length < GCM_NONCE_LENGTH + GCM_TAG_LENGTH) {
        throw new PfsError('WIRE_MALFORMED', 'symmetric payload too short', {
          length: data.length,
        })
      }
      const nonce = data.subarray(data.length - GCM_NONCE_LENGTH)
      return p.aesGcmOpen(key, nonce, data.subarray(0, data.length - GCM_NONCE_LENGTH))
    },
    eciesEncrypt(recipient, plaintext, options: EciesOptions = {}) {
      const ephemeral = options.ephemeral ?? p.secp256k1GeneratePrivateKey()
      const iv = options.iv ?? p.randomBytes(ECIES_IV_LENGTH)
      if (iv.length !== ECIES_IV_LENGTH) throw new TypeError('"iv" expected 16 bytes')
      const { ke, km } = eciesKeys(p.secp256k1Ecdh(ephemeral, recipient))
      const body = p.aesCtr(ke, iv, plaintext)
      const tag = p.hmacSha256(km, concatBytes(iv, body))
      const r = p.secp256k1PublicKey(ephemeral, false)
      wipe(ke, km)
      if (options.ephemeral === undefined) ephemeral.destroy()
      return concatBytes(r, iv, body, tag)
    },
    eciesDecrypt(privateKey, data) {
      if (data.length < ECIES_R_LENGTH + ECIES_IV_LENGTH + ECIES_TAG_LENGTH || data[0] !== 4) {
        throw new PfsError('WIRE_MALFORMED', 'ECIES payload malformed', { length: data.length })
      }
      const r = data.subarray(0, ECIES_R_LENGTH)
      const ivAndBody = data.subarray(ECIES_R_LENGTH, data.length - ECIES_TAG_LENGTH)
      const tag = data.subarray(data.length - ECIES_TAG_LENGTH)
      let z: Uint8Array
      try {
        z = p.secp256k1Ecdh(privateKey, r)
      } catch {
        throw macMismatch()
      }
      const { ke, km } = eciesKeys(z)
      const ok = constantTimeEqual(p.hmacSha256(km, ivAndBody), tag)
      wipe(km)
      if (!ok) {
        wipe(ke)
        throw macMismatch()
      }
      const out = p.aesCtr(ke, ivAndBody.subarray(0, ECIES_IV_LENGTH), ivAndBody.subarray(16))
      wipe(ke)
      return out
    },
    constantTimeEqual,
  }
}
