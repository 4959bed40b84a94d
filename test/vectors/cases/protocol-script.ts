/**
 * Scripted devices for the vector files that run through the `Protocol` API
 * (`dh_header.json`, `multidevice/multidevice.json`, `multidevice/rekey.json`;
 * vectors/multidevice/README.md "Conventions", "Step types").
 *
 * The reference recorded every random value it consumed, step by step. A `ScriptedDevice` is a
 * `Protocol` on its own store (MemoryStore or SqliteStore) whose `generateKeyPair(purpose)` hands out exactly the keys
 * scripted for the current step, per purpose and in recorded order, and whose crypto provider
 * hands out the scripted AES-GCM nonce where the protocol would draw one. Anything unscripted is an
 * error naming the purpose, and `leftover()` names what a step was given but did not use, so a
 * deviation in how many keys the protocol draws is reported, never hidden.
 *
 * The clock (bigint ns) is shared by the devices of one scenario and set by the caller to the
 * recorded timestamp of each step (bundle timestamps are inputs, not outputs).
 */
import { fromHex, toHex } from '../../../src/crypto/index.ts'
import type { CryptoProvider, KeyPair } from '../../../src/crypto/index.ts'
import { Protocol } from '../../../src/protocol/index.ts'
import type { KeyPurpose } from '../../../src/protocol/index.ts'
import { MemoryStore, SqliteStore } from '../../../src/store/index.ts'
import type { Store } from '../../../src/store/index.ts'
import type { Bundle, EncryptedMessageProtocol, ProtocolMessage } from '../../../src/wire/index.ts'

export interface Key {
  readonly private: string
  readonly public_compressed: string
}

/** One `random_consumed*` entry of the vectors. */
export interface Consumed {
  readonly label: string
  readonly bytes: string
}

/** What a scripted random value is for: a key purpose, or the DH fallback's GCM nonce. */
export type ScriptPurpose = KeyPurpose | 'nonce'

/** One scripted value: a key for a purpose, or a nonce. */
export type Scripted =
  | { readonly purpose: KeyPurpose; readonly label: string; readonly key: Key }
  | { readonly purpose: 'nonce'; readonly label: string; readonly nonce: Uint8Array }

/** The scenario clock, shared by all devices of one run. */
export interface Clock {
  now: bigint
}

/**
 * The purpose of a recorded key from its label (`alice-1/x3dh_ephemeral/for_bob-1/1`,
 * `bob/signed_prekey_v2`, `alice-1/ratchet_key/3`, …).
 */
export function purposeOfLabel(label: string): KeyPurpose {
  if (label.includes('signed_prekey')) return 'signed-prekey'
  if (label.includes('x3dh_ephemeral')) return 'x3dh-ephemeral'
  if (label.includes('ratchet_key')) return 'ratchet'
  throw new Error(`unknown random_consumed label ${label}`)
}

/** `random_consumed` entries resolved against the file's `keys` (multidevice README "keys"). */
export function fromConsumed(
  consumed: readonly Consumed[] | undefined,
  keys: Readonly<Record<string, Key>>,
): Scripted[] {
  return (consumed ?? []).map((c) => {
    const key = keys[c.label]
    if (key === undefined) throw new Error(`random_consumed label ${c.label} not in keys`)
    return { purpose: purposeOfLabel(c.label), label: c.label, key }
  })
}

/** The stores the scripted devices run on (both must give the same bytes). */
export const STORE_KINDS = ['memory', 'sqlite'] as const
export type StoreKind = (typeof STORE_KINDS)[number]

/** A fresh empty store of a kind (SQLite in memory: the same engine and schema as on disk). */
export function openStore(kind: StoreKind): Store {
  return kind === 'memory' ? new MemoryStore() : SqliteStore.open(':memory:')
}

export interface DeviceOptions {
  readonly name: string
  /** Default a new MemoryStore. */
  readonly store?: Store
  readonly crypto: CryptoProvider
  readonly identity: Key
  readonly installationId: string
  readonly clock: Clock
  readonly signedPreKeyRotationMs?: number
}

/** One device: a `Protocol` on its own store, with scripted randomness. */
export class ScriptedDevice {
  readonly name: string
  readonly store: Store
  readonly protocol: Protocol
  readonly identityPublic: Uint8Array
  readonly installationId: string
  readonly #crypto: CryptoProvider
  #queue: Scripted[] = []
  #unscripted: string[] = []

