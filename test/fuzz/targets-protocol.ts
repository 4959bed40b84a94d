/**
 * Fuzz target: `Protocol.decrypt(sender, message)` on Bob's device, fed structure-aware mutations
 * of valid messages (issue 10 "Fuzzing"): bit flips and truncation of any byte field, huge
 * counters, wrong key lengths, swapped fields, entries moved to other installation ids, dropped or
 * added headers, forged, foreign and stale bundles, wrong envelope signers, replays of delivered
 * messages — and, on top, byte mutations of the encoded message through `decodeProtocolMessage`.
 *
 * Oracle per input: only a `PfsError` escapes, within the time bound, and when it fails, Bob's
 * store dump is identical before and after. An input that still decrypts is rolled back (an outer
 * transaction undone), so every input starts from the same state.
 *
 * @module
 */
import fc from 'fast-check'
import {
  BundleSchema,
  DHHeaderSchema,
  ProtocolMessageSchema,
  clone,
  create,
  decodeProtocolMessage,
  encodeProtocolMessage,
} from '../../src/wire/index.ts'
import type { Bundle, EncryptedMessageProtocol, ProtocolMessage } from '../../src/wire/index.ts'
import type { ByteMutation, FuzzTarget, Stats } from './harness.ts'
import {
  FuzzFailure,
  assertProperty,
  byteMutation,
  byteMutations,
  guarded,
  mutateAll,
  mutateBytes,
} from './harness.ts'
import { crypto, protocolFixture } from './protocol-fixture.ts'
import type { ProtocolFixture } from './protocol-fixture.ts'
import { dumpStore } from '../store/helpers.ts'

/** Counters around every limit: 2^32-1, 2^31, MaxSkip ± 1, 0. */
const COUNTERS = [0xffffffff, 0x80000000, 0x7fffffff, 1_000_000, 2001, 1001, 1000, 999, 1, 0]
const KEY_LENGTHS = [0, 1, 31, 32, 33, 34, 64, 65, 66]
const INSTALLATION_IDS = ['none', '__proto__', 'bob-2', 'alice-1', '', 'x'.repeat(300), 'bob-1']

type Field =
  | 'payload'
  | 'x3dh.key'
  | 'x3dh.id'
  | 'dr.key'
  | 'dr.id'
  | 'dh.key'
  | 'bundle.identity'
  | 'bundle.signature'
  | 'spk'
  | 'public'

const FIELDS: readonly Field[] = [
  'payload',
  'x3dh.key',
  'x3dh.id',
  'dr.key',
  'dr.id',
  'dh.key',
  'bundle.identity',
  'bundle.signature',
  'spk',
  'public',
]

type Op =
  | { readonly op: 'bytes'; readonly field: Field; readonly m: ByteMutation }
  | {
      readonly op: 'keyLength'
      readonly field: Field
      readonly length: number
      readonly seed: number
    }
  | { readonly op: 'counter'; readonly which: 'n' | 'pn'; readonly value: number }
  | { readonly op: 'swap'; readonly a: Field; readonly b: Field }
  | { readonly op: 'moveEntry'; readonly to: string }
  | { readonly op: 'drop'; readonly what: 'x3dh' | 'dr' | 'dh' | 'payload' | 'bundles' | 'entries' }
  | { readonly op: 'addDh'; readonly key: number }
  | { readonly op: 'bundle'; readonly how: BundleForgery; readonly pick: number }
  | { readonly op: 'installationId'; readonly to: string }
  | {
      readonly op: 'graft'
      readonly from: number
      readonly part: 'entry' | 'dr' | 'x3dh' | 'payload'
    }

type BundleForgery =
  'foreign' | 'replaceAll' | 'timestamp' | 'addSpk' | 'resign' | 'many' | 'version'

const field = fc.constantFrom(...FIELDS)
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('bytes'), field, m: byteMutation }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('keyLength'),
      field,
      length: fc.constantFrom(...KEY_LENGTHS),
      seed: fc.nat(255),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('counter'),
      which: fc.constantFrom('n', 'pn'),
      value: fc.oneof(fc.constantFrom(...COUNTERS), fc.nat({ max: 0xffffffff })),
    }),
  },
  fc.record({ op: fc.constant('swap'), a: field, b: field }),
  fc.record({ op: fc.constant('moveEntry'), to: fc.constantFrom(...INSTALLATION_IDS) }),
  fc.record({
    op: fc.constant('drop'),
    what: fc.constantFrom('x3dh', 'dr', 'dh', 'payload', 'bundles', 'entries'),
  }),
  fc.record({ op: fc.constant('addDh'), key: fc.nat(4) }),
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('bundle'),
      how: fc.constantFrom<BundleForgery>(
        'foreign',
        'replaceAll',
        'timestamp',
        'addSpk',
        'resign',
        'many',
        'version',
      ),
      pick: fc.nat(),
    }),
  },
  fc.record({ op: fc.constant('installationId'), to: fc.constantFrom(...INSTALLATION_IDS) }),
  fc.record({
    op: fc.constant('graft'),
    from: fc.nat(),
    part: fc.constantFrom('entry', 'dr', 'x3dh', 'payload'),
  }),
)

