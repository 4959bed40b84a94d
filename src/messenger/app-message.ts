/**
 * The application layer inside the encryption layer (PROTOCOL.md §1 item 6): every payload is an
 * `ApplicationMetadataMessage {signature, payload, type}` whose signature is the sender's
 * recoverable secp256k1 signature over `keccak256(payload)`, and whose id is
 * `keccak256(sender public key (65 B) ‖ ApplicationMetadataMessage bytes)` (status-go
 * `protocol/v1/message.go MessageID`), written `0x…`.
 *
 * @module
 */
import { bytesEqual, concatBytes, toHex } from '../crypto/index.ts'
import type { CryptoProvider, SecretKey } from '../crypto/index.ts'
import { PfsError } from '../errors.ts'
import {
  ApplicationMetadataMessageSchema,
  create,
  decodeApplicationMetadataMessage,
  encodeApplicationMetadataMessage,
} from '../wire/index.ts'
import { DIGEST, SIGNATURE, SIGNER } from './sync-app-entries.ts'
import type { RecoveredApp } from './sync-app-entries.ts'

/** An application message ready to encrypt, with its id. */
export interface WrappedMessage {
  readonly bytes: Uint8Array
  readonly id: string
}

/** Signs `payload` and wraps it; `sender` is our 65-byte public key (for the id). */
export function wrapApplicationMessage(
  type: number,
  payload: Uint8Array,
  identity: SecretKey,
  sender: Uint8Array,
  crypto: CryptoProvider,
): WrappedMessage {
  const signature = crypto.signKeccak(payload, identity)
  const bytes = encodeApplicationMetadataMessage(
    create(ApplicationMetadataMessageSchema, { signature, payload, type }),
  )
  return { bytes, id: messageId(sender, bytes, crypto) }
}

/** status-go `MessageID`: keccak256(65-byte author key ‖ data), `0x`-hex. */
export function messageId(sender: Uint8Array, bytes: Uint8Array, crypto: CryptoProvider): string {
  const key = crypto.decompressPublicKey(sender)
  return `0x${toHex(crypto.keccak256(concatBytes(key, bytes)))}`
}

export interface UnwrappedMessage {
  readonly type: number
  readonly payload: Uint8Array
  readonly id: string
}

/** Entries a {@link RecoveredSignatures} keeps by default: a few sync batches ahead, bounded. */
export const RECOVERED_SIGNATURES_LIMIT = 8192

/**
 * A map key from the first 53 bits of a 65-byte signature's `r` (uniform for honest signers):
 * hex-encoding all 65 bytes cost more than the lookup saves. Only a key: `take` compares the
 * whole signature.
 */
function signatureKey(signature: Uint8Array): number {
  const v = new DataView(signature.buffer, signature.byteOffset, 8)
  return v.getUint32(0) * 0x200000 + (v.getUint32(4) >>> 11)
}

/**
 * Application signatures recovered ahead of time (issue 9 catch-up): during `Messenger.sync()` the
 * envelope-opening worker (sync-open-worker.ts) decrypts a shadow copy of the ratchet sessions and
 * recovers each application signature's signer there, so that the main thread's
 * {@link unwrapApplicationMessage} can skip its own ECDSA recovery.
 *
 * Why a hit is as good as recovering: public-key recovery is a deterministic function of
 * (signature, digest); an entry holds only public values — the signature, keccak256(payload) and
 * the key recovered from both by the same provider code — and `take` returns a signer only for an
 * equal signature and an equal digest, byte for byte, i.e. the very inputs the main thread would
 * recover from. The message's payload is still hashed on the main thread, and every other check
 * (the signer equals the envelope signer, the message id) runs unchanged. Entries come only from
 * the worker's own recovery, never from the network; one made from a different plaintext (a
 * shadow session that diverged, a forged or altered message) has another signature or digest and
 * is simply not used.
 *
 * Bounded: past `limit` entries the oldest is dropped (an entry is also dropped when taken).
 */
export class RecoveredSignatures {
  readonly #entries = new Map<number, RecoveredApp>()
  readonly #limit: number
  #hits = 0

