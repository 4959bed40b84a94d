/**
 * The topics Status 1:1 traffic uses (PROTOCOL.md §11.2–11.4, TRANSPORT.md §1.8; status-go
 * `protocol/transport/topic.go`). Every topic is `keccak256(ASCII name)[0:4]`:
 *
 * | use | name |
 * |---|---|
 * | partitioned (default 1:1) | `contact-discovery-` + decimal(X(IK) mod 5000) |
 * | negotiated | lowercase hex of the 32-byte static ECDH secret |
 * | personal | `contact-discovery-` + lowercase hex(65-byte IK), no `0x` |
 * | contact code | `0x` + hex(65-byte IK) + `-contact-code` |
 * | pre-2019 discovery | `contact-discovery` |
 *
 * Symmetric keys for the negotiated and contact-code topics are in `keys.ts`.
 *
 * @module
 */
import { defaultProvider, toHex, utf8, wipe } from '../crypto/index.ts'
import type { CryptoProvider, SecretKey } from '../crypto/index.ts'
import { TOPIC_LENGTH, TOPIC_PARTITIONS } from './limits.ts'
import type { Topic } from './topic.ts'

const DISCOVERY = 'contact-discovery'

/** `keccak256(name)[0:4]` for an ASCII/UTF-8 name. */
export function topicFromName(
  name: string | Uint8Array,
  provider: CryptoProvider = defaultProvider(),
): Topic {
  const bytes = typeof name === 'string' ? utf8(name) : name
  return provider.keccak256(bytes).slice(0, TOPIC_LENGTH) as Topic
}

/** The pre-2019 single discovery topic (`f8946aac`), for old clients only. */
export function discoveryTopic(provider: CryptoProvider = defaultProvider()): Topic {
  return topicFromName(DISCOVERY, provider)
}

/** `X(publicKey) mod 5000`, the partition of an identity (status-go `PartitionedTopic`). */
export function partitionOf(
  publicKey: Uint8Array,
  provider: CryptoProvider = defaultProvider(),
): number {
  const full = provider.decompressPublicKey(publicKey)
  let x = 0n
  for (let i = 1; i < 33; i++) x = (x << 8n) | BigInt(full[i]!)
  return Number(x % BigInt(TOPIC_PARTITIONS))
}

/** Name of the partitioned topic: `contact-discovery-N`. */
export function partitionedTopicName(
  publicKey: Uint8Array,
  provider: CryptoProvider = defaultProvider(),
): string {
  return `${DISCOVERY}-${partitionOf(publicKey, provider)}`
}

/**
 * The partitioned topic a 1:1 message to `publicKey` is sent on by default (ECIES to that key).
 * @throws {PfsError} code=INVALID_KEY
 */
export function partitionedTopic(
  publicKey: Uint8Array,
  provider: CryptoProvider = defaultProvider(),
): Topic {
  return topicFromName(partitionedTopicName(publicKey, provider), provider)
}

/** Name of the personal topic: `contact-discovery-<hex(65 B)>`. */
export function personalTopicName(
  publicKey: Uint8Array,
  provider: CryptoProvider = defaultProvider(),
): string {
  return `${DISCOVERY}-${toHex(provider.decompressPublicKey(publicKey))}`
}

/** The personal topic of `publicKey` (asymmetric; backups and other raw messages). */
export function personalTopic(
  publicKey: Uint8Array,
  provider: CryptoProvider = defaultProvider(),
): Topic {
  return topicFromName(personalTopicName(publicKey, provider), provider)
}

/** Name of the contact-code topic: `0x<hex(65 B)>-contact-code`. */
export function contactCodeTopicName(
  publicKey: Uint8Array,
  provider: CryptoProvider = defaultProvider(),
): string {
  return `0x${toHex(provider.decompressPublicKey(publicKey))}-contact-code`
}

/** The contact-code topic of `publicKey`, where its bundle is advertised. */
export function contactCodeTopic(
  publicKey: Uint8Array,
  provider: CryptoProvider = defaultProvider(),
): Topic {
  return topicFromName(contactCodeTopicName(publicKey, provider), provider)
}

const HEX_ASCII = new TextEncoder().encode('0123456789abcdef')

/**
 * ASCII lowercase hex of `bytes`, as bytes. The negotiated topic and key are derived from the hex
 * text of a secret (the reference's choice); building it as bytes, never a JS string, lets it be
 * wiped (STYLE.md §6).
 */
export function asciiHex(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length * 2)
  for (let i = 0; i < bytes.length; i++) {
    out[2 * i] = HEX_ASCII[bytes[i]! >> 4]!
    out[2 * i + 1] = HEX_ASCII[bytes[i]! & 15]!
  }
  return out
}

/** Runs `fn` on the raw bytes of a secret given either way. */
export function withSecretBytes<T>(secret: Uint8Array | SecretKey, fn: (raw: Uint8Array) => T): T {
  return secret instanceof Uint8Array ? fn(secret) : secret.use(fn)
}

/**
 * The negotiated topic of a shared secret: `keccak256(lowercase-hex(secret))[0:4]`
 * (PROTOCOL.md §11.4, `FiltersManager.LoadNegotiated`).
 */
export function negotiatedTopic(
  secret: Uint8Array | SecretKey,
  provider: CryptoProvider = defaultProvider(),
): Topic {
  return withSecretBytes(secret, (raw) => {
    const name = asciiHex(raw)
    const topic = topicFromName(name, provider)
    wipe(name)
    return topic
  })
}