export interface ProtocolInput {
  readonly seed: number
  /** Index into the signer choices; -1 = the real sender. */
  readonly signer: number
  readonly ops: readonly Op[]
  /** Byte mutations of the encoded message (empty: hand the message over as is). */
  readonly wire: readonly ByteMutation[]
  /** Call `Protocol.handle` (the newer entry point, when present) instead of `decrypt`. */
  readonly handle: boolean
}

export const protocolInput: fc.Arbitrary<ProtocolInput> = fc.record({
  seed: fc.nat(),
  signer: fc.oneof({ weight: 4, arbitrary: fc.constant(-1) }, fc.nat(5)),
  ops: fc.array(op, { minLength: 0, maxLength: 4 }),
  wire: fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, byteMutations),
  handle: fc.boolean(),
})

/** The entry addressed to Bob, or the first one. */
function entryOf(m: ProtocolMessage): EncryptedMessageProtocol | undefined {
  const map = m.encryptedMessage
  if (Object.hasOwn(map, 'bob-1')) return map['bob-1']
  const first = Object.keys(map)[0]
  return first === undefined ? undefined : map[first]
}

function getField(m: ProtocolMessage, f: Field): Uint8Array | undefined {
  const e = entryOf(m)
  const b = m.bundles[0]
  switch (f) {
    case 'payload':
      return e?.payload
    case 'x3dh.key':
      return e?.X3DHHeader?.key
    case 'x3dh.id':
      return e?.X3DHHeader?.id
    case 'dr.key':
      return e?.DRHeader?.key
    case 'dr.id':
      return e?.DRHeader?.id
    case 'dh.key':
      return e?.DHHeader?.key
    case 'bundle.identity':
      return b?.identity
    case 'bundle.signature':
      return b?.signature
    case 'spk': {
      const first = b === undefined ? undefined : Object.values(b.signedPreKeys)[0]
      return first?.signedPreKey
    }
    case 'public':
      return m.publicMessage
  }
}

function setField(m: ProtocolMessage, f: Field, v: Uint8Array): void {
  const e = entryOf(m)
  const b = m.bundles[0]
  switch (f) {
    case 'payload':
      if (e) e.payload = v
      return
    case 'x3dh.key':
      if (e?.X3DHHeader) e.X3DHHeader.key = v
      return
    case 'x3dh.id':
      if (e?.X3DHHeader) e.X3DHHeader.id = v
      return
    case 'dr.key':
      if (e?.DRHeader) e.DRHeader.key = v
      return
    case 'dr.id':
      if (e?.DRHeader) e.DRHeader.id = v
      return
    case 'dh.key':
      if (e?.DHHeader) e.DHHeader.key = v
      return
    case 'bundle.identity':
      if (b) b.identity = v
      return
    case 'bundle.signature':
      if (b) b.signature = v
      return
    case 'spk': {
      const first = b === undefined ? undefined : Object.values(b.signedPreKeys)[0]
      if (first) first.signedPreKey = v
      return
    }
    case 'public':
      m.publicMessage = v
      return
  }
}

function defineEntry(
  map: Record<string, EncryptedMessageProtocol>,
  key: string,
  value: EncryptedMessageProtocol,
): void {
  Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true })
}

function forgeBundle(
  fx: ProtocolFixture,
  m: ProtocolMessage,
  how: BundleForgery,
  pick: number,
): void {
  const other = clone(BundleSchema, fx.bundles[pick % fx.bundles.length]!)
  const first: Bundle | undefined = m.bundles[0]
  switch (how) {
    case 'foreign':
      m.bundles.push(other)
      return
    case 'replaceAll':
      m.bundles = [other]
      return
    case 'timestamp':
      if (first) first.timestamp += BigInt(pick % 1000) + 1n
      return
    case 'addSpk':
      if (first) {
        const spk = Object.values(other.signedPreKeys)[0]
        if (spk) first.signedPreKeys[`forged-${String(pick % 3)}`] = spk
      }
      return
    case 'resign':
      // Another identity's valid signature over this bundle's material is still not its own.
      if (first) first.signature = other.signature
      return
    case 'many':
      m.bundles = Array.from({ length: 9 + (pick % 4) }, () => other)
      return
    case 'version':
      if (first) {
        const spk = Object.values(first.signedPreKeys)[0]
        if (spk) spk.version = pick % 2 === 0 ? 0xffffffff : (spk.version + 1) >>> 0
      }
      return
  }
}

