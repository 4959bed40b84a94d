/**
 * Push notifications (whitepaper §1.5.1 "registration with Push Notification platform"),
 * following the reference's privacy design: the registration is encrypted to the server, the
 * allowed senders are opaque token hashes, and senders come from one-off keys, so the server
 * never learns who talks to whom. Delivery goes to a configured webhook (the APNs/FCM bridge).
 *
 * @module
 */
export { PushServer } from './push-server.ts'
export type { PushServerOptions, PushServerStats } from './push-server.ts'
export { DEFAULT_PUSH_TIMEOUT_MS, PushClient } from './push-client.ts'
export type {
  NotifyOptions,
  NotifyReport,
  PushClientOptions,
  PushRegistrationOptions,
} from './push-client.ts'
export { sendAndNotify } from './send-and-notify.ts'
export { WebhookDelivery } from './delivery.ts'
export type { PushDelivery, PushDeliveryRequest } from './delivery.ts'
export { FilePushStorage, MemoryPushStorage } from './storage.ts'
export type { PushServerStorage, StoredRegistration } from './storage.ts'
export { accessToken, hashedPublicKey, tokenHash } from './tokens.ts'
export {
  PushMessageType,
  TokenType,
  decodeRegistration,
  decodeRequest,
  decodeResponse,
  encodeRegistration,
  encodeRequest,
  encodeResponse,
} from './messages.ts'
export type { PushRequest, PushResponse, Registration } from './messages.ts'
