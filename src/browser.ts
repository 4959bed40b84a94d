/**
 * `status-pfs` for browsers: the portable core of the package with no Node built-in and no native
 * module behind it (issue 11). It is the package root minus what needs Node — `SqliteStore`, the
 * `native` crypto backend, the libp2p TCP transport, SQLite mailservers, brotli share links — plus
 * the browser's durable store, `IndexedDbStore`.
 *
 * Layers come as namespaces, as their subpath exports do on Node (`wire`, `x3dh`, `ratchet`,
 * `protocol`), so their names cannot collide (`ratchet.encrypt` vs `protocol`'s results); the
 * crypto helpers, stores, errors and the in-process network are flat.
 *
 * Bundlers must map `src/crypto/native.ts` (`dist/crypto/native.js`) to a module that re-exports
 * the portable primitives, as scripts/build-browser.mjs does: every layer picks its default
 * provider from the crypto index, which on Node holds the native backend. In the browser
 * `defaultProvider()` is then `portable`.
 *
 * @module
 */
export { ErrorCode, PfsError, WireError, BundleError, isPfsError } from './errors.ts'
export type { ErrorDetails } from './errors.ts'

// crypto: the portable provider and byte helpers (PROTOCOL.md §3)
export type {
  Brand,
  CompressedPublicKey,
  CryptoProvider,
  EciesOptions,
  KeyPair,
  Primitives,
  RecoverableSignature,
  UncompressedPublicKey,
  X25519KeyPair,
  X25519PublicKey,
} from './crypto/index.ts'
export {
  GCM_NONCE_LENGTH,
  SecretKey,
  assertBytes,
  bytesEqual,
  compareBytes,
  concatBytes,
  constantTimeEqual,
  defaultProvider,
  fromHex,
  fromUtf8,
  makeProvider,
  portable,
  toHex,
  u32le,
  utf8,
  wipe,
} from './crypto/index.ts'

// the protocol layers, each as its Node subpath export
export * as wire from './wire/index.ts'
export * as x3dh from './x3dh/index.ts'
export * as ratchet from './ratchet/index.ts'
export * as protocol from './protocol/index.ts'
export { Protocol } from './protocol/index.ts'

// stores
export type {
  AccountRecord,
  BundleRecord,
  ContactRecord,
  ContactRequestRecord,
  ContactRequestState,
  DeliveryRecord,
  DeliveryState,
  Direction,
  InstallationRecord,
  ListContactRequestsOptions,
  ListMessagesOptions,
  ListSignedPreKeysOptions,
  MessageRecord,
  OneTimePreKeyRecord,
  SessionRecord,
  SharedSecretRecord,
  SignedPreKeyRecord,
  SkippedKeyRecord,
  Store,
  SyncCursorRecord,
} from './store/types.ts'
export { MemoryStore } from './store/memory.ts'
export { IndexedDbStore, INDEXEDDB_JOURNAL_VERSION } from './store/indexeddb/index.ts'
export type { IdbDurability, IndexedDbStoreOptions } from './store/indexeddb/index.ts'

// transport: payloads, envelopes, topics, keys, the in-process network, store-node sync
// (TRANSPORT.md §1, §4): its portable face, everything but SQLite and the TCP libp2p network
export * from './transport/portable.ts'

// the libp2p network of a page: WebSockets only, to a `status-pfs node`'s /ws address (TRANSPORT.md
// §5.3); the Node build's TCP transport is not used
export { Libp2pNetwork, createBrowserNetwork, isWebSocketAddr } from './transport/libp2p/browser.ts'
export type {
  BrowserNetworkOptions,
  Libp2pNetworkOptions,
  Libp2pNetworkStats,
} from './transport/libp2p/browser.ts'

// messenger identity: chat key, names and pictures (identity README); plain share links work,
// links with profile data need brotli, which the browser build lacks (`UNSUPPORTED`)
export {
  BIP39_ENGLISH,
  PHRASE_WORD_COUNTS,
  generatePhrase,
  isValidPhrase,
  normalizePhrase,
  seedFromPhrase,
  validatePhrase,
} from './messenger/identity/phrase.ts'
export {
  STATUS_PATHS,
  chatKeyFromPhrase,
  chatKeyFromSeed,
  decodeStatusPath,
  deriveKeyFromSeed,
  keyUidFromSeed,
} from './messenger/identity/chat-key.ts'
export type { ChatKey } from './messenger/identity/chat-key.ts'
export { chatId } from './messenger/identity/public-key.ts'
export type { PublicKeyInput } from './messenger/identity/public-key.ts'
export { ethereumAddress } from './messenger/identity/address.ts'
export { aliasFromSeed, aliasSeed, threeWordName } from './messenger/identity/alias.ts'
export { EMOJI_HASH_LENGTH, emojiHash, emojiHashDigits } from './messenger/identity/emoji-hash.ts'
export {
  COLOR_PALETTE,
  colorHash,
  colorHashColors,
  colorId,
} from './messenger/identity/color-hash.ts'
export type { ColorHash, ColorHashSegment } from './messenger/identity/color-hash.ts'
export {
  compressKey,
  decompressKey,
  shortenCompressedKey,
} from './messenger/identity/compressed-key.ts'
export { identiconSvg } from './messenger/identity/identicon.ts'
export type { IdenticonOptions } from './messenger/identity/identicon.ts'
export { ADJECTIVES, ANIMALS } from './messenger/identity/data/alias-words.ts'
export { EMOJI_ALPHABET } from './messenger/identity/data/emoji-alphabet.ts'
export { chatIdentity } from './messenger/identity/chat-identity.ts'
export { parseShareUrl, shareUrl } from './messenger/identity/share-url.ts'

// the messenger: accounts, contacts, chats, devices (DESIGN.md "Public API")
export { Messenger, DEFAULT_ADVERTISE_INTERVAL_MS } from './messenger/messenger.ts'
export type {
  ChatMessageInfo,
  ContactInfo,
  ContactRequestInfo,
  DecryptionFailureReason,
  DeviceInfo,
  MessengerEvents,
  MessengerOptions,
  MessengerStats,
  RepairAction,
  SendResult,
  SyncProgress,
  SyncResult,
} from './messenger/types.ts'
export {
  CONTACT_CODE_PREFIX,
  encodeContactCode,
  parseContactCode,
} from './messenger/contact-code.ts'
