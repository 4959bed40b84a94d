/**
 * Fuzz targets: every decoder of `src/wire` (and the ratchet's stored-state decoder), fed byte and
 * protobuf-field mutations of valid encodings made by a real conversation, plus raw random bytes.
 *
 * Oracle: a decoder returns or throws `WIRE_MALFORMED` (`CORRUPT_STATE`/`UNKNOWN_VERSION` for the
 * stored state), nothing else, within the time bound; what decodes re-encodes to bytes that
 * decode to an equal value (no decoder accepts what its encoder cannot write back). Decoded
 * bundles go on to `verifyBundle`, which may only throw a `PfsError`.
 *
 * @module
 */
import fc from 'fast-check'
import { isPfsError } from '../../src/errors.ts'
import { deserialize, serialize } from '../../src/ratchet/index.ts'
import {
  BundleContainerSchema,
  BundleSchema,
  EncryptedMessageProtocolSchema,
  ProtocolMessageSchema,
  create,
  decodeBundle,
  decodeBundleContainer,
  decodeEncryptedMessage,
  decodeProtocolMessage,
  encodeBundle,
  encodeBundleContainer,
  encodeEncryptedMessage,
  encodeProtocolMessage,
  equals,
} from '../../src/wire/index.ts'
import type { DescMessage, MessageShape } from '@bufbuild/protobuf'
import { verifyBundle } from '../../src/x3dh/index.ts'
import type { ByteMutation, FuzzTarget, Stats } from './harness.ts'
import { FuzzFailure, assertProperty, byteMutations, guarded, mutateAll } from './harness.ts'
import { crypto, protocolFixture } from './protocol-fixture.ts'

interface Corpus {
  readonly messages: readonly Uint8Array[]
  readonly bundles: readonly Uint8Array[]
  readonly containers: readonly Uint8Array[]
  readonly entries: readonly Uint8Array[]
  readonly states: readonly Uint8Array[]
}

let corpus: Corpus | undefined

function buildCorpus(): Corpus {
  const fx = protocolFixture()
  const messages = fx.seeds.map((s) => encodeProtocolMessage(s.message))
  const bundles = fx.bundles.map(encodeBundle)
  const containers = fx.bundles.map((bundle, i) =>
    encodeBundleContainer(
      create(BundleContainerSchema, {
        bundle,
        privateSignedPreKey: crypto.sha256(Uint8Array.of(i)),
      }),
    ),
  )
  const entries = fx.seeds.flatMap((s) =>
    Object.values(s.message.encryptedMessage).map(encodeEncryptedMessage),
  )
  const states: Uint8Array[] = []
  for (const id of [fx.alice.publicKey, fx.mallory.publicKey, fx.bob.publicKey]) {
    for (const inst of fx.bob.store.listInstallations(id)) {
      for (const s of fx.bob.store.listSessionsFor(id, inst.installationId)) states.push(s.state)
    }
  }
  if (states.length === 0) throw new Error('fixture: no session state')
  return { messages, bundles, containers, entries, states }
}

interface Input {
  readonly pick: number
  readonly mutations: readonly ByteMutation[]
}

const input: fc.Arbitrary<Input> = fc.record({ pick: fc.nat(), mutations: byteMutations })

/** Decode `bytes`; on success, the re-encoding must decode to an equal message. */
function roundTrip<D extends DescMessage>(
  schema: D,
  decode: (b: Uint8Array) => MessageShape<D>,
  encode: (m: MessageShape<D>) => Uint8Array,
  bytes: Uint8Array,
): MessageShape<D> {
  const m = decode(bytes)
  let again: MessageShape<D>
  try {
    again = decode(encode(m))
  } catch (e) {
    throw new FuzzFailure('a decoded message does not decode after re-encoding', { cause: e })
  }
  if (!equals(schema, m, again)) throw new FuzzFailure('re-encoding changed a decoded message')
  return m
}

function getCorpus(): Corpus {
  corpus ??= buildCorpus()
  return corpus
}

/** A decoder fed mutations of the valid encodings `pool()` returns; only `codes` may escape. */
export function decoderTarget(
  name: string,
  weight: number,
  pool: () => readonly Uint8Array[],
  check: (bytes: Uint8Array) => unknown,
  codes: readonly string[] = ['WIRE_MALFORMED'],
): FuzzTarget {
  return {
    name,
    weight,
    expect: ['ok', codes[0]!],
    run(numRuns: number, seed: number, stats: Stats) {
      const items = pool()
      assertProperty(
        input,
        ({ pick, mutations }) => {
          const bytes = mutateAll(items[pick % items.length]!, mutations)
          const r = guarded(stats, () => check(bytes))
          if (r.error !== undefined && !codes.includes(r.error.code)) {
            throw new FuzzFailure(`${name} threw ${r.error.code}`)
          }
        },
        numRuns,
        seed,
      )
    },
  }
}

export const wireTargets: readonly FuzzTarget[] = [
  decoderTarget(
    'wire.decodeProtocolMessage',
    1,
    () => getCorpus().messages,
    (b) => roundTrip(ProtocolMessageSchema, decodeProtocolMessage, encodeProtocolMessage, b),
  ),
  decoderTarget(
    'wire.decodeBundle + x3dh.verifyBundle',
    1,
    () => getCorpus().bundles,
    (b) => {
      const bundle = roundTrip(BundleSchema, decodeBundle, encodeBundle, b)
      // Signature verification: BUNDLE_SIGNATURE / INVALID_* are expected for mutated bundles.
      try {
        verifyBundle(bundle, { crypto })
      } catch (e) {
        if (!isPfsError(e)) throw e
      }
    },
  ),
  decoderTarget(
    'wire.decodeBundleContainer',
    0.5,
    () => getCorpus().containers,
    (b) => roundTrip(BundleContainerSchema, decodeBundleContainer, encodeBundleContainer, b),
  ),
  decoderTarget(
    'wire.decodeEncryptedMessage',
    0.5,
    () => getCorpus().entries,
    (b) =>
      roundTrip(EncryptedMessageProtocolSchema, decodeEncryptedMessage, encodeEncryptedMessage, b),
  ),
  decoderTarget(
    'ratchet.deserialize (stored session state)',
    0.5,
    () => getCorpus().states,
    (b) => {
      const state = deserialize(b, { crypto })
      // What loads must serialize again (a state that cannot be saved would wedge the session).
      serialize(state)
    },
    ['CORRUPT_STATE', 'UNKNOWN_VERSION'],
  ),
]
