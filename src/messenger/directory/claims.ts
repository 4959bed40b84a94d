/**
 * Signatures that make a static directory untrusted (issue 12): the owner's identity key signs
 *
 * - the *name claim* `"status-pfs/directory/name\0" ‖ name ‖ "\0" ‖ identity(33 B)`, so a directory
 *   cannot list someone's genuine bundle under another name;
 * - each *one-time prekey* `"status-pfs/directory/otpk\0" ‖ identity(33 B) ‖ key(33 B)`, so it
 *   cannot slip in a key of its own.
 *
 * Signatures are the reference's: recoverable secp256k1 over keccak256 (PROTOCOL.md §3). The
 * domain-separation prefixes keep them from ever verifying as a bundle or message signature.
 *
 * @module
 */
import { bytesEqual, concatBytes, fromHex, toHex, utf8 } from '../../crypto/index.ts'
import type { CryptoProvider, SecretKey } from '../../crypto/index.ts'
import { BundleError } from '../../errors.ts'
import type { Bundle } from '../../wire/index.ts'
import { verifyBundle } from '../../x3dh/index.ts'
import type { OneTimePreKeyEntry } from './types.ts'

const NAME_DOMAIN = 'status-pfs/directory/name\0'
const OTPK_DOMAIN = 'status-pfs/directory/otpk\0'

function nameClaim(name: string, identity: Uint8Array): Uint8Array {
  return concatBytes(utf8(`${NAME_DOMAIN}${name}\0`), identity)
}

function otpkClaim(identity: Uint8Array, key: Uint8Array): Uint8Array {
  return concatBytes(utf8(OTPK_DOMAIN), identity, key)
}

/** Signs the claim that `name` is ours. */
export function signNameClaim(name: string, identity: SecretKey, crypto: CryptoProvider): string {
  const pub = crypto.secp256k1PublicKey(identity, true)
  return toHex(crypto.signKeccak(nameClaim(name, pub), identity))
}

/** True when `signature` is `identity`'s claim on `name`. */
export function verifyNameClaim(
  name: string,
  identity: Uint8Array,
  signature: string,
  crypto: CryptoProvider,
): boolean {
  try {
    const id = crypto.compressPublicKey(identity)
    return crypto.verifyKeccak(nameClaim(name, id), fromHex(signature), id)
  } catch {
    return false
  }
}

/** Signs a one-time prekey's public half. */
export function signOneTimePreKey(
  key: Uint8Array,
  identity: SecretKey,
  crypto: CryptoProvider,
): OneTimePreKeyEntry {
  const pub = crypto.secp256k1PublicKey(identity, true)
  const k = crypto.compressPublicKey(key)
  return { key: toHex(k), signature: toHex(crypto.signKeccak(otpkClaim(pub, k), identity)) }
}

/** True when `entry` is a valid key signed by `identity`. */
export function verifyOneTimePreKey(
  identity: Uint8Array,
  entry: OneTimePreKeyEntry,
  crypto: CryptoProvider,
): boolean {
  try {
    const id = crypto.compressPublicKey(identity)
    const k = fromHex(entry.key)
    if (k.length !== 33 || !crypto.isValidPublicKey(k)) return false
    return crypto.verifyKeccak(otpkClaim(id, k), fromHex(entry.signature), id)
  } catch {
    return false
  }
}

/**
 * Verifies `bundle` and, when given, that it is `expected`'s; returns the compressed identity.
 * @throws {BundleError} `BUNDLE_SIGNATURE` (also for another identity's bundle), `WIRE_MALFORMED`
 */
export function verifiedIdentity(
  bundle: Bundle,
  crypto: CryptoProvider,
  expected?: Uint8Array,
): Uint8Array {
  const identity = verifyBundle(bundle, { crypto })
  if (expected !== undefined && !bytesEqual(identity, crypto.compressPublicKey(expected))) {
    throw new BundleError('BUNDLE_SIGNATURE', 'bundle of another identity')
  }
  return identity
}
