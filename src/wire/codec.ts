/**
 * Encoders and validating decoders for the encryption-layer messages (PROTOCOL.md §2, §3).
 *
 * Decoders check the total size before parsing, then every key length (33-byte compressed keys,
 * 65-byte signatures) and count; anything else is a `WireError` (`WIRE_MALFORMED`), never another
 * exception. Encoders write map entries sorted by key, which matches Go's deterministic encoding
 * (the vectors); the reference itself writes maps in random order, and any order decodes.
 *
 * @module
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf'
import type { DescMessage, MessageShape } from '@bufbuild/protobuf'
import { WireError } from '../errors.ts'
import { compareBytes, utf8 } from '../crypto/bytes.ts'
import { decodeDrOnly, encodeDrOnly } from './encrypted-message-fast.ts'
import {
  BundleContainerSchema,
  BundleSchema,
  EncryptedMessageProtocolSchema,
  ProtocolMessageSchema,
} from './gen/encryption_pb.ts'
import type {
  Bundle,
  BundleContainer,
  EncryptedMessageProtocol,
  ProtocolMessage,
} from './gen/encryption_pb.ts'
import {
  MAX_BUNDLE_BYTES,
  MAX_BUNDLES_PER_MESSAGE,
  MAX_ENCRYPTED_ENTRIES,
  MAX_INSTALLATION_ID_LENGTH,
  MAX_PROTOCOL_MESSAGE_BYTES,
  MAX_SIGNED_PRE_KEYS_PER_BUNDLE,
} from './limits.ts'

/** Compressed secp256k1 key length (PROTOCOL.md §3). */
export const COMPRESSED_KEY_LENGTH = 33
/** Recoverable signature length r‖s‖v. */
export const SIGNATURE_LENGTH = 65
/** X25519 ratchet keys (the whitepaper's curve, our optional ratchet variant). */
export const X25519_KEY_LENGTH = 32

function parse<D extends DescMessage>(
  schema: D,
  bytes: Uint8Array,
  max: number,
  what: string,
): MessageShape<D> {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`"${what}" expected Uint8Array`)
  if (bytes.length > max) throw new WireError(`${what} too large`, { length: bytes.length, max })
  try {
    return fromBinary(schema, bytes, { readUnknownFields: true })
  } catch (e) {
    throw new WireError(`${what} is not a valid protobuf`, {}, { cause: e })
  }
}

function key(
  bytes: Uint8Array,
  field: string,
  lengths: readonly number[] = [COMPRESSED_KEY_LENGTH],
): void {
  if (!lengths.includes(bytes.length)) {
    throw new WireError(`${field} has the wrong length`, { field, length: bytes.length })
  }
}

function installationId(id: string): void {
  if (id.length === 0 || id.length > MAX_INSTALLATION_ID_LENGTH) {
    throw new WireError('installation id has the wrong length', { length: id.length })
  }
}

/** Checks the shape of a bundle already parsed (lengths and counts; not the signature). */
export function validateBundle(b: Bundle): Bundle {
  key(b.identity, 'Bundle.identity')
  if (b.signature.length !== SIGNATURE_LENGTH) {
    throw new WireError('Bundle.signature has the wrong length', { length: b.signature.length })
  }
  const ids = Object.keys(b.signedPreKeys)
  if (ids.length > MAX_SIGNED_PRE_KEYS_PER_BUNDLE) {
    throw new WireError('too many signed prekeys in bundle', { count: ids.length })
  }
  for (const id of ids) {
    installationId(id)
    key(b.signedPreKeys[id]!.signedPreKey, 'SignedPreKey.signed_pre_key')
  }
  return b
}

/** Checks one per-installation entry. `dhKeyLengths` allows 32-byte X25519 ratchet keys. */
export function validateEncryptedMessage(
  m: EncryptedMessageProtocol,
  dhKeyLengths: readonly number[] = [COMPRESSED_KEY_LENGTH, X25519_KEY_LENGTH],
): EncryptedMessageProtocol {
  if (m.X3DHHeader !== undefined) {
    key(m.X3DHHeader.key, 'X3DHHeader.key')
    key(m.X3DHHeader.id, 'X3DHHeader.id')
    // Our extension (proto/encryption.proto field 1001): empty means no one-time prekey.
    const opk = m.X3DHHeader.oneTimePreKey
    if (opk.length !== 0) key(opk, 'X3DHHeader.one_time_pre_key')
  }
  if (m.DRHeader !== undefined) {
    key(m.DRHeader.key, 'DRHeader.key', dhKeyLengths)
    key(m.DRHeader.id, 'DRHeader.id')
  }
  if (m.DHHeader !== undefined) key(m.DHHeader.key, 'DHHeader.key')
  return m
}

