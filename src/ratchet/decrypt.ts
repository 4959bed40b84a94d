/**
 * RatchetDecrypt (PROTOCOL.md §7.5, doubleratchet `session.go`/`state.go`):
 *
 * ```
 * if (header.DH, header.N) in MKSKIPPED: decrypt with that key
 * if header.DH != DHr:                                   # DH ratchet step
 *     skip(DHr, until = header.PN)                       # keys of the old receiving chain
 *     PN = Ns; DHr = header.DH
 *     (RK, CKr) = KDF_RK(RK, DH(DHs, DHr)); Nr = 0
 *     DHs = GenerateDH(); (RK, CKs) = KDF_RK(RK, DH(DHs, DHr)); Ns = 0
 * skip(DHr, until = header.N)
 * (CKr, mk) = KDF_CK(CKr); Nr += 1
 * plaintext = Decrypt(mk, ct, ad ‖ Encode(header))       # on failure nothing changes
 * ```
 *
 * Pure: works on new values only and returns a new state; on any error it throws a `PfsError` and
 * the given state is untouched and still valid.
 *
 * Rejected before any KDF or DH work:
 * - a header of the wrong shape (`WIRE_MALFORMED`);
 * - a header that would need more skipped keys than `MAX_SKIP` (or the caller's `maxSkip`
 *   allowance, at most `MAX_CATCH_UP_SKIP`) per chain segment, or more than
 *   `MAX_MESSAGE_KEYS_PER_SESSION`/`MAX_KEEP` in all (`TOO_MANY_SKIPPED`);
 * - a message whose key is gone (`DUPLICATE`): N below Nr on the current chain (the reference's
 *   "bad until: probably an out-of-order message that was deleted"), a new chain whose PN is below
 *   Nr (the same error of the reference, in `skip(DHr, PN)`), or one of the last
 *   `MAX_PREVIOUS_CHAINS` chains.
 *
 * **Deliberate deviation (forward secrecy):** the reference also stores the key it just used and
 * keeps used skipped keys until the application confirms the message, so a duplicate envelope
 * decrypts again. Here a used key is never stored and a used skipped key is deleted in the state
 * this returns, so a replay is `DUPLICATE` (the transport drops duplicate envelopes before this).
 * The persisted state must commit together with the stored message (DESIGN.md "Storage").
 * Nothing changes on the wire.
 *
 * @module
 */
import { bytesEqual, wipe } from '../crypto/index.ts'
import type { CryptoProvider } from '../crypto/index.ts'
import { PfsError } from '../errors.ts'
import {
  MAX_CATCH_UP_SKIP,
  MAX_KEEP,
  MAX_MESSAGE_KEYS_PER_SESSION,
  MAX_PREVIOUS_CHAINS,
  MAX_SKIP,
} from './consts.ts'
import type { RatchetKeyPair } from './dh.ts'
import { checkKeyPair } from './dh.ts'
import type { Header } from './header.ts'
import { checkHeader } from './header.ts'
import { kdfCk, kdfRk } from './kdf.ts'
import { openMessage } from './message-crypto.ts'
import type { SkippedKey } from './skipped-keys.ts'
import { RatchetState } from './state.ts'
import type { StateData } from './state.ts'

const EMPTY = new Uint8Array(0)
const NO_KEYS: readonly SkippedKey[] = []

/** Options of `decrypt`. */
export interface DecryptOptions {
  /**
   * Supplies our next ratchet key pair (DHs) when the message starts a new chain; default a
   * fresh `GenerateDH()`. Called at most once per decrypt, and only for a DH ratchet step
   * (injectable so that the vectors' scripted keys can be replayed).
   */
  readonly nextKeyPair?: () => RatchetKeyPair
  /**
   * The most message keys this one header may skip per chain segment, instead of `MAX_SKIP`: a
   * one-off catch-up allowance for a caller with evidence of a long gap (issue 10 "long
   * offline": a store-node sync that fetched that many messages of the sender). Values above
   * `MAX_CATCH_UP_SKIP` are clamped to it, and the per-session caps
   * (`MAX_MESSAGE_KEYS_PER_SESSION`, `MAX_KEEP`) still hold, so a header beyond them is
   * refused before any KDF work whatever the caller asks. Default `MAX_SKIP`.
   */
  readonly maxSkip?: number
}