function apply(fx: ProtocolFixture, m: ProtocolMessage, o: Op): void {
  switch (o.op) {
    case 'bytes': {
      const v = getField(m, o.field)
      if (v !== undefined) setField(m, o.field, mutateBytes(v, o.m))
      return
    }
    case 'keyLength': {
      const v = new Uint8Array(o.length).fill(o.seed)
      if (o.length > 0) v[0] = 2 + (o.seed & 1)
      setField(m, o.field, v)
      return
    }
    case 'counter': {
      const dr = entryOf(m)?.DRHeader
      if (dr) dr[o.which] = o.value
      return
    }
    case 'swap': {
      const a = getField(m, o.a)
      const b = getField(m, o.b)
      if (a !== undefined && b !== undefined) {
        setField(m, o.a, b)
        setField(m, o.b, a)
      }
      return
    }
    case 'moveEntry': {
      const e = entryOf(m)
      if (e === undefined) return
      m.encryptedMessage = {}
      defineEntry(m.encryptedMessage, o.to, e)
      return
    }
    case 'drop': {
      const e = entryOf(m)
      if (o.what === 'bundles') m.bundles = []
      else if (o.what === 'entries') m.encryptedMessage = {}
      else if (e === undefined) return
      else if (o.what === 'x3dh') e.X3DHHeader = undefined
      else if (o.what === 'dr') e.DRHeader = undefined
      else if (o.what === 'dh') e.DHHeader = undefined
      else e.payload = new Uint8Array(0)
      return
    }
    case 'addDh': {
      const e = entryOf(m)
      const key = fx.bundles[o.key % fx.bundles.length]!.identity
      if (e) e.DHHeader = create(DHHeaderSchema, { key: Uint8Array.from(key) })
      return
    }
    case 'bundle':
      forgeBundle(fx, m, o.how, o.pick)
      return
    case 'installationId':
      m.installationId = o.to
      return
    case 'graft': {
      const src = fx.seeds[o.from % fx.seeds.length]!.message
      const from = entryOf(clone(ProtocolMessageSchema, src))
      const to = entryOf(m)
      if (from === undefined) return
      if (o.part === 'entry' || to === undefined) {
        m.encryptedMessage = {}
        defineEntry(m.encryptedMessage, 'bob-1', from)
      } else if (o.part === 'dr') to.DRHeader = from.DRHeader
      else if (o.part === 'x3dh') to.X3DHHeader = from.X3DHHeader
      else to.payload = from.payload
      return
    }
  }
}

class Rollback extends Error {}

type Handle = (sender: Uint8Array, message: ProtocolMessage) => unknown

/** `Protocol.handle` when this build has it (it is being added alongside), else `decrypt`. */
function handleOf(fx: ProtocolFixture): Handle {
  const p = fx.bob.protocol as unknown as { handle?: Handle; decrypt: Handle }
  return (p.handle ?? p.decrypt).bind(fx.bob.protocol)
}

/** One fuzz input against Bob's device. */
export function checkProtocolInput(fx: ProtocolFixture, input: ProtocolInput, stats: Stats): void {
  const seed = fx.seeds[input.seed % fx.seeds.length]!
  const signers = [
    fx.alice.publicKey,
    fx.bob.publicKey,
    fx.mallory.publicKey,
    fx.bob2.publicKey,
    crypto.decompressPublicKey(fx.alice.publicKey),
    new Uint8Array(33).fill(7), // not a point: what a buggy transport could hand over
  ]
  const signer = input.signer < 0 ? seed.sender : signers[input.signer % signers.length]!
  let message: ProtocolMessage | undefined = clone(ProtocolMessageSchema, seed.message)
  for (const o of input.ops) apply(fx, message, o)
  const store = fx.bob.store
  if (input.wire.length > 0) {
    const bytes = mutateAll(encodeProtocolMessage(message), input.wire)
    message = undefined
    const r = guarded(stats, () => {
      message = decodeProtocolMessage(bytes)
    })
    if (r.error !== undefined && r.error.code !== 'WIRE_MALFORMED') {
      throw new FuzzFailure(`decodeProtocolMessage threw ${r.error.code}`)
    }
    if (message === undefined) return
  }
  const msg: ProtocolMessage = message
  const before = dumpStore(store)
  try {
    store.transaction(() => {
      const r = guarded(stats, () =>
        input.handle ? handleOf(fx)(signer, msg) : fx.bob.protocol.decrypt(signer, msg),
      )
      if (r.error !== undefined) {
        const after = dumpStore(store)
        if (after !== before) {
          throw new FuzzFailure(`store changed after a failed input (${r.outcome})`)
        }
      }
      throw new Rollback()
    })
  } catch (e) {
    if (!(e instanceof Rollback)) throw e
  }
  if (dumpStore(store) !== before) throw new FuzzFailure('rollback did not restore the store')
}

let fixture: ProtocolFixture | undefined

export const protocolTargets: readonly FuzzTarget[] = [
  {
    name: 'Protocol.decrypt and handle (structure-aware mutations of valid messages)',
    weight: 3,
    expect: [
      'ok',
      'WIRE_MALFORMED',
      'BUNDLE_SIGNATURE',
      'DUPLICATE',
      'MAC_MISMATCH',
      'SESSION_NOT_FOUND',
      'TOO_MANY_SKIPPED',
      'DEVICE_NOT_FOUND',
    ],
    run(numRuns, seed, stats) {
      fixture ??= protocolFixture()
      const fx = fixture
      assertProperty(protocolInput, (input) => checkProtocolInput(fx, input, stats), numRuns, seed)
    },
  },
]