  constructor(o: DeviceOptions) {
    this.name = o.name
    this.#crypto = o.crypto
    this.store = o.store ?? new MemoryStore()
    this.identityPublic = fromHex(o.identity.public_compressed)
    this.installationId = o.installationId
    const base = o.crypto
    // The DH fallback draws its nonce inside `encryptSymmetric`; a wrapped provider supplies the
    // scripted one (ProtocolOptions has no separate nonce hook).
    const crypto: CryptoProvider = {
      ...base,
      encryptSymmetric: (key, plaintext, nonce) =>
        base.encryptSymmetric(key, plaintext, nonce ?? this.#nonce()),
    }
    this.protocol = new Protocol({
      store: this.store,
      identity: o.crypto.secp256k1PrivateKey(fromHex(o.identity.private)),
      installationId: o.installationId,
      crypto,
      clock: () => o.clock.now,
      generateKeyPair: (purpose) => this.#key(purpose),
      ...(o.signedPreKeyRotationMs === undefined
        ? {}
        : { signedPreKeyRotationMs: o.signedPreKeyRotationMs }),
    })
  }

  /** Replaces the script with the values of the next step (in recorded order). */
  script(values: readonly Scripted[]): void {
    this.#queue = [...values]
    this.#unscripted = []
  }

  /**
   * What the last step got wrong about randomness: values requested but not scripted, and
   * scripted values never requested. Empty when the protocol drew exactly the recorded values.
   */
  leftover(): string[] {
    const out = this.#unscripted.map((p) => `${this.name} requested an unscripted ${p}`)
    for (const s of this.#queue) out.push(`${this.name} did not use scripted ${s.label}`)
    return out
  }

  #take(purpose: ScriptPurpose): Scripted | undefined {
    const i = this.#queue.findIndex((s) => s.purpose === purpose)
    if (i < 0) {
      this.#unscripted.push(purpose)
      return undefined
    }
    return this.#queue.splice(i, 1)[0]
  }

  #key(purpose: KeyPurpose): KeyPair {
    const s = this.#take(purpose)
    if (s === undefined || s.purpose === 'nonce') {
      throw new Error(`${this.name}: unscripted key requested: ${purpose}`)
    }
    const pair = this.#crypto.keyPairFromPrivate(
      this.#crypto.secp256k1PrivateKey(fromHex(s.key.private)),
    )
    if (toHex(pair.publicKey) !== s.key.public_compressed) {
      throw new Error(`${this.name}: scripted key ${s.label} has a wrong public key`)
    }
    return pair
  }

  #nonce(): Uint8Array {
    const s = this.#take('nonce')
    if (s === undefined || s.purpose !== 'nonce') {
      throw new Error(`${this.name}: unscripted AES-GCM nonce requested`)
    }
    return s.nonce
  }
}

/** Runs `fn`, returning its error message (or the PfsError code and message) as a string. */
export function attempt(fn: () => void): string | undefined {
  try {
    fn()
    return undefined
  } catch (e) {
    return errorText(e)
  }
}

export function errorText(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code
    return typeof code === 'string' ? `${code}: ${e.message}` : e.message
  }
  return String(e)
}

function hex(b: Uint8Array | undefined): string {
  return b === undefined ? '(none)' : toHex(b)
}

function cmp(out: string[], what: string, got: string, want: string): void {
  if (got !== want) out.push(`${what}: got ${got}, want ${want}`)
}

/** Field-by-field differences between two bundles, for precise failure messages. */
export function diffBundle(prefix: string, got: Bundle, want: Bundle): string[] {
  const out: string[] = []
  cmp(out, `${prefix}.identity`, hex(got.identity), hex(want.identity))
  cmp(out, `${prefix}.timestamp`, got.timestamp.toString(), want.timestamp.toString())
  const ids = new Set([...Object.keys(got.signedPreKeys), ...Object.keys(want.signedPreKeys)])
  for (const id of [...ids].sort()) {
    const g = Object.hasOwn(got.signedPreKeys, id) ? got.signedPreKeys[id] : undefined
    const w = Object.hasOwn(want.signedPreKeys, id) ? want.signedPreKeys[id] : undefined
    const show = (s: typeof g): string =>
      s === undefined ? '(absent)' : `${toHex(s.signedPreKey)} v${s.version} pv${s.protocolVersion}`
    cmp(out, `${prefix}.signed_pre_keys[${id}]`, show(g), show(w))
  }
  cmp(out, `${prefix}.signature`, hex(got.signature), hex(want.signature))
  return out
}

function diffEntry(prefix: string, got: EncryptedMessageProtocol, want: EncryptedMessageProtocol) {
  const out: string[] = []
  const x = (h: EncryptedMessageProtocol['X3DHHeader']): string =>
    h === undefined ? '(none)' : `key ${toHex(h.key)} id ${toHex(h.id)}`
  const d = (h: EncryptedMessageProtocol['DRHeader']): string =>
    h === undefined ? '(none)' : `key ${toHex(h.key)} n ${h.n} pn ${h.pn} id ${toHex(h.id)}`
  cmp(out, `${prefix}.X3DH_header`, x(got.X3DHHeader), x(want.X3DHHeader))
  cmp(out, `${prefix}.DR_header`, d(got.DRHeader), d(want.DRHeader))
  cmp(out, `${prefix}.DH_header.key`, hex(got.DHHeader?.key), hex(want.DHHeader?.key))
  cmp(out, `${prefix}.payload`, toHex(got.payload), toHex(want.payload))
  return out
}

/** Field-by-field differences between two ProtocolMessages (map entries matched by key). */
export function diffMessage(got: ProtocolMessage, want: ProtocolMessage): string[] {
  const out: string[] = []
  cmp(out, 'installation_id', got.installationId, want.installationId)
  cmp(out, 'bundles.length', String(got.bundles.length), String(want.bundles.length))
  for (let i = 0; i < Math.min(got.bundles.length, want.bundles.length); i++) {
    out.push(...diffBundle(`bundles[${i}]`, got.bundles[i]!, want.bundles[i]!))
  }
  const gk = Object.keys(got.encryptedMessage).sort()
  const wk = Object.keys(want.encryptedMessage).sort()
  cmp(out, 'encrypted_message keys', gk.join(','), wk.join(','))
  for (const k of wk) {
    if (!Object.hasOwn(got.encryptedMessage, k)) continue
    out.push(
      ...diffEntry(`encrypted_message[${k}]`, got.encryptedMessage[k]!, want.encryptedMessage[k]!),
    )
  }
  cmp(out, 'public_message', toHex(got.publicMessage), toHex(want.publicMessage))
  return out
}
