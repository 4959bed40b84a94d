/**
 * How push messages travel (the reference sends them as raw messages, outside the 1:1 encryption
 * layer, to the server's key): an `ApplicationMetadataMessage` of a push type, signed by the
 * sender, sealed with ECIES to the recipient's key (TRANSPORT.md §1.7), the envelope signed by
 * the same key, on the recipient's partitioned topic (PROTOCOL.md §11.2). Answers go back to the
 * key that signed the request, the same way.
 *
 * @module
 */
import { bytesEqual } from '../../crypto/index.ts'
import type { CryptoProvider, SecretKey } from '../../crypto/index.ts'
import {
  createEnvelope,
  open,
  partitionedTopic,
  seal,
  sealAsymmetric,
} from '../../transport/index.ts'
import type { Envelope, Network } from '../../transport/index.ts'
import {
  ApplicationMetadataMessageSchema,
  create,
  decodeApplicationMetadataMessage,
  encodeApplicationMetadataMessage,
} from '../../wire/index.ts'

export const DEFAULT_MIN_POW = 0.002
export const DEFAULT_TTL = 300

export interface ChannelOptions {
  readonly network: Network
  readonly crypto: CryptoProvider
  readonly clock: () => number
  readonly minPow?: number
  readonly ttl?: number
}

/** Signs, seals and publishes one push message from `signer` to `to`. */
export async function sendPush(
  opts: ChannelOptions,
  signer: SecretKey,
  to: Uint8Array,
  type: number,
  payload: Uint8Array,
): Promise<void> {
  const { crypto } = opts
  const app = encodeApplicationMetadataMessage(
    create(ApplicationMetadataMessageSchema, {
      signature: crypto.signKeccak(payload, signer),
      payload,
      type,
    }),
  )
  const data = sealAsymmetric(app, to, signer, { provider: crypto })
  const envelope = seal(
    createEnvelope({
      topic: partitionedTopic(to, crypto),
      data,
      ttl: opts.ttl ?? DEFAULT_TTL,
      now: Math.floor(opts.clock() / 1000),
    }),
    opts.minPow ?? DEFAULT_MIN_POW,
    { provider: crypto },
  )
  await opts.network.publish(envelope)
}

/** A received push message: its type, payload and the (65-byte) key that signed it. */
export interface ReceivedPush {
  readonly type: number
  readonly payload: Uint8Array
  readonly sender: Uint8Array
}

/**
 * Opens an envelope addressed to `key` as a push message; undefined when it is not one (other
 * traffic shares the partitioned topic). Never throws.
 */
export function openPush(
  envelope: Envelope,
  key: SecretKey,
  crypto: CryptoProvider,
): ReceivedPush | undefined {
  try {
    const opened = open(envelope.data, { privateKey: key }, { provider: crypto })
    if (opened.signer === undefined) return undefined
    const app = decodeApplicationMetadataMessage(opened.payload)
    if (app.signature.length === 0) return undefined
    const author = crypto.recoverKeccak(app.payload, app.signature)
    if (!bytesEqual(author, opened.signer)) return undefined
    return { type: app.type, payload: app.payload, sender: opened.signer }
  } catch {
    return undefined
  }
}