/** Checks a whole ProtocolMessage already parsed. */
export function validateProtocolMessage(m: ProtocolMessage): ProtocolMessage {
  if (m.bundles.length > MAX_BUNDLES_PER_MESSAGE) {
    throw new WireError('too many bundles in message', { count: m.bundles.length })
  }
  for (const b of m.bundles) validateBundle(b)
  const ids = Object.keys(m.encryptedMessage)
  if (ids.length > MAX_ENCRYPTED_ENTRIES) {
    throw new WireError('too many encrypted entries', { count: ids.length })
  }
  for (const id of ids) {
    installationId(id)
    validateEncryptedMessage(m.encryptedMessage[id]!)
  }
  if (m.installationId.length > MAX_INSTALLATION_ID_LENGTH) {
    throw new WireError('installation id has the wrong length', { length: m.installationId.length })
  }
  return m
}

/** Decodes and validates a `ProtocolMessage`; throws `WireError`. */
export function decodeProtocolMessage(bytes: Uint8Array): ProtocolMessage {
  return validateProtocolMessage(
    parse(ProtocolMessageSchema, bytes, MAX_PROTOCOL_MESSAGE_BYTES, 'ProtocolMessage'),
  )
}

/** Decodes and validates a `Bundle` (shape only: call x3dh's `verifyBundle` before trusting it). */
export function decodeBundle(bytes: Uint8Array): Bundle {
  return validateBundle(parse(BundleSchema, bytes, MAX_BUNDLE_BYTES, 'Bundle'))
}

/** Decodes a local `BundleContainer` (never received from the network). */
export function decodeBundleContainer(bytes: Uint8Array): BundleContainer {
  const c = parse(BundleContainerSchema, bytes, MAX_BUNDLE_BYTES, 'BundleContainer')
  if (c.bundle !== undefined) validateBundle(c.bundle)
  if (c.privateSignedPreKey.length !== 0 && c.privateSignedPreKey.length !== 32) {
    throw new WireError('BundleContainer.private_signed_pre_key has the wrong length')
  }
  return c
}

/** Decodes and validates one `EncryptedMessageProtocol`. */
export function decodeEncryptedMessage(bytes: Uint8Array): EncryptedMessageProtocol {
  // The common shape (DRHeader + payload) by hand; anything else through the generic parser.
  const fast =
    bytes instanceof Uint8Array && bytes.length <= MAX_PROTOCOL_MESSAGE_BYTES
      ? decodeDrOnly(bytes)
      : undefined
  if (fast !== undefined) return validateEncryptedMessage(fast)
  return validateEncryptedMessage(
    parse(
      EncryptedMessageProtocolSchema,
      bytes,
      MAX_PROTOCOL_MESSAGE_BYTES,
      'EncryptedMessageProtocol',
    ),
  )
}

function sortMap<V>(m: Record<string, V>): Record<string, V> {
  // Byte-wise (UTF-8) order as Go's deterministic marshalling. Integer-like keys still come first
  // in JS object order; any order is valid on the wire.
  const out: Record<string, V> = {}
  const keys = Object.keys(m).sort((a, b) => compareBytes(utf8(a), utf8(b)))
  // defineProperty, not assignment: a peer may name an installation "__proto__", and assigning
  // that key would replace the object's prototype instead of adding an entry.
  for (const k of keys) {
    Object.defineProperty(out, k, {
      value: m[k],
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  return out
}

function sortedBundle(b: Bundle): Bundle {
  return create(BundleSchema, { ...b, signedPreKeys: sortMap(b.signedPreKeys) })
}

export function encodeBundle(b: Bundle): Uint8Array {
  return toBinary(BundleSchema, sortedBundle(b))
}

export function encodeBundleContainer(c: BundleContainer): Uint8Array {
  return toBinary(
    BundleContainerSchema,
    create(BundleContainerSchema, {
      ...c,
      ...(c.bundle === undefined ? {} : { bundle: sortedBundle(c.bundle) }),
    }),
  )
}

export function encodeEncryptedMessage(m: EncryptedMessageProtocol): Uint8Array {
  return encodeDrOnly(m) ?? toBinary(EncryptedMessageProtocolSchema, m)
}

export function encodeProtocolMessage(m: ProtocolMessage): Uint8Array {
  return toBinary(
    ProtocolMessageSchema,
    create(ProtocolMessageSchema, {
      ...m,
      bundles: m.bundles.map(sortedBundle),
      encryptedMessage: sortMap(m.encryptedMessage),
    }),
  )
}
