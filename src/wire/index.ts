/**
 * `status-pfs/wire`: the encryption-layer protobuf schema of the reference (PROTOCOL.md §2), as
 * code generated from `proto/encryption.proto`, plus validating codecs.
 *
 * @module
 */
export { create, clone, equals, fromBinary, toBinary } from '@bufbuild/protobuf'
export {
  BundleContainerSchema,
  BundleSchema,
  DHHeaderSchema,
  DRHeaderSchema,
  EncryptedMessageProtocolSchema,
  HRHeaderSchema,
  HRKeySchema,
  HRKeysSchema,
  ProtocolMessageSchema,
  RekeyGroupSchema,
  SignedPreKeySchema,
  X3DHHeaderSchema,
} from './gen/encryption_pb.ts'
export type {
  Bundle,
  BundleContainer,
  DHHeader,
  DRHeader,
  EncryptedMessageProtocol,
  HRHeader,
  HRKey,
  HRKeys,
  ProtocolMessage,
  RekeyGroup,
  SignedPreKey,
  X3DHHeader,
} from './gen/encryption_pb.ts'
export {
  COMPRESSED_KEY_LENGTH,
  SIGNATURE_LENGTH,
  X25519_KEY_LENGTH,
  decodeBundle,
  decodeBundleContainer,
  decodeEncryptedMessage,
  decodeProtocolMessage,
  encodeBundle,
  encodeBundleContainer,
  encodeEncryptedMessage,
  encodeProtocolMessage,
  validateBundle,
  validateEncryptedMessage,
  validateProtocolMessage,
} from './codec.ts'
export * as limits from './limits.ts'
export {
  AcceptContactRequestSchema,
  ApplicationMetadataMessageSchema,
  ChatMessageSchema,
  ContactRequestPropagatedStateSchema,
  ContactUpdateSchema,
  RetractContactRequestSchema,
} from './gen/application_pb.ts'
export type {
  AcceptContactRequest,
  ApplicationMetadataMessage,
  ChatMessage,
  ContactRequestPropagatedState,
  ContactUpdate,
  RetractContactRequest,
} from './gen/application_pb.ts'
export {
  ApplicationType,
  ContentType,
  ContactRequestState,
  MessageType,
  MAX_APPLICATION_MESSAGE_BYTES,
  MAX_CHAT_TEXT_LENGTH,
  decodeAcceptContactRequest,
  decodeApplicationMetadataMessage,
  decodeChatMessage,
  decodeContactUpdate,
  encodeAcceptContactRequest,
  encodeApplicationMetadataMessage,
  encodeChatMessage,
  encodeContactUpdate,
} from './application.ts'
