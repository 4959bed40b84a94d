/**
 * Fuzz targets: the application-layer decoders of `src/wire` (status-go's
 * `ApplicationMetadataMessage` and the messages it wraps), fed mutations of valid encodings.
 * Oracle as for the other wire decoders: `WIRE_MALFORMED` or a value that re-encodes equal.
 *
 * @module
 */
import { utf8 } from '../../src/crypto/index.ts'
import {
  AcceptContactRequestSchema,
  ApplicationMetadataMessageSchema,
  ChatMessageSchema,
  ContactUpdateSchema,
  create,
  decodeAcceptContactRequest,
  decodeApplicationMetadataMessage,
  decodeChatMessage,
  decodeContactUpdate,
  encodeAcceptContactRequest,
  encodeApplicationMetadataMessage,
  encodeChatMessage,
  encodeContactUpdate,
  equals,
} from '../../src/wire/index.ts'
import type { DescMessage, MessageShape } from '@bufbuild/protobuf'
import type { FuzzTarget } from './harness.ts'
import { FuzzFailure } from './harness.ts'
import { decoderTarget } from './targets-wire.ts'

function stable<D extends DescMessage>(
  schema: D,
  decode: (b: Uint8Array) => MessageShape<D>,
  encode: (m: MessageShape<D>) => Uint8Array,
): (bytes: Uint8Array) => void {
  return (bytes) => {
    const m = decode(bytes)
    if (!equals(schema, m, decode(encode(m)))) throw new FuzzFailure('re-encoding changed it')
  }
}

const chat = encodeChatMessage(
  create(ChatMessageSchema, {
    clock: 1_767_225_600_001n,
    timestamp: 1_767_225_600_000n,
    text: 'hello there',
    responseTo: 'abc',
  }),
)
const envelope = (payload: Uint8Array, type: number, signature = new Uint8Array(65).fill(1)) =>
  encodeApplicationMetadataMessage(
    create(ApplicationMetadataMessageSchema, { signature, payload, type }),
  )

export const applicationTargets: readonly FuzzTarget[] = [
  decoderTarget(
    'wire.decodeApplicationMetadataMessage',
    0.5,
    () => [envelope(chat, 1), envelope(utf8('x'), 0, new Uint8Array(0))],
    stable(
      ApplicationMetadataMessageSchema,
      decodeApplicationMetadataMessage,
      encodeApplicationMetadataMessage,
    ),
  ),
  decoderTarget(
    'wire.decodeChatMessage',
    0.3,
    () => [chat],
    stable(ChatMessageSchema, decodeChatMessage, encodeChatMessage),
  ),
  decoderTarget(
    'wire.decodeAcceptContactRequest',
    0.1,
    () => [
      encodeAcceptContactRequest(create(AcceptContactRequestSchema, { id: 'req-1', clock: 7n })),
    ],
    stable(AcceptContactRequestSchema, decodeAcceptContactRequest, encodeAcceptContactRequest),
  ),
  decoderTarget(
    'wire.decodeContactUpdate',
    0.1,
    () => [
      encodeContactUpdate(
        create(ContactUpdateSchema, { clock: 9n, displayName: 'Alice', contactRequestClock: 3n }),
      ),
    ],
    stable(ContactUpdateSchema, decodeContactUpdate, encodeContactUpdate),
  ),
]
