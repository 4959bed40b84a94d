/**
 * The Double Ratchet session state, DR §3.2 state variables as the reference keeps them
 * (PROTOCOL.md §7.2; doubleratchet `state.go`): `RK`, `CKs`, `CKr`, `DHs`, `DHr`, `Ns`, `Nr`,
 * `PN`, `MKSKIPPED` (here with its `KeysCount`), plus the earlier `DHr` values we remember.
 *
 * A `RatchetState` is an immutable value: `encrypt`/`decrypt` return a new one and never change
 * the one they were given, so a failed decrypt leaves the caller's state valid and a caller can
 * keep, compare or persist any version. The secrets live in a private field: the object prints
 * only public counters (`util.inspect`, `String`, `JSON.stringify`), and only this layer's
 * modules reach the data, through `RatchetState._data`.
 *
 * @module
 */
import type { CryptoProvider } from '../crypto/index.ts'
import type { DhName, RatchetDh, RatchetKeyPair, RatchetPublicKey } from './dh.ts'
import type { SkippedKeys } from './skipped-keys.ts'

/** @internal What a state holds. Arrays are owned by the state(s) sharing them: never mutated. */
export interface StateData {
  readonly crypto: CryptoProvider
  readonly dh: RatchetDh
  /** RK, 32 bytes. */
  readonly rk: Uint8Array
  /** CKs, 32 bytes. */
  readonly cks: Uint8Array
  /** CKr, 32 bytes. */
  readonly ckr: Uint8Array
  /** DHs: our current ratchet key pair. */
  readonly dhs: RatchetKeyPair
  /** DHr: the peer's current ratchet key; undefined until the responder's first receive. */
  readonly dhr: Uint8Array | undefined
  /** Ns, Nr, PN. */
  readonly ns: number
  readonly nr: number
  readonly pn: number
  /** KeysCount: receiving-chain message keys derived so far (the MaxKeep clock). */
  readonly keysCount: number
  /** MKSKIPPED. */
  readonly skipped: SkippedKeys
  /** Earlier DHr values, newest first, at most `MAX_PREVIOUS_CHAINS`. */
  readonly previousDhr: readonly Uint8Array[]
}

function describe(d: StateData): string {
  return (
    `RatchetState { dh: '${d.dh.name}', ns: ${d.ns}, nr: ${d.nr}, pn: ${d.pn}, ` +
    `skippedKeys: ${d.skipped.size} }`
  )
}

/** An immutable Double Ratchet session state. Create with `initiator`/`responder`/`deserialize`. */
export class RatchetState {
  readonly #d: StateData

  private constructor(data: StateData) {
    this.#d = data
  }

  /** @internal Wraps state data (ratchet layer only). */
  static _wrap(data: StateData): RatchetState {
    return new RatchetState(data)
  }

  /** @internal The data of `state` (ratchet layer only); throws on anything else. */
  static _data(state: RatchetState): StateData {
    if (!(state instanceof RatchetState)) throw new TypeError('"state" expected RatchetState')
    return state.#d
  }

  /** The DH function of this session. */
  get dh(): DhName {
    return this.#d.dh.name
  }

  /** Our current ratchet public key (DHs), a copy. */
  get ratchetPublicKey(): RatchetPublicKey {
    return this.#d.dhs.publicKey.slice() as RatchetPublicKey
  }

  /** The peer's current ratchet public key (DHr), a copy; undefined before the first receive. */
  get remoteRatchetPublicKey(): RatchetPublicKey | undefined {
    return this.#d.dhr?.slice() as RatchetPublicKey | undefined
  }

  /** Ns: messages sent in the current sending chain. */
  get sendCount(): number {
    return this.#d.ns
  }

  /** Nr: messages received (or skipped) in the current receiving chain. */
  get receiveCount(): number {
    return this.#d.nr
  }

  /** PN: length of our previous sending chain. */
  get previousSendCount(): number {
    return this.#d.pn
  }

  /** How many skipped message keys are stored. */
  get skippedKeyCount(): number {
    return this.#d.skipped.size
  }

  /** The crypto provider this state runs on (not serialized). */
  get crypto(): CryptoProvider {
    return this.#d.crypto
  }

  toString(): string {
    return describe(this.#d)
  }

  /** Public counters only: secrets are never part of a state's JSON. */
  toJSON(): { dh: DhName; ns: number; nr: number; pn: number; skippedKeys: number } {
    const d = this.#d
    return { dh: d.dh.name, ns: d.ns, nr: d.nr, pn: d.pn, skippedKeys: d.skipped.size }
  }

  static {
    Object.defineProperty(this.prototype, Symbol.for('nodejs.util.inspect.custom'), {
      value(this: RatchetState) {
        return this.toString()
      },
    })
  }
}

/** The secret chain keys of a state, hazmat for the vector tests. */
export interface StateSecrets {
  readonly rootKey: Uint8Array
  readonly sendingChainKey: Uint8Array
  readonly receivingChainKey: Uint8Array
}

/**
 * @internal Hazmat: **copies** of RK, CKs and CKr, for checking the reference's KDF traces. The
 * caller owns and wipes them. Never needed by applications.
 */
export function _stateSecrets(state: RatchetState): StateSecrets {
  const d = RatchetState._data(state)
  return { rootKey: d.rk.slice(), sendingChainKey: d.cks.slice(), receivingChainKey: d.ckr.slice() }
}

/**
 * @internal `state` with only its `max` newest skipped message keys. For a disposable copy whose
 * misses cost nothing but a retry elsewhere (the sync worker's shadow sessions, whose skipped keys
 * are mostly messages it chose not to read): adding keys copies the skipped-key map, so a store
 * kept near `MAX_MESSAGE_KEYS_PER_SESSION` makes every skip cost thousands of entries. Never for a
 * state that is stored.
 */
export function _keepNewestSkipped(state: RatchetState, max: number): RatchetState {
  const d = RatchetState._data(state)
  const skipped = d.skipped.newest(max)
  return skipped === d.skipped ? state : RatchetState._wrap({ ...d, skipped })
}