/** What `decrypt` returns. */
export interface DecryptResult {
  /** The state to use (and persist, together with the message) from now on. */
  readonly state: RatchetState
  readonly plaintext: Uint8Array
}

function duplicate(header: Header): PfsError<'DUPLICATE'> {
  return new PfsError('DUPLICATE', 'message key already used or deleted', {
    n: header.n,
    pn: header.pn,
  })
}

/** `options.maxSkip` checked and clamped to the hard cap. */
function skipLimit(maxSkip: number | undefined): number {
  if (maxSkip === undefined) return MAX_SKIP
  if (!Number.isSafeInteger(maxSkip) || maxSkip < 0) {
    throw new RangeError('"maxSkip" expected a non-negative integer')
  }
  return Math.min(maxSkip, MAX_CATCH_UP_SKIP)
}

/** The skip budget of a header, checked before any derivation. */
function checkSkip(oldChain: number, newChain: number, maxSkip: number): void {
  const total = oldChain + newChain
  if (
    oldChain > maxSkip ||
    newChain > maxSkip ||
    total > MAX_MESSAGE_KEYS_PER_SESSION ||
    total > MAX_KEEP
  ) {
    throw new PfsError('TOO_MANY_SKIPPED', 'header would skip too many message keys', {
      previousChain: oldChain,
      currentChain: newChain,
      maxSkip,
    })
  }
}

/**
 * Derives the keys of messages `from..until-1` of a chain into `out` (seq from `seq`) and returns
 * the chain key for `until`. Intermediate chain keys are wiped; `ck` itself is not.
 */
function skipKeys(
  crypto: CryptoProvider,
  dh: Uint8Array,
  ck: Uint8Array,
  from: number,
  until: number,
  seq: number,
  out: SkippedKey[],
): Uint8Array {
  let chainKey = ck
  for (let n = from; n < until; n++) {
    const step = kdfCk(crypto, chainKey)
    if (chainKey !== ck) wipe(chainKey)
    out.push({ dh, n, mk: step.messageKey, seq: seq++ })
    chainKey = step.chainKey
  }
  return chainKey
}

function wipeKeys(keys: readonly SkippedKey[]): void {
  for (const k of keys) wipe(k.mk)
}

/** A message in the current receiving chain (N ≥ Nr): the hot path. */
function decryptInChain(
  s: StateData,
  dhr: Uint8Array,
  header: Header,
  ciphertext: Uint8Array,
  ad: Uint8Array,
  maxSkip: number,
): DecryptResult {
  const { crypto } = s
  const skip = header.n - s.nr
  checkSkip(0, skip, maxSkip)
  const added: SkippedKey[] = skip === 0 ? (NO_KEYS as SkippedKey[]) : []
  const ck = skipKeys(crypto, dhr, s.ckr, s.nr, header.n, s.keysCount, added)
  const step = kdfCk(crypto, ck)
  if (ck !== s.ckr) wipe(ck)
  let plaintext: Uint8Array
  try {
    plaintext = openMessage(crypto, step.messageKey, ad, header, ciphertext)
  } catch (e) {
    wipe(step.messageKey, step.chainKey)
    wipeKeys(added)
    throw e
  }
  wipe(step.messageKey)
  const keysCount = s.keysCount + skip + 1
  return {
    state: RatchetState._wrap({
      ...s,
      ckr: step.chainKey,
      nr: header.n + 1,
      keysCount,
      skipped: s.skipped.withAdded(added, keysCount),
    }),
    plaintext,
  }
}

