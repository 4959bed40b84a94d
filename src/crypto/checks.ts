/**
 * Input checks and error constructors shared by both backends, so that they reject exactly the
 * same inputs with exactly the same codes.
 *
 * @module
 */
import { PfsError } from '../errors.ts'

export function invalidKey(message: string): PfsError<'INVALID_KEY'> {
  return new PfsError('INVALID_KEY', message)
}

/** One code, no detail: no oracle on which part failed (STYLE.md §5). */
export function macMismatch(): PfsError<'MAC_MISMATCH'> {
  return new PfsError('MAC_MISMATCH', 'message authentication failed')
}

export function checkDigest(digest: Uint8Array): void {
  if (digest.length !== 32) throw new TypeError(`"digest" expected 32 bytes, got ${digest.length}`)
}

/** go-ethereum `SigToPub`: 65 bytes, recovery id below 4 (we only ever produce 0 and 1). */
export function checkSignature(signature: Uint8Array): void {
  if (signature.length !== 65) {
    throw new PfsError('INVALID_SIGNATURE', 'invalid signature length', {
      length: signature.length,
    })
  }
  if (signature[64]! >= 4) {
    throw new PfsError('INVALID_SIGNATURE', 'invalid signature recovery id')
  }
  if (signature[64]! >= 2) {
    // Recovery ids 2 and 3 mean r ≥ n, which RFC 6979 signers never produce.
    throw new PfsError('INVALID_SIGNATURE', 'signature does not recover to a public key')
  }
}

/** RFC 7748 §6.1: an all-zero X25519 output means a low-order point; reject it. */
export function checkX25519(out: Uint8Array): Uint8Array {
  let acc = 0
  for (const b of out) acc |= b
  if (acc === 0) throw invalidKey('x25519 public key is of low order')
  return out
}

/** AES key: 16, 24 or 32 bytes (AES-128 for geth ECIES, AES-256 everywhere else). */
export function checkAesKey(key: Uint8Array): void {
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
    throw new TypeError(`"key" expected 16, 24 or 32 bytes, got ${key.length}`)
  }
}

/** AES-CTR: the IV is one whole 16-byte counter block (PROTOCOL.md §7.1, Go `cipher.NewCTR`). */
export function checkCtrIv(iv: Uint8Array): void {
  if (iv.length !== 16) throw new TypeError(`"iv" expected 16 bytes, got ${iv.length}`)
}

/** AES-GCM: the protocol only uses 12-byte nonces; below 8 bytes the pure-JS backend refuses. */
export function checkGcmNonce(nonce: Uint8Array): void {
  if (nonce.length < 8) {
    throw new TypeError(`"nonce" expected at least 8 bytes, got ${nonce.length}`)
  }
}

/** RFC 5869 §2.3: L ≤ 255·HashLen. */
export function checkHkdfLength(length: number): void {
  if (!Number.isSafeInteger(length) || length < 0 || length > 255 * 32) {
    throw new RangeError(`"length" expected an integer in [0, 8160], got ${length}`)
  }
}

export function checkPbkdf2(iterations: number, length: number): void {
  if (!Number.isSafeInteger(iterations) || iterations < 1) {
    throw new RangeError(`"iterations" expected a positive integer, got ${iterations}`)
  }
  if (!Number.isSafeInteger(length) || length < 1) {
    throw new RangeError(`"length" expected a positive integer, got ${length}`)
  }
}

/** Both backends treat an X25519 private key of the wrong size as an invalid key, not a crash. */
export function checkX25519PrivateKey(length: number): void {
  if (length !== 32) throw invalidKey('x25519 private key must be 32 bytes')
}
