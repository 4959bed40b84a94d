/**
 * The push-notification messages, with the reference's field numbers (status-go
 * `protocol/protobuf/push_notifications.proto`) and `ApplicationMetadataMessage` types
 * (`PUSH_NOTIFICATION_REGISTRATION = 16`, `…_REGISTRATION_RESPONSE = 17`, `…_REQUEST = 20`,
 * `…_RESPONSE = 21`). Only the fields this implementation uses are written; unknown fields are
 * skipped on reading. Hand-coded with the protobuf wire primitives because the schemas belong to
 * no other layer.
 *
 * Differences from the reference (see push/index.ts for the why): `allowed_key_list` holds
 * SHA-256 hashes of per-contact access tokens (not the access token encrypted per contact), and
 * `PushNotification.installation_id = ""` asks for every registered installation.
 *
 * @module
 */
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire'
import { WireError } from '../../errors.ts'

export const PushMessageType = {
  Registration: 16,
  RegistrationResponse: 17,
  Request: 20,
  Response: 21,
} as const

export const TokenType = { Unknown: 0, Apn: 1, Firebase: 2 } as const
export type TokenType = (typeof TokenType)[keyof typeof TokenType]

export const RegistrationError = {
  Unknown: 0,
  MalformedMessage: 1,
  VersionMismatch: 2,
  UnsupportedTokenType: 3,
  InternalError: 4,
} as const

export const ReportError = {
  Unknown: 0,
  WrongToken: 1,
  InternalError: 2,
  NotRegistered: 3,
} as const

/** Largest push message parsed. */
export const MAX_PUSH_MESSAGE_BYTES = 256 * 1024
/** Most allowed tokens per registration (contacts). */
export const MAX_ALLOWED_TOKENS = 10_000

export interface Registration {
  readonly tokenType: number
  readonly deviceToken: string
  readonly installationId: string
  readonly enabled: boolean
  readonly version: bigint
  /** SHA-256 of each allowed contact's access token (32 bytes each). */
  readonly allowedKeyList: readonly Uint8Array[]
  readonly unregister: boolean
  readonly allowFromContactsOnly: boolean
}

export interface RegistrationResponse {
  readonly success: boolean
  readonly error: number
  readonly requestId: Uint8Array
}

export interface PushNotification {
  readonly accessToken: string
  /** Hashed chat id (the reference sends a hash, never the chat id). */
  readonly chatId: Uint8Array
  /** SHA-256 of the recipient's compressed key (the reference's `HashPublicKey`). */
  readonly publicKey: Uint8Array
  readonly installationId: string
  readonly type: number
}

export interface PushRequest {
  readonly requests: readonly PushNotification[]
  readonly messageId: Uint8Array
}

export interface PushReport {
  readonly success: boolean
  readonly error: number
  readonly publicKey: Uint8Array
  readonly installationId: string
}

export interface PushResponse {
  readonly messageId: Uint8Array
  readonly reports: readonly PushReport[]
}

// encode --------------------------------------------------------------------------------------

export function encodeRegistration(r: Registration): Uint8Array {
  const w = new BinaryWriter()
  if (r.tokenType !== 0) w.tag(1, WireType.Varint).int32(r.tokenType)
  if (r.deviceToken !== '') w.tag(2, WireType.LengthDelimited).string(r.deviceToken)
  if (r.installationId !== '') w.tag(3, WireType.LengthDelimited).string(r.installationId)
  if (r.enabled) w.tag(5, WireType.Varint).bool(true)
  if (r.version !== 0n) w.tag(6, WireType.Varint).uint64(r.version)
  for (const k of r.allowedKeyList) w.tag(7, WireType.LengthDelimited).bytes(k)
  if (r.unregister) w.tag(9, WireType.Varint).bool(true)
  if (r.allowFromContactsOnly) w.tag(11, WireType.Varint).bool(true)
  return w.finish()
}

