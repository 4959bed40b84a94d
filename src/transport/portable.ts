/**
 * The portable face of `status-pfs/transport`: everything `./index.ts` exports except what needs
 * Node — the SQLite mailserver archive (`SqliteEnvelopeStore`, better-sqlite3) and the TCP+WS
 * `Libp2pNetwork` (@libp2p/tcp) — so that the messenger and the browser bundle (issue 11) can
 * import the transport without pulling a native module in. Browsers reach a `status-pfs node`
 * with `createBrowserNetwork` (`./libp2p/browser.ts`, WebSockets only); it is not re-exported here
 * so that importing the messenger does not load libp2p.
 *
 * `./index.ts` re-exports all of this and adds the Node-only parts: a new name that runs in a
 * browser goes here, one that needs Node goes there.
 *
 * @module
 */
export {
  encodeRawPayload,
  decodeRawPayload,
  open,
  rememberOpened,
  sealAsymmetric,
  sealSymmetric,
  sizeFieldLength,
} from './payload.ts'
export type {
  AsymmetricSealOptions,
  OpenedPayload,
  OpenKey,
  OpenOptions,
  PayloadOptions,
  PreopenedResult,
  RawPayloadFields,
  SymmetricSealOptions,
} from './payload.ts'
export {
  createEnvelope,
  decodeEnvelope,
  encodeEnvelope,
  encodeEnvelopeWithoutNonce,
  envelopeHash,
  envelopeSize,
  sentTime,
  withNonce,
} from './envelope.ts'
export type { CreateEnvelopeOptions, DecodeEnvelopeOptions, Envelope } from './envelope.ts'
export { leadingZeroBits, powOf, seal, targetBits } from './pow.ts'
export type { SealOptions } from './pow.ts'
export { validateEnvelope } from './validate.ts'
export type { ValidateOptions } from './validate.ts'
export { asTopic, contentTopic, topicFromContentTopic, topicFromHex, topicHex } from './topic.ts'
export type { Topic } from './topic.ts'
export {
  contactCodeTopic,
  contactCodeTopicName,
  discoveryTopic,
  negotiatedTopic,
  partitionOf,
  partitionedTopic,
  partitionedTopicName,
  personalTopic,
  personalTopicName,
  topicFromName,
} from './topics.ts'
export {
  NegotiatedKeyCache,
  contactCodeKey,
  mailserverKey,
  negotiatedKey,
  symmetricKeyFromPassword,
} from './keys.ts'
export type { NegotiatedChannel } from './keys.ts'
export { BLOOM_LENGTH, bloomMatches, bloomOf, topicBloom } from './bloom.ts'
export { MemorySeenSet } from './dedup.ts'
export type { MemorySeenSetOptions, SeenSet } from './dedup.ts'
export { Receiver } from './receive.ts'
export type { ReceiverOptions } from './receive.ts'
export { ManualClock, systemClock, unixSeconds } from './clock.ts'
export type { Clock } from './clock.ts'
export { Prng } from './prng.ts'
export type { EnvelopeHandler, HistorySource, Network, Unsubscribe } from './network.ts'
export { MemoryNetwork, MemoryNode } from './memory-network.ts'
export type {
  DelayModel,
  FaultModel,
  MemoryNetworkOptions,
  NetworkStats,
} from './memory-network.ts'
export { checkQuery, decodeCursor, encodeCursor } from './mailserver/query.ts'
export type { CheckedQuery, HistoryPage, HistoryQuery } from './mailserver/query.ts'
export type { EnvelopeStore, EnvelopeStoreOptions } from './mailserver/store.ts'
export { MemoryEnvelopeStore } from './mailserver/memory-store.ts'
export type { MemoryEnvelopeStoreOptions } from './mailserver/memory-store.ts'
export { StoreClient } from './mailserver/sync.ts'
export type {
  HistoryHandler,
  StoreClientOptions,
  SyncOptions,
  SyncResult,
} from './mailserver/sync.ts'
export * as limits from './limits.ts'
export {
  decodeMessage as decodeWakuMessage,
  encodeEnvelopeMessage,
  envelopeToMessage,
  messageHash as wakuMessageHash,
  messageToEnvelope,
} from './libp2p/codec.ts'
export type { WakuMessage } from './libp2p/codec.ts'
export { decodePeerKey, generatePeerKey, peerIdOfKey } from './libp2p/peer-key.ts'
export { StoreQueryEngine } from './libp2p/store-server.ts'
export * as networkLimits from './libp2p/constants.ts'
