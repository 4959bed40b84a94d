/**
 * The signed static directory document (whitepaper §2.3 "ENS record", "decentralized permanent
 * storage"): a JSON document mapping names to signed bundles, which anyone may host because no
 * reader trusts it. Format, version 1:
 *
 * ```json
 * { "version": 1,
 *   "entries": { "alice": { "bundle": "<base64url of the Bundle protobuf>",
 *                           "nameSignature": "<hex, 65 B: the identity's claim on the name>" } } }
 * ```
 *
 * An entry is accepted only if its bundle verifies (PROTOCOL.md §4.3) and its name claim is
 * signed by the same identity (`claims.ts`). One-time prekeys are not in the document: the server
 * hands them out one per request.
 *
 * @module
 */
import { defaultProvider, toHex } from '../../crypto/index.ts'
import type { CryptoProvider } from '../../crypto/index.ts'
import { BundleError, PfsError, isPfsError } from '../../errors.ts'
import { decodeBundle, encodeBundle } from '../../wire/index.ts'
import type { Bundle } from '../../wire/index.ts'
import { fromBase64Url, toBase64Url } from '../base64url.ts'
import { encodeContactCode } from '../contact-code.ts'
import { publicChatName } from '../public/chat-name.ts'
import { verifiedIdentity, verifyNameClaim, verifyOneTimePreKey } from './claims.ts'
import type { OneTimePreKeyEntry, ResolvedBundle } from './types.ts'

export const DIRECTORY_DOCUMENT_VERSION = 1

/** One entry as stored in the JSON document. */
export interface DirectoryEntryJson {
  readonly bundle: string
  readonly nameSignature: string
}

export interface DirectoryDocument {
  readonly version: typeof DIRECTORY_DOCUMENT_VERSION
  readonly entries: Readonly<Record<string, DirectoryEntryJson>>
}

/** A verified entry. */
export interface VerifiedEntry {
  readonly name: string
  readonly identity: Uint8Array
  readonly bundle: Bundle
  readonly json: DirectoryEntryJson
}

/**
 * Directory names follow the public chat rule (lowercase letters, digits, dashes).
 * @throws {PfsError} `INVALID_ARGUMENT`
 */
export function directoryName(name: string): string {
  return publicChatName(name)
}

/** The JSON entry of a bundle and its name claim. */
export function entryJson(bundle: Bundle, nameSignature: string): DirectoryEntryJson {
  return { bundle: toBase64Url(encodeBundle(bundle)), nameSignature }
}

/**
 * Verifies one entry: the bundle's signature, then the identity's claim on `name`.
 * @throws {PfsError} `BUNDLE_SIGNATURE` (tampered bundle or name claim), `WIRE_MALFORMED`
 */
export function verifyEntry(
  name: string,
  entry: unknown,
  crypto: CryptoProvider = defaultProvider(),
): VerifiedEntry {
  if (typeof entry !== 'object' || entry === null) throw malformed('entry is not an object')
  const { bundle: b64, nameSignature } = entry as Record<string, unknown>
  if (typeof b64 !== 'string' || typeof nameSignature !== 'string') {
    throw malformed('entry fields missing')
  }
  const bytes = fromBase64Url(b64)
  if (bytes === undefined) throw malformed('bundle is not base64url')
  const bundle = decodeBundle(bytes)
  const identity = verifiedIdentity(bundle, crypto)
  if (!verifyNameClaim(name, identity, nameSignature, crypto)) {
    throw new BundleError('BUNDLE_SIGNATURE', 'name claim not signed by the bundle identity')
  }
  return { name, identity, bundle, json: { bundle: b64, nameSignature } }
}

/**
 * Every entry of a document that verifies, and the names of those that do not (a reader skips
 * those: the directory is not trusted).
 * @throws {PfsError} `WIRE_MALFORMED` when the document itself is not one
 */
export function readDocument(
  doc: unknown,
  crypto: CryptoProvider = defaultProvider(),
): { entries: Map<string, VerifiedEntry>; rejected: string[] } {
  if (typeof doc !== 'object' || doc === null) throw malformed('document is not an object')
  const { version, entries } = doc as Record<string, unknown>
  if (version !== DIRECTORY_DOCUMENT_VERSION) throw malformed('unknown document version')
  if (typeof entries !== 'object' || entries === null) throw malformed('no entries')
  const ok = new Map<string, VerifiedEntry>()
  const rejected: string[] = []
  for (const [name, e] of Object.entries(entries)) {
    try {
      if (directoryName(name) !== name) throw malformed('name not canonical')
      ok.set(name, verifyEntry(name, e, crypto))
    } catch (err) {
      if (!isPfsError(err)) throw err
      rejected.push(name)
    }
  }
  return { entries: ok, rejected }
}

/**
 * A verified entry as a `ResolvedBundle`, with its one-time prekey checked too.
 * @throws {PfsError} `BUNDLE_SIGNATURE` when the one-time prekey is not the identity's
 */
export function resolvedFrom(
  e: VerifiedEntry,
  crypto: CryptoProvider,
  oneTimePreKey?: OneTimePreKeyEntry,
): ResolvedBundle {
  if (oneTimePreKey !== undefined && !verifyOneTimePreKey(e.identity, oneTimePreKey, crypto)) {
    throw new BundleError('BUNDLE_SIGNATURE', 'one-time prekey not signed by the identity')
  }
  return {
    publicKey: `0x${toHex(crypto.decompressPublicKey(e.identity))}`,
    bundle: e.bundle,
    contactCode: encodeContactCode(e.bundle),
    source: 'static',
    name: e.name,
    ...(oneTimePreKey === undefined ? {} : { oneTimePreKey }),
  }
}

function malformed(message: string): PfsError {
  return new PfsError('WIRE_MALFORMED', `directory: ${message}`)
}