export function encodeRegistrationResponse(r: RegistrationResponse): Uint8Array {
  const w = new BinaryWriter()
  if (r.success) w.tag(1, WireType.Varint).bool(true)
  if (r.error !== 0) w.tag(2, WireType.Varint).int32(r.error)
  if (r.requestId.length > 0) w.tag(3, WireType.LengthDelimited).bytes(r.requestId)
  return w.finish()
}

export function encodeRequest(r: PushRequest): Uint8Array {
  const w = new BinaryWriter()
  for (const n of r.requests) {
    w.tag(1, WireType.LengthDelimited).fork()
    if (n.accessToken !== '') w.tag(1, WireType.LengthDelimited).string(n.accessToken)
    if (n.chatId.length > 0) w.tag(2, WireType.LengthDelimited).bytes(n.chatId)
    if (n.publicKey.length > 0) w.tag(3, WireType.LengthDelimited).bytes(n.publicKey)
    if (n.installationId !== '') w.tag(4, WireType.LengthDelimited).string(n.installationId)
    if (n.type !== 0) w.tag(6, WireType.Varint).int32(n.type)
    w.join()
  }
  if (r.messageId.length > 0) w.tag(2, WireType.LengthDelimited).bytes(r.messageId)
  return w.finish()
}

export function encodeResponse(r: PushResponse): Uint8Array {
  const w = new BinaryWriter()
  if (r.messageId.length > 0) w.tag(1, WireType.LengthDelimited).bytes(r.messageId)
  for (const p of r.reports) {
    w.tag(2, WireType.LengthDelimited).fork()
    if (p.success) w.tag(1, WireType.Varint).bool(true)
    if (p.error !== 0) w.tag(2, WireType.Varint).int32(p.error)
    if (p.publicKey.length > 0) w.tag(3, WireType.LengthDelimited).bytes(p.publicKey)
    if (p.installationId !== '') w.tag(4, WireType.LengthDelimited).string(p.installationId)
    w.join()
  }
  return w.finish()
}

// decode --------------------------------------------------------------------------------------

/** Runs `fn` over each field of `bytes`; wraps any parse failure in `WireError`. */
function fields(
  bytes: Uint8Array,
  what: string,
  fn: (no: number, type: WireType, r: BinaryReader) => boolean,
): void {
  if (!(bytes instanceof Uint8Array) || bytes.length > MAX_PUSH_MESSAGE_BYTES) {
    throw new WireError(`${what}: not bytes or too large`)
  }
  try {
    const r = new BinaryReader(bytes)
    while (r.pos < r.len) {
      const [no, type] = r.tag()
      if (!fn(no, type, r)) r.skip(type, no)
    }
  } catch (e) {
    if (e instanceof WireError) throw e
    throw new WireError(`${what} is not a valid protobuf`, {}, { cause: e })
  }
}

function expect(type: WireType, want: WireType, what: string): void {
  if (type !== want) throw new WireError(`${what}: wrong wire type`)
}

export function decodeRegistration(bytes: Uint8Array): Registration {
  let tokenType = 0
  let deviceToken = ''
  let installationId = ''
  let enabled = false
  let version = 0n
  const allowedKeyList: Uint8Array[] = []
  let unregister = false
  let allowFromContactsOnly = false
  fields(bytes, 'PushNotificationRegistration', (no, type, r) => {
    const V = WireType.Varint
    const L = WireType.LengthDelimited
    switch (no) {
      case 1:
        expect(type, V, 'token_type')
        tokenType = r.int32()
        return true
      case 2:
        expect(type, L, 'device_token')
        deviceToken = r.string(true)
        return true
      case 3:
        expect(type, L, 'installation_id')
        installationId = r.string(true)
        return true
      case 5:
        expect(type, V, 'enabled')
        enabled = r.bool()
        return true
      case 6:
        expect(type, V, 'version')
        version = BigInt(r.uint64())
        return true
      case 7:
        expect(type, L, 'allowed_key_list')
        if (allowedKeyList.length >= MAX_ALLOWED_TOKENS)
          throw new WireError('too many allowed keys')
        allowedKeyList.push(r.bytes().slice())
        return true
      case 9:
        expect(type, V, 'unregister')
        unregister = r.bool()
        return true
      case 11:
        expect(type, V, 'allow_from_contacts_only')
        allowFromContactsOnly = r.bool()
        return true
      default:
        return false
    }
  })
  return {
    tokenType,
    deviceToken,
    installationId,
    enabled,
    version,
    allowedKeyList,
    unregister,
    allowFromContactsOnly,
  }
}

