/**
 * Session initialisation as status-go does it (PROTOCOL.md §7.2; doubleratchet `DefaultState`,
 * `New`, `NewWithRemoteKey`). A deviation of the library from the Signal spec that the wire
 * depends on: **RK, CKs and CKr all start as SK** ("so that both parties could send and receive
 * from the very beginning").
 *
 * - initiator (active, A): `DHs = GenerateDH()`, `DHr = SPK_B`, `(RK, CKs) = KDF_RK(SK, DH(DHs,
 *   SPK_B))`, `CKr = SK`.
 * - responder (passive, B): `DHs = SPK_B` (its signed prekey is its first ratchet key),
 *   `DHr` empty, `RK = CKs = CKr = SK`. If B sends before receiving, his header carries SPK_B and
 *   his chain is SK; A decrypts it with `CKr = SK` and no DH step (the "responder sends first"
 *   quirk, kept for compatibility).
 *
 * @module
 */
import { SecretKey, defaultProvider, wipe } from '../crypto/index.ts'
import type { CryptoProvider } from '../crypto/index.ts'
import { KEY_LENGTH } from './consts.ts'
import type { DhName, RatchetKeyPair } from './dh.ts'
import { checkKeyPair, dhFunction, malformedKey } from './dh.ts'
import { kdfRk } from './kdf.ts'
import { SkippedKeys } from './skipped-keys.ts'
import { RatchetState } from './state.ts'

/** Options of both constructors. */
export interface SessionOptions {
  /** The DH function: `'secp256k1'` (default, the reference) or `'x25519'` (the whitepaper). */
  readonly dh?: DhName
  /** The crypto provider; default `defaultProvider()`. */
  readonly crypto?: CryptoProvider
}

/** Options of `initiator`. */
export interface InitiatorOptions extends SessionOptions {
  /** Our first ratchet key pair; default a fresh one (injectable for test vectors). */
  readonly keyPair?: RatchetKeyPair
}

function copySecret(sk: Uint8Array | SecretKey): Uint8Array {
  const bytes = sk instanceof SecretKey ? sk.exportBytes() : Uint8Array.from(sk)
  if (bytes.length !== KEY_LENGTH) {
    wipe(bytes)
    throw new TypeError(`"sk" expected ${KEY_LENGTH} bytes`)
  }
  return bytes
}

/**
 * The initiator's ("active", A's) state after X3DH.
 *
 * @param sk - SK from X3DH, 32 bytes (copied; the caller may wipe its own).
 * @param theirRatchetPublic - the responder's signed prekey (its initial ratchet key).
 * @throws {PfsError} `WIRE_MALFORMED` for a key of the wrong shape, `INVALID_KEY` for a key that
 *   is not a point of the curve.
 */
export function initiator(
  sk: Uint8Array | SecretKey,
  theirRatchetPublic: Uint8Array,
  options: InitiatorOptions = {},
): RatchetState {
  const dh = dhFunction(options.dh)
  const crypto = options.crypto ?? defaultProvider()
  if (!(theirRatchetPublic instanceof Uint8Array)) {
    throw new TypeError('"theirRatchetPublic" expected Uint8Array')
  }
  if (!dh.isWellFormed(theirRatchetPublic)) throw malformedKey(dh, theirRatchetPublic.length)
  const root = copySecret(sk)
  const dhs =
    options.keyPair === undefined
      ? dh.generateKeyPair(crypto)
      : checkKeyPair(dh, options.keyPair, 'keyPair')
  let dhOut: Uint8Array
  try {
    dhOut = dh.dh(crypto, dhs.privateKey, theirRatchetPublic)
  } catch (e) {
    wipe(root)
    throw e
  }
  const step = kdfRk(crypto, root, dhOut)
  wipe(dhOut)
  return RatchetState._wrap({
    crypto,
    dh,
    rk: step.rootKey,
    cks: step.chainKey,
    ckr: root,
    dhs,
    dhr: Uint8Array.from(theirRatchetPublic),
    ns: 0,
    nr: 0,
    pn: 0,
    keysCount: 0,
    skipped: SkippedKeys.EMPTY,
    previousDhr: [],
  })
}

/**
 * The responder's ("passive", B's) state after X3DH.
 *
 * @param sk - SK from X3DH, 32 bytes (copied).
 * @param ourKeyPair - our signed prekey pair: the responder's first ratchet key.
 */
export function responder(
  sk: Uint8Array | SecretKey,
  ourKeyPair: RatchetKeyPair,
  options: SessionOptions = {},
): RatchetState {
  const dh = dhFunction(options.dh)
  const root = copySecret(sk)
  return RatchetState._wrap({
    crypto: options.crypto ?? defaultProvider(),
    dh,
    rk: root,
    cks: root.slice(),
    ckr: root.slice(),
    dhs: checkKeyPair(dh, ourKeyPair, 'ourKeyPair'),
    dhr: undefined,
    ns: 0,
    nr: 0,
    pn: 0,
    keysCount: 0,
    skipped: SkippedKeys.EMPTY,
    previousDhr: [],
  })
}
