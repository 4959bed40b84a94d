/**
 * The `BundleDirectory` interface (whitepaper §2.3 "Bundle retrieval": contact codes, public and
 * 1:1 chats, QR codes, "ENS record", "decentralized permanent storage"): somewhere a prekey bundle
 * can be published once and fetched by anyone who knows the owner's chat key or name, so that the
 * first message of a conversation already runs X3DH.
 *
 * A directory is never trusted: every implementation verifies what it returns (the bundle's
 * signature, the name claim, each one-time prekey's signature) and returns nothing rather than
 * something unverified.
 *
 * @module
 */
import type { Bundle } from '../../wire/index.ts'

/**
 * A one-time prekey (our extension, x3dh/x3dh.ts: the whitepaper §2.3 "user-specific second
 * bundle"), signed by the identity so that a directory cannot substitute its own.
 */
export interface OneTimePreKeyEntry {
  /** Compressed secp256k1 public key, 33 bytes, lowercase hex. */
  readonly key: string
  /** 65-byte recoverable signature by the identity key (`claims.ts`), lowercase hex. */
  readonly signature: string
}

/** A verified bundle, as a directory returns it. */
export interface ResolvedBundle {
  /** The owner's chat key, `0x04…`. */
  readonly publicKey: string
  /** The bundle; its signature has been checked against `publicKey`. */
  readonly bundle: Bundle
  /** The bundle as a contact code: `Messenger.addContact(contactCode)` then starts with X3DH. */
  readonly contactCode: string
  /** Where it came from. */
  readonly source: 'network' | 'store-node' | 'static'
  /** The name it was registered under (static directory), verified against the owner's key. */
  readonly name?: string
  /** One one-time prekey handed out to this requester only (static directory). */
  readonly oneTimePreKey?: OneTimePreKeyEntry
}

export interface PublishOptions {
  /** The name to register (static directory); ignored by the network directory. */
  readonly name?: string
  /** One-time prekeys to hand out, one per requester (static directory). */
  readonly oneTimePreKeys?: readonly OneTimePreKeyEntry[]
}

export interface BundleDirectory {
  /**
   * Publishes our signed bundle.
   * @throws {PfsError} `INVALID_ARGUMENT` (not our bundle, bad name), `BUNDLE_SIGNATURE`,
   *   `NETWORK_FAILURE`
   */
  publish(bundle: Bundle, options?: PublishOptions): Promise<void>
  /**
   * The newest verified bundle of a chat key (`0x04…`, `zQ3…`) or a registered name; undefined
   * when the directory has none.
   * @throws {PfsError} `BUNDLE_SIGNATURE` when the directory answered with something that does
   *   not verify, `NETWORK_FAILURE`
   */
  resolve(chatKeyOrName: string): Promise<ResolvedBundle | undefined>
}
