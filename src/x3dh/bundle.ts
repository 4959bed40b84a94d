/**
 * Prekey bundles: create, sign and verify (PROTOCOL.md §4.1-§4.3, whitepaper §2.2).
 *
 * A bundle lists one signed prekey (SPK) per installation of an identity, signed with the identity
 * key over the material of `signature-material.ts` and stamped with a timestamp in int64
 * nanoseconds (a `bigint`: it exceeds 2^53, PROTOCOL.md §16). Signatures are recoverable, so
 * verification recovers the signer and compares it with the bundle's identity.
 *
 * `protocol_version` is **not** covered by the signature (PROTOCOL.md §2, §15.3): anyone relaying a
 * bundle can change it. Treat it as an untrusted capability hint, never as a security decision.
 *
 * Storage, rotation and which installations a bundle lists are the protocol layer's business, not
 * this module's.
 *
 * @module
 */
import { bytesEqual, defaultProvider } from '../crypto/index.ts'
import type {
  CompressedPublicKey,
  CryptoProvider,
  SecretKey,
  UncompressedPublicKey,
} from '../crypto/index.ts'
import { BundleError, isPfsError } from '../errors.ts'
import type { ErrorDetails } from '../errors.ts'
import {
  BundleSchema,
  COMPRESSED_KEY_LENGTH,
  SIGNATURE_LENGTH,
  SignedPreKeySchema,
  create,
  limits,
} from '../wire/index.ts'
import type { Bundle, SignedPreKey } from '../wire/index.ts'
import { signatureMaterial } from './signature-material.ts'

/** The `protocol_version` current status-go writes for its own installation (PROTOCOL.md §4.1). */
export const CURRENT_PROTOCOL_VERSION = 1

const UINT32_MAX = 0xffff_ffff
const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

/** One installation's entry when creating a bundle. */
export interface SignedPreKeyInput {
  /** Opaque installation id (a UUIDv4 in status-go); any non-empty string. */
  readonly installationId: string
  /** The installation's SPK public key; any encoding, stored compressed (33 bytes). */
  readonly key: Uint8Array
  /** SPK generation counter (uint32); the reference starts at 1 and adds 1 per rotation. */
  readonly version: number
  /** Unsigned capability level; defaults to `CURRENT_PROTOCOL_VERSION`. */
  readonly protocolVersion?: number
}

export interface CreateBundleOptions {
  /** The identity private key that signs the bundle; its public key becomes `Bundle.identity`. */
  readonly identity: SecretKey
  readonly signedPreKeys: readonly SignedPreKeyInput[]
  /** Signing time, int64 nanoseconds since the epoch; defaults to now. `0n` = legacy, unstamped. */
  readonly timestamp?: bigint
  readonly crypto?: CryptoProvider
}

export interface SignBundleOptions {
  /** Defaults to now: the reference re-stamps the bundle on every signature (PROTOCOL.md §4.1). */
  readonly timestamp?: bigint
  readonly crypto?: CryptoProvider
}

export interface VerifyBundleOptions {
  readonly crypto?: CryptoProvider
}

/** The current time in int64 nanoseconds, the unit of `Bundle.timestamp`. */
export function nowNanoseconds(): bigint {
  return BigInt(Date.now()) * 1_000_000n
}

function checkTimestamp(timestamp: bigint): void {
  if (typeof timestamp !== 'bigint' || timestamp < INT64_MIN || timestamp > INT64_MAX) {
    throw new RangeError('"timestamp" expected an int64 bigint (nanoseconds)')
  }
}

function isUint32(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= UINT32_MAX
}

/** Adds an entry without ever touching the prototype (an id may be "__proto__"). */
export function _setEntry<V>(map: Record<string, V>, key: string, value: V): void {
  Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true })
}

/** A deep copy of one entry, so that bundles we return share no arrays with their inputs. */
export function _copySignedPreKey(spk: SignedPreKey): SignedPreKey {
  return create(SignedPreKeySchema, {
    signedPreKey: Uint8Array.from(spk.signedPreKey),
    version: spk.version,
    protocolVersion: spk.protocolVersion,
  })
}

