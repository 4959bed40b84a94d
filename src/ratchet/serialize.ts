/**
 * Stored ratchet state, version 1: the `statuspfs.ratchet.RatchetState` protobuf of
 * `proto/ratchet_state.proto` (STYLE.md §7 "At-rest state"). Never on the wire: the reference keeps
 * the same variables in SQLite columns (PROTOCOL.md §9); we keep one opaque record per session.
 *
 * `deserialize` treats its input as hostile: it bounds the size before parsing, then checks the
 * version, every key length, the DH function, the skipped-key count against
 * `MAX_MESSAGE_KEYS_PER_SESSION`, their order and uniqueness, and the private key's range. Any
 * failure is a `PfsError` (`CORRUPT_STATE`, or `UNKNOWN_VERSION` with `{ version }`), never
 * another exception. It does not recompute the public key from the private one (a scalar
 * multiplication per load); the record's integrity is the store's job (at-rest MAC).
 *
 * The returned bytes contain every secret of the session; the caller persists them and drops
 * them (the private key copy made for encoding is wiped here).
 *
 * @module
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf'
import { defaultProvider, wipe } from '../crypto/index.ts'
import type { CryptoProvider } from '../crypto/index.ts'
import { PfsError } from '../errors.ts'
import {
  RatchetStateSchema,
  SkippedChainSchema,
  SkippedKeySchema,
} from '../wire/gen/ratchet_state_pb.ts'
import type {
  RatchetState as RatchetStateRecord,
  SkippedChain,
} from '../wire/gen/ratchet_state_pb.ts'
import {
  KEY_LENGTH,
  MAX_MESSAGE_KEYS_PER_SESSION,
  MAX_PREVIOUS_CHAINS,
  MAX_STATE_BYTES,
  STATE_VERSION,
} from './consts.ts'
import type { RatchetDh } from './dh.ts'
import { dhFunction } from './dh.ts'
import { SkippedKeys, chainId } from './skipped-keys.ts'
import { encodeStateFields } from './state-encoding.ts'
import type { SkippedKey } from './skipped-keys.ts'
import { RatchetState } from './state.ts'

const EMPTY = new Uint8Array(0)
/** `RatchetState.dh` values (proto/ratchet_state.proto). */
const DH_SECP256K1 = 1
const DH_X25519 = 2

/** Options of `deserialize`. */
export interface DeserializeOptions {
  /** The provider the loaded state runs on (not stored); default `defaultProvider()`. */
  readonly crypto?: CryptoProvider
}

function corrupt(message: string, details: Record<string, string | number> = {}): PfsError {
  return new PfsError('CORRUPT_STATE', message, details)
}

function groupSkipped(keys: SkippedKeys): SkippedChain[] {
  const chains: SkippedChain[] = []
  let current: SkippedChain | undefined
  let lastDh: Uint8Array | undefined
  for (const k of keys.values()) {
    if (current === undefined || k.dh !== lastDh) {
      lastDh = k.dh
      current = create(SkippedChainSchema, { ratchetPublicKey: k.dh, keys: [] })
      chains.push(current)
    }
    current.keys.push(create(SkippedKeySchema, { n: k.n, messageKey: k.mk, seq: BigInt(k.seq) }))
  }
  return chains
}

/** Encodes `state` (version 1). The result holds secrets: persist it, never log it. */
export function serialize(state: RatchetState): Uint8Array {
  const s = RatchetState._data(state)
  const privateKey = s.dhs.privateKey.exportBytes()
  try {
    const common = {
      version: STATE_VERSION,
      dh: s.dh.name === 'secp256k1' ? DH_SECP256K1 : DH_X25519,
      rootKey: s.rk,
      sendingChainKey: s.cks,
      receivingChainKey: s.ckr,
      sendingPrivateKey: privateKey,
      sendingPublicKey: s.dhs.publicKey,
      receivingPublicKey: s.dhr ?? EMPTY,
      sendCount: s.ns,
      receiveCount: s.nr,
      previousSendCount: s.pn,
    }
    const fast = encodeStateFields({
      ...common,
      keysCount: s.keysCount,
      skipped: s.skipped.values(),
      previousReceivingPublicKeys: s.previousDhr,
    })
    if (fast !== undefined) return fast
    // A counter out of range: the generic codec, which rejects it as it always did.
    return toBinary(
      RatchetStateSchema,
      create(RatchetStateSchema, {
        ...common,
        keysCount: BigInt(s.keysCount),
        skipped: groupSkipped(s.skipped),
        previousReceivingPublicKeys: [...s.previousDhr],
      }),
    )
  } finally {
    wipe(privateKey)
  }
}

