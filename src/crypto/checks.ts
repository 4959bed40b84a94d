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
