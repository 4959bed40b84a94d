/**
 * Codecs for the application layer inside the encryption layer (PROTOCOL.md §1 item 6): the
 * `ApplicationMetadataMessage {signature, payload, type}` envelope of status-go and the messages it
 * carries for 1:1 chats (`ChatMessage`, `AcceptContactRequest`, `ContactUpdate`).
 *
 * Decoders check the size first and the signature length after parsing; anything malformed is a
 * `WireError` (`WIRE_MALFORMED`). Signing and the message id live in the messenger, which has the
 * keys; this file only knows bytes.
 *
 * @module
 */
import { fromBinary, toBinary } from '@bufbuild/protobuf'
import type { DescMessage, MessageShape } from '@bufbuild/protobuf'
import { WireError } from '../errors.ts'
import {
  AcceptContactRequestSchema,
  ApplicationMetadataMessageSchema,
  ChatMessageSchema,
  ContactUpdateSchema,
} from './gen/application_pb.ts'
import type {
  AcceptContactRequest,
  ApplicationMetadataMessage,
  ChatMessage,
  ContactUpdate,
} from './gen/application_pb.ts'
import { SIGNATURE_LENGTH } from './codec.ts'

/** status-go `ApplicationMetadataMessage.Type` values we send or read. */
export const ApplicationType = {
  Unknown: 0,
  ChatMessage: 1,
  ContactUpdate: 2,
  PairInstallation: 4,
  ContactCodeAdvertisement: 15,
  AcceptContactRequest: 46,
  RetractContactRequest: 47,
} as const

/** status-go `MessageType` (enums.proto). */
export const MessageType = { Unknown: 0, OneToOne: 1, PublicGroup: 2, PrivateGroup: 3 } as const

/** status-go `ChatMessage.ContentType`, the subset we use. */
export const ContentType = { Unknown: 0, TextPlain: 1, ContactRequest: 11 } as const

/** status-go `ContactRequestState` (carried in `ContactRequestPropagatedState`). */
export const ContactRequestState = {
  None: 0,
  Mutual: 1,
  Sent: 2,
  Received: 3,
  Dismissed: 4,
} as const

/** Largest application message we parse (status-go caps Waku messages near 1 MiB). */
export const MAX_APPLICATION_MESSAGE_BYTES = 1024 * 1024
/** Longest chat text we parse (status-go's UI limit is far lower). */
export const MAX_CHAT_TEXT_LENGTH = 256 * 1024

function parse<D extends DescMessage>(schema: D, bytes: Uint8Array, what: string): MessageShape<D> {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`"${what}" expected Uint8Array`)
  if (bytes.length > MAX_APPLICATION_MESSAGE_BYTES) {
    throw new WireError(`${what} too large`, {
      length: bytes.length,
      max: MAX_APPLICATION_MESSAGE_BYTES,
    })
  }
  try {
    return fromBinary(schema, bytes, { readUnknownFields: true })
  } catch (e) {
    throw new WireError(`${what} is not a valid protobuf`, {}, { cause: e })
  }
}

export function encodeApplicationMetadataMessage(m: ApplicationMetadataMessage): Uint8Array {
  return toBinary(ApplicationMetadataMessageSchema, m)
}

/** Parses and checks the signature length (65 bytes, or empty for unsigned messages). */
export function decodeApplicationMetadataMessage(bytes: Uint8Array): ApplicationMetadataMessage {
  const m = parse(ApplicationMetadataMessageSchema, bytes, 'ApplicationMetadataMessage')
  if (m.signature.length !== 0 && m.signature.length !== SIGNATURE_LENGTH) {
    throw new WireError('ApplicationMetadataMessage.signature has the wrong length', {
      length: m.signature.length,
    })
  }
  return m
}

export function encodeChatMessage(m: ChatMessage): Uint8Array {
  return toBinary(ChatMessageSchema, m)
}

export function decodeChatMessage(bytes: Uint8Array): ChatMessage {
  const m = parse(ChatMessageSchema, bytes, 'ChatMessage')
  if (m.text.length > MAX_CHAT_TEXT_LENGTH) {
    throw new WireError('ChatMessage.text too long', { length: m.text.length })
  }
  return m
}

export function encodeAcceptContactRequest(m: AcceptContactRequest): Uint8Array {
  return toBinary(AcceptContactRequestSchema, m)
}

export function decodeAcceptContactRequest(bytes: Uint8Array): AcceptContactRequest {
  return parse(AcceptContactRequestSchema, bytes, 'AcceptContactRequest')
}

export function encodeContactUpdate(m: ContactUpdate): Uint8Array {
  return toBinary(ContactUpdateSchema, m)
}

export function decodeContactUpdate(bytes: Uint8Array): ContactUpdate {
  return parse(ContactUpdateSchema, bytes, 'ContactUpdate')
}