/** A message that starts a new receiving chain: skip the old one, then the DH ratchet step. */
function decryptNewChain(
  s: StateData,
  header: Header,
  ciphertext: Uint8Array,
  ad: Uint8Array,
  options: DecryptOptions,
  maxSkip: number,
): DecryptResult {
  const { crypto, dh } = s
  // Responder's first receive: there is no old chain (DHr empty), and honest PN is 0.
  const oldSkip = s.dhr === undefined ? 0 : header.pn - s.nr
  if (oldSkip < 0) throw duplicate(header)
  checkSkip(oldSkip, header.n, maxSkip)

  const added: SkippedKey[] = []
  const fresh: Uint8Array[] = []
  try {
    let seq = s.keysCount
    if (s.dhr !== undefined && oldSkip > 0) {
      const last = skipKeys(crypto, s.dhr, s.ckr, s.nr, header.pn, seq, added)
      if (last !== s.ckr) wipe(last)
      seq += oldSkip
    }
    const dhr = Uint8Array.from(header.dh)
    const dhOut1 = dh.dh(crypto, s.dhs.privateKey, dhr)
    fresh.push(dhOut1)
    const recv = kdfRk(crypto, s.rk, dhOut1)
    fresh.push(recv.rootKey, recv.chainKey)
    const next = options.nextKeyPair?.() ?? dh.generateKeyPair(crypto)
    checkKeyPair(dh, next, 'nextKeyPair()')
    const dhOut2 = dh.dh(crypto, next.privateKey, dhr)
    fresh.push(dhOut2)
    const send = kdfRk(crypto, recv.rootKey, dhOut2)
    const ck = skipKeys(crypto, dhr, recv.chainKey, 0, header.n, seq, added)
    seq += header.n
    const step = kdfCk(crypto, ck)
    if (ck !== recv.chainKey) wipe(ck)
    fresh.push(send.rootKey, send.chainKey, step.messageKey, step.chainKey)
    const plaintext = openMessage(crypto, step.messageKey, ad, header, ciphertext)
    wipe(dhOut1, dhOut2, recv.rootKey, recv.chainKey, step.messageKey)
    const keysCount = seq + 1
    const previousDhr =
      s.dhr === undefined
        ? s.previousDhr
        : [s.dhr, ...s.previousDhr.slice(0, MAX_PREVIOUS_CHAINS - 1)]
    return {
      state: RatchetState._wrap({
        crypto,
        dh,
        rk: send.rootKey,
        cks: send.chainKey,
        ckr: step.chainKey,
        dhs: next,
        dhr,
        ns: 0,
        nr: header.n + 1,
        pn: s.ns,
        keysCount,
        skipped: s.skipped.withAdded(added, keysCount),
        previousDhr,
      }),
      plaintext,
    }
  } catch (e) {
    wipe(...fresh)
    wipeKeys(added)
    throw e
  }
}

/**
 * Decrypts a message of this session.
 *
 * @param header - the received `{dh, n, pn}` (`DRHeader.key/n/pn`), exactly as received.
 * @param ciphertext - `DRHeader`'s payload: `iv ‖ body ‖ tag`.
 * @param ad - the associated data the sender passed to `encrypt` (status-go: none).
 * @throws {PfsError} `MAC_MISMATCH` (forged, corrupted or wrong-session message),
 *   `DUPLICATE` (key already used or deleted), `TOO_MANY_SKIPPED`, `WIRE_MALFORMED` (header
 *   shape), `INVALID_KEY` (a header key off the curve). The given state stays valid.
 */
export function decrypt(
  state: RatchetState,
  header: Header,
  ciphertext: Uint8Array,
  ad: Uint8Array = EMPTY,
  options: DecryptOptions = {},
): DecryptResult {
  const s = RatchetState._data(state)
  const maxSkip = skipLimit(options.maxSkip)
  checkHeader(s.dh, header)
  if (!(ciphertext instanceof Uint8Array)) throw new TypeError('"ciphertext" expected Uint8Array')
  if (!(ad instanceof Uint8Array)) throw new TypeError('"ad" expected Uint8Array')
  const dhr = s.dhr
  const sameChain = dhr !== undefined && bytesEqual(header.dh, dhr)
  // MKSKIPPED only ever holds keys below Nr of the current chain, so (DHr, N ≥ Nr) cannot be in
  // it: the reference's store lookup comes first, but the hot path can skip it.
  if (sameChain && header.n >= s.nr) return decryptInChain(s, dhr, header, ciphertext, ad, maxSkip)
  const stored = s.skipped.get(header.dh, header.n)
  if (stored !== undefined) {
    const plaintext = openMessage(s.crypto, stored.mk, ad, header, ciphertext)
    return { state: RatchetState._wrap({ ...s, skipped: s.skipped.without(stored) }), plaintext }
  }
  if (sameChain || s.previousDhr.some((k) => bytesEqual(k, header.dh))) throw duplicate(header)
  return decryptNewChain(s, header, ciphertext, ad, options, maxSkip)
}