/**
 * Builds and signs a bundle for one or several installations (PROTOCOL.md §4.1 step 2 and 4).
 * Bad arguments are programmer errors: `TypeError`/`RangeError`, or `INVALID_KEY` for a key that
 * is not a curve point.
 */
export function createBundle(options: CreateBundleOptions): Bundle {
  const crypto = options.crypto ?? defaultProvider()
  const map: Record<string, SignedPreKey> = {}
  const seen = new Set<string>()
  for (const spk of options.signedPreKeys) {
    const id = spk.installationId
    if (
      typeof id !== 'string' ||
      id.length === 0 ||
      id.length > limits.MAX_INSTALLATION_ID_LENGTH
    ) {
      throw new RangeError('"installationId" expected a non-empty string of at most 256 chars')
    }
    if (seen.has(id)) throw new RangeError('"installationId" appears twice')
    seen.add(id)
    if (!isUint32(spk.version)) throw new RangeError('"version" expected a uint32')
    const protocolVersion = spk.protocolVersion ?? CURRENT_PROTOCOL_VERSION
    if (!isUint32(protocolVersion)) throw new RangeError('"protocolVersion" expected a uint32')
    const entry = create(SignedPreKeySchema, {
      signedPreKey: crypto.compressPublicKey(spk.key),
      version: spk.version,
      protocolVersion,
    })
    _setEntry(map, id, entry)
  }
  if (seen.size > limits.MAX_SIGNED_PRE_KEYS_PER_BUNDLE) {
    throw new RangeError('"signedPreKeys" has more entries than a bundle may carry')
  }
  const unsigned = create(BundleSchema, { signedPreKeys: map })
  return signBundle(unsigned, options.identity, {
    timestamp: options.timestamp ?? nowNanoseconds(),
    crypto,
  })
}

/**
 * Returns a copy of `bundle` stamped with `timestamp`, carrying `identity`'s public key and signed
 * with it (`SignBundle`, PROTOCOL.md §4.1 step 4): `Sign(keccak256(material), IK)`. The input is
 * not modified.
 */
export function signBundle(
  bundle: Bundle,
  identity: SecretKey,
  options: SignBundleOptions = {},
): Bundle {
  const crypto = options.crypto ?? defaultProvider()
  const timestamp = options.timestamp ?? nowNanoseconds()
  checkTimestamp(timestamp)
  checkShape(bundle, false)
  const map: Record<string, SignedPreKey> = {}
  for (const id of Object.keys(bundle.signedPreKeys)) {
    _setEntry(map, id, _copySignedPreKey(bundle.signedPreKeys[id]!))
  }
  const out = create(BundleSchema, {
    identity: crypto.secp256k1PublicKey(identity, true),
    signedPreKeys: map,
    timestamp,
  })
  out.signature = crypto.signKeccak(signatureMaterial(out), identity)
  return out
}

function malformed(message: string, details: ErrorDetails = {}): BundleError {
  return new BundleError('WIRE_MALFORMED', message, details)
}

/**
 * Shape checks on a bundle that may come from anywhere (decoded bytes, JSON, a caller's object),
 * so that nothing after them can throw anything but a `PfsError`. Lengths agree with the wire
 * codec's `validateBundle`.
 */
