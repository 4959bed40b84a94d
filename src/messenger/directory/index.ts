/**
 * Bundle directories (whitepaper §2.3 "Bundle retrieval"): the `BundleDirectory` interface and
 * its two implementations — the network one (contact-code advertisements, live and from store
 * nodes) and the signed static directory served over HTTP — plus one-time prekeys for the latter.
 *
 * @module
 */
export type {
  BundleDirectory,
  OneTimePreKeyEntry,
  PublishOptions,
  ResolvedBundle,
} from './types.ts'
export { ADVERTISEMENT_TTL_SECONDS, NetworkDirectory } from './network-directory.ts'
export type { NetworkDirectoryOptions } from './network-directory.ts'
export { StaticDirectory } from './static-directory.ts'
export type { StaticDirectoryOptions } from './static-directory.ts'
export { DirectoryServer, MAX_POOL_SIZE, MAX_REQUEST_BYTES } from './static-server.ts'
export type { DirectoryServerOptions } from './static-server.ts'
export {
  DIRECTORY_DOCUMENT_VERSION,
  directoryName,
  entryJson,
  readDocument,
  verifyEntry,
} from './static-document.ts'
export type { DirectoryDocument, DirectoryEntryJson, VerifiedEntry } from './static-document.ts'
export { signNameClaim, signOneTimePreKey, verifyNameClaim, verifyOneTimePreKey } from './claims.ts'
export { MAX_ONE_TIME_PREKEYS, createOneTimePreKeys } from './one-time-prekeys.ts'
export { addContactVia } from './add-contact.ts'
export type { AddContactTarget } from './add-contact.ts'
