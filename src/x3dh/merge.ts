/**
 * Merging a paired device's bundle into ours (PROTOCOL.md §4.4, §10; whitepaper §2.2).
 *
 * A bundle lists the SPKs of all of an identity's enabled installations. When a sibling device
 * sends its bundle, we take its entries and re-sign: per installation the entry with the higher
 * `version` wins, as the reference's bundle store keeps the highest non-expired version per
 * installation (`AddPublicBundle` expires lower versions). On a tie ours is kept, so a relayed
 * copy can never replace a key we already publish at the same generation.
 *
 * Which installations are enabled, and the cap of 3 (PROTOCOL.md §10), are the protocol layer's
 * decisions: filter `ours`/`sibling` before merging.
 *
 * @module
 */
import { bytesEqual, defaultProvider } from '../crypto/index.ts'
import type { CryptoProvider, SecretKey } from '../crypto/index.ts'
import { BundleError } from '../errors.ts'
import { BundleSchema, create } from '../wire/index.ts'
import type { Bundle, SignedPreKey } from '../wire/index.ts'
import { _copySignedPreKey, _setEntry, signBundle, verifyBundle } from './bundle.ts'

export interface MergeBundlesOptions {
  /** Our identity private key: the merged bundle is re-signed with it. */
  readonly identity: SecretKey
  /** Signing time of the merged bundle (int64 ns); defaults to now. */
  readonly timestamp?: bigint
  readonly crypto?: CryptoProvider
}

/**
 * Returns `ours` with `sibling`'s installations merged in (higher version wins per installation,
 * ties keep ours), re-signed with `options.identity`. Neither input is modified.
 *
 * `sibling` is verified first and must belong to our identity: a bundle of another identity, or
 * one that fails verification, throws `BundleError` (`BUNDLE_SIGNATURE` / `WIRE_MALFORMED`).
 * `ours` is local state and is re-signed as is; passing a bundle of a different identity than
 * `options.identity` is a programmer error (`RangeError`).
 */
export function mergeBundles(ours: Bundle, sibling: Bundle, options: MergeBundlesOptions): Bundle {
  const crypto = options.crypto ?? defaultProvider()
  const identity = crypto.secp256k1PublicKey(options.identity, true)
  if (ours.identity.length !== 0 && !bytesEqual(ours.identity, identity)) {
    throw new RangeError('"ours" belongs to another identity than "identity"')
  }
  const siblingIdentity = verifyBundle(sibling, { crypto })
  if (!bytesEqual(siblingIdentity, identity)) {
    throw new BundleError('BUNDLE_SIGNATURE', 'sibling bundle belongs to another identity')
  }
  const merged: Record<string, SignedPreKey> = {}
  for (const id of Object.keys(ours.signedPreKeys)) {
    _setEntry(merged, id, _copySignedPreKey(ours.signedPreKeys[id]!))
  }
  for (const id of Object.keys(sibling.signedPreKeys)) {
    const theirs = sibling.signedPreKeys[id]!
    const mine = Object.hasOwn(merged, id) ? merged[id] : undefined
    if (mine === undefined || theirs.version > mine.version) {
      _setEntry(merged, id, _copySignedPreKey(theirs))
    }
  }
  return signBundle(create(BundleSchema, { signedPreKeys: merged }), options.identity, {
    ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
    crypto,
  })
}