function secret(bytes: Uint8Array, field: string): Uint8Array {
  if (bytes.length !== KEY_LENGTH) throw corrupt('key has the wrong length', { field })
  return bytes.slice()
}

function publicKey(dh: RatchetDh, bytes: Uint8Array, field: string): Uint8Array {
  if (!dh.isWellFormed(bytes)) throw corrupt('public key has the wrong shape', { field })
  return bytes.slice()
}

function counter(value: bigint, field: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw corrupt('counter out of range', { field })
  return Number(value)
}

/**
 * Loads a state written by `serialize`.
 *
 * @throws {PfsError} `CORRUPT_STATE` for anything malformed, `UNKNOWN_VERSION` for a format this
 *   code does not know.
 */
export function deserialize(bytes: Uint8Array, options: DeserializeOptions = {}): RatchetState {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('"bytes" expected Uint8Array')
  if (bytes.length > MAX_STATE_BYTES) {
    throw corrupt('state too large', { length: bytes.length, max: MAX_STATE_BYTES })
  }
  let m: RatchetStateRecord
  try {
    m = fromBinary(RatchetStateSchema, bytes, { readUnknownFields: false })
  } catch (e) {
    throw new PfsError('CORRUPT_STATE', 'state is not a valid record', {}, { cause: e })
  }
  if (m.version === 0) throw corrupt('state has no version')
  if (m.version !== STATE_VERSION) {
    throw new PfsError('UNKNOWN_VERSION', 'unknown ratchet state version', { version: m.version })
  }
  let dh: RatchetDh
  if (m.dh === DH_SECP256K1) dh = dhFunction('secp256k1')
  else if (m.dh === DH_X25519) dh = dhFunction('x25519')
  else throw corrupt('unknown DH function', { dh: m.dh })

  const keysCount = counter(m.keysCount, 'keys_count')
  let total = 0
  for (const c of m.skipped) total += c.keys.length
  if (total > MAX_MESSAGE_KEYS_PER_SESSION) {
    throw corrupt('too many skipped keys', { count: total, max: MAX_MESSAGE_KEYS_PER_SESSION })
  }
  if (m.previousReceivingPublicKeys.length > MAX_PREVIOUS_CHAINS) {
    throw corrupt('too many previous chains', { count: m.previousReceivingPublicKeys.length })
  }
  const keys: SkippedKey[] = []
  const seen = new Set<string>()
  let lastSeq = -1
  for (const c of m.skipped) {
    const chain = publicKey(dh, c.ratchetPublicKey, 'skipped.ratchet_public_key')
    const id = chainId(chain)
    for (const k of c.keys) {
      const seq = counter(k.seq, 'skipped.seq')
      if (seq <= lastSeq || seq >= keysCount) throw corrupt('skipped keys out of order')
      lastSeq = seq
      const entry = `${id}/${k.n}`
      if (seen.has(entry)) throw corrupt('skipped key stored twice')
      seen.add(entry)
      keys.push({ dh: chain, n: k.n, mk: secret(k.messageKey, 'skipped.message_key'), seq })
    }
  }
  const rk = secret(m.rootKey, 'root_key')
  const cks = secret(m.sendingChainKey, 'sending_chain_key')
  const ckr = secret(m.receivingChainKey, 'receiving_chain_key')
  const dhr =
    m.receivingPublicKey.length === 0
      ? undefined
      : publicKey(dh, m.receivingPublicKey, 'receiving_public_key')
  const previousDhr = m.previousReceivingPublicKeys.map((k) =>
    publicKey(dh, k, 'previous_receiving_public_keys'),
  )
  const crypto = options.crypto ?? defaultProvider()
  const dhsPublic = publicKey(dh, m.sendingPublicKey, 'sending_public_key')
  if (m.sendingPrivateKey.length !== KEY_LENGTH) {
    throw corrupt('key has the wrong length', { field: 'sending_private_key' })
  }
  let dhs
  try {
    dhs = dh.keyPairFromBytes(crypto, m.sendingPrivateKey, dhsPublic)
  } catch (e) {
    throw new PfsError('CORRUPT_STATE', 'sending private key is invalid', {}, { cause: e })
  }
  return RatchetState._wrap({
    crypto,
    dh,
    rk,
    cks,
    ckr,
    dhs,
    dhr,
    ns: m.sendCount,
    nr: m.receiveCount,
    pn: m.previousSendCount,
    keysCount,
    skipped: SkippedKeys.fromOrdered(keys),
    previousDhr,
  })
}
