/**
 * `status-pfs` messenger: the application API (DESIGN.md "Public API"; whitepaper §1.5, §2.3):
 * accounts, contact codes, contact requests, chats, devices, events, history sync; and the
 * identity presentation functions (`./identity/`).
 *
 * @module
 */
export { Messenger, DEFAULT_ADVERTISE_INTERVAL_MS } from './messenger.ts'
export type * from './types.ts'
export { MessengerErrorCode, messengerError } from './errors.ts'
export { CONTACT_CODE_PREFIX, encodeContactCode, parseContactCode } from './contact-code.ts'
export type { ParsedContactCode } from './contact-code.ts'
export { messageId, unwrapApplicationMessage, wrapApplicationMessage } from './app-message.ts'
export { newPhrase, uuidV4 } from './account.ts'
export * from './identity/index.ts'
export { PublicChats, publicChatKey, publicChatName, publicChatTopic } from './public/index.ts'
export type { PublicChatEvents, PublicChatMessage, PublicChatsOptions } from './public/index.ts'
export {
  ADVERTISEMENT_TTL_SECONDS,
  DirectoryServer,
  NetworkDirectory,
  StaticDirectory,
  addContactVia,
  createOneTimePreKeys,
  readDocument,
} from './directory/index.ts'
export type {
  BundleDirectory,
  DirectoryServerOptions,
  NetworkDirectoryOptions,
  OneTimePreKeyEntry,
  PublishOptions,
  ResolvedBundle,
  StaticDirectoryOptions,
} from './directory/index.ts'
export {
  FilePushStorage,
  MemoryPushStorage,
  PushClient,
  PushServer,
  WebhookDelivery,
  sendAndNotify,
} from './push/index.ts'
export type {
  NotifyOptions,
  NotifyReport,
  PushClientOptions,
  PushDelivery,
  PushDeliveryRequest,
  PushRegistrationOptions,
  PushServerOptions,
  PushServerStorage,
  StoredRegistration,
} from './push/index.ts'