  constructor(limit: number = RECOVERED_SIGNATURES_LIMIT) {
    this.#limit = Math.max(1, Math.floor(limit))
  }

  /** How many `take` calls found their entry. */
  get hits(): number {
    return this.#hits
  }

  /** Entries held. */
  get size(): number {
    return this.#entries.size
  }

  /** Records that `signature` over `digest` recovers to `signer` (65 bytes); copies all three. */
  remember(signature: Uint8Array, digest: Uint8Array, signer: Uint8Array): void {
    if (signature.length !== SIGNATURE || digest.length !== DIGEST || signer.length !== SIGNER) {
      return
    }
    const key = signatureKey(signature)
    // Re-inserted at the end: the map's order is the eviction order. Another signature with the
    // same key (only a signer reusing a nonce can make one) replaces the older entry.
    this.#entries.delete(key)
    this.#entries.set(key, {
      signature: signature.slice(),
      digest: digest.slice(),
      signer: signer.slice(),
    })
    while (this.#entries.size > this.#limit) {
      const oldest = this.#entries.keys().next()
      if (oldest.done === true) break
      this.#entries.delete(oldest.value)
    }
  }

  /**
   * The signer recorded for `signature` when it was recorded with this very `digest`, removed;
   * undefined otherwise (then the caller recovers itself). An entry with another digest is left.
   */
  take(signature: Uint8Array, digest: Uint8Array): Uint8Array | undefined {
    if (signature.length !== SIGNATURE) return undefined
    const key = signatureKey(signature)
    const entry = this.#entries.get(key)
    if (
      entry === undefined ||
      !bytesEqual(entry.signature, signature) ||
      !bytesEqual(entry.digest, digest)
    ) {
      return undefined
    }
    this.#entries.delete(key)
    this.#hits++
    return entry.signer
  }
}

/**
 * The signer of `signature` over `payload`: from `recovered` when it holds this (signature,
 * keccak256(payload)) pair, else recovered here (see {@link RecoveredSignatures} for why both are
 * the same). Throws what `recoverKeccak` throws.
 */
function recoverSigner(
  payload: Uint8Array,
  signature: Uint8Array,
  crypto: CryptoProvider,
  recovered: RecoveredSignatures | undefined,
): Uint8Array {
  if (recovered === undefined) return crypto.recoverKeccak(payload, signature)
  const digest = crypto.keccak256(payload)
  // `recoverKeccak(payload, sig)` is `secp256k1Recover(keccak256(payload), sig, false)` on both
  // providers (crypto/provider.ts), which checks the signature's length and recovery id itself.
  return recovered.take(signature, digest) ?? crypto.secp256k1Recover(digest, signature, false)
}

/**
 * Parses an `ApplicationMetadataMessage` from `sender` (the envelope signer) and checks that its
 * signature is the sender's. `recovered`: signers recovered ahead of time during a sync
 * ({@link RecoveredSignatures}); the result and every check are the same with or without it.
 * @throws {PfsError} `WIRE_MALFORMED`, `INVALID_SIGNATURE` (missing, or someone else's)
 */
export function unwrapApplicationMessage(
  bytes: Uint8Array,
  sender: Uint8Array,
  crypto: CryptoProvider,
  recovered?: RecoveredSignatures,
): UnwrappedMessage {
  const m = decodeApplicationMetadataMessage(bytes)
  if (m.signature.length === 0) {
    throw new PfsError('INVALID_SIGNATURE', 'application message is not signed')
  }
  let signer: Uint8Array
  try {
    signer = recoverSigner(m.payload, m.signature, crypto, recovered)
  } catch (e) {
    throw new PfsError(
      'INVALID_SIGNATURE',
      'application signature does not recover',
      {},
      {
        cause: e,
      },
    )
  }
  if (!bytesEqual(signer, crypto.decompressPublicKey(sender))) {
    throw new PfsError('INVALID_SIGNATURE', 'application message signed by another key')
  }
  return { type: m.type, payload: m.payload, id: messageId(sender, bytes, crypto) }
}