export function decodeRegistrationResponse(bytes: Uint8Array): RegistrationResponse {
  let success = false
  let error = 0
  let requestId = new Uint8Array(0)
  fields(bytes, 'PushNotificationRegistrationResponse', (no, type, r) => {
    if (no === 1 && type === WireType.Varint) success = r.bool()
    else if (no === 2 && type === WireType.Varint) error = r.int32()
    else if (no === 3 && type === WireType.LengthDelimited) requestId = r.bytes().slice()
    else return false
    return true
  })
  return { success, error, requestId }
}

function decodeNotification(bytes: Uint8Array): PushNotification {
  let accessToken = ''
  let chatId = new Uint8Array(0)
  let publicKey = new Uint8Array(0)
  let installationId = ''
  let type = 0
  fields(bytes, 'PushNotification', (no, t, r) => {
    if (no === 1 && t === WireType.LengthDelimited) accessToken = r.string(true)
    else if (no === 2 && t === WireType.LengthDelimited) chatId = r.bytes().slice()
    else if (no === 3 && t === WireType.LengthDelimited) publicKey = r.bytes().slice()
    else if (no === 4 && t === WireType.LengthDelimited) installationId = r.string(true)
    else if (no === 6 && t === WireType.Varint) type = r.int32()
    else return false
    return true
  })
  return { accessToken, chatId, publicKey, installationId, type }
}

/** Most notifications per request. */
export const MAX_REQUESTS = 100

export function decodeRequest(bytes: Uint8Array): PushRequest {
  const requests: PushNotification[] = []
  let messageId = new Uint8Array(0)
  fields(bytes, 'PushNotificationRequest', (no, t, r) => {
    if (no === 1 && t === WireType.LengthDelimited) {
      if (requests.length >= MAX_REQUESTS) throw new WireError('too many notifications')
      requests.push(decodeNotification(r.bytes()))
    } else if (no === 2 && t === WireType.LengthDelimited) messageId = r.bytes().slice()
    else return false
    return true
  })
  return { requests, messageId }
}

function decodeReport(bytes: Uint8Array): PushReport {
  let success = false
  let error = 0
  let publicKey = new Uint8Array(0)
  let installationId = ''
  fields(bytes, 'PushNotificationReport', (no, t, r) => {
    if (no === 1 && t === WireType.Varint) success = r.bool()
    else if (no === 2 && t === WireType.Varint) error = r.int32()
    else if (no === 3 && t === WireType.LengthDelimited) publicKey = r.bytes().slice()
    else if (no === 4 && t === WireType.LengthDelimited) installationId = r.string(true)
    else return false
    return true
  })
  return { success, error, publicKey, installationId }
}

export function decodeResponse(bytes: Uint8Array): PushResponse {
  const reports: PushReport[] = []
  let messageId = new Uint8Array(0)
  fields(bytes, 'PushNotificationResponse', (no, t, r) => {
    if (no === 1 && t === WireType.LengthDelimited) messageId = r.bytes().slice()
    else if (no === 2 && t === WireType.LengthDelimited) {
      if (reports.length >= MAX_REQUESTS * 10) throw new WireError('too many reports')
      reports.push(decodeReport(r.bytes()))
    } else return false
    return true
  })
  return { messageId, reports }
}