function checkShape(b: Bundle, signed: boolean): void {
  if (typeof b !== 'object' || b === null) throw malformed('bundle is not an object')
  if (signed) {
    if (!(b.identity instanceof Uint8Array) || b.identity.length !== COMPRESSED_KEY_LENGTH) {
      throw malformed('invalid identity length')
    }
    if (!(b.signature instanceof Uint8Array) || b.signature.length !== SIGNATURE_LENGTH) {
      // The reference's message for the same case (`SigToPub`, bundle.json truncated_signature).
      throw malformed('invalid signature length')
    }
    if (typeof b.timestamp !== 'bigint' || b.timestamp < INT64_MIN || b.timestamp > INT64_MAX) {
      throw malformed('invalid timestamp')
    }
  }
  const map: unknown = b.signedPreKeys
  if (typeof map !== 'object' || map === null) throw malformed('signed prekeys missing')
  const ids = Object.keys(map)
  if (ids.length > limits.MAX_SIGNED_PRE_KEYS_PER_BUNDLE) {
    throw malformed('too many signed prekeys in bundle', { count: ids.length })
  }
  for (const id of ids) {
    if (id.length === 0 || id.length > limits.MAX_INSTALLATION_ID_LENGTH) {
      throw malformed('installation id has the wrong length', { length: id.length })
    }
    const spk = (map as Record<string, Partial<SignedPreKey> | null | undefined>)[id]
    if (
      typeof spk !== 'object' ||
      spk === null ||
      !(spk.signedPreKey instanceof Uint8Array) ||
      spk.signedPreKey.length !== COMPRESSED_KEY_LENGTH ||
      !isUint32(spk.version) ||
      !isUint32(spk.protocolVersion)
    ) {
      throw malformed('invalid signed prekey', { installationId: id })
    }
  }
}

/** Maps a crypto failure to the bundle error, keeping the crypto layer's (public) message. */
function signatureError(e: unknown, fallback: string): BundleError {
  const message = isPfsError(e) ? e.message : fallback
  return new BundleError('BUNDLE_SIGNATURE', message, {}, { cause: e })
}

/**
 * Verifies `bundle` and returns its identity (compressed, 33 bytes, a fresh copy)
 * (`ExtractIdentity`, PROTOCOL.md §4.3): recompute the material, recover the signer from
 * `signature` over its keccak256, and compare it with the decompressed `identity`.
 *
 * Every failure is a `BundleError`, never another exception:
 * - `WIRE_MALFORMED` for a wrong shape (lengths, counts, types; the cases `decodeBundle` rejects
 *   too, e.g. a 64-byte signature);
 * - `BUNDLE_SIGNATURE` for everything cryptographic: an identity that is not a curve point (the
 *   crypto layer's `INVALID_KEY`, reported here as `BUNDLE_SIGNATURE` because the bundle then can't
 *   be attributed to anyone), a signature that does not recover (recovery id ≥ 2, r or s out of
 *   range), and a recovered key other than the identity.
 *
 * Messages repeat the reference's (`invalid public key`, `invalid signature recovery id`,
 * `identity key and signature mismatch`, …).
 *
 * Stricter than the reference: a correctly signed bundle whose SPK is not a curve point is
 * rejected (`WIRE_MALFORMED`) instead of failing later in X3DH. `protocol_version` is returned
 * unverified as part of the bundle: it is not signed.
 */
export function verifyBundle(
  bundle: Bundle,
  options: VerifyBundleOptions = {},
): CompressedPublicKey {
  const crypto = options.crypto ?? defaultProvider()
  checkShape(bundle, true)
  let identity: UncompressedPublicKey
  try {
    identity = crypto.decompressPublicKey(bundle.identity)
  } catch (e) {
    throw signatureError(e, 'invalid public key')
  }
  let recovered: UncompressedPublicKey
  try {
    recovered = crypto.recoverKeccak(signatureMaterial(bundle), bundle.signature)
  } catch (e) {
    throw signatureError(e, 'signature does not recover to a public key')
  }
  // Equal points ⇔ equal Ethereum addresses, which is what the reference compares. Both are
  // public, so a plain comparison is fine.
  if (!bytesEqual(recovered, identity)) {
    throw new BundleError('BUNDLE_SIGNATURE', 'identity key and signature mismatch')
  }
  for (const id of Object.keys(bundle.signedPreKeys)) {
    if (!crypto.isValidPublicKey(bundle.signedPreKeys[id]!.signedPreKey)) {
      throw malformed('signed prekey is not a valid public key', { installationId: id })
    }
  }
  return Uint8Array.from(bundle.identity) as CompressedPublicKey
}
