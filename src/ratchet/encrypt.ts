/**
 * RatchetEncrypt (PROTOCOL.md §7.4, doubleratchet `session.go`):
 *
 * ```
 * header = { DH = DHs.pub, N = Ns, PN = PN }
 * (CKs, mk) = KDF_CK(CKs); Ns += 1
 * ct = Encrypt(mk, plaintext, ad ‖ Encode(header))
 * ```
 *
 * Pure: returns the next state and leaves the given one as it was.
 *
 * @module
 */
import { wipe } from '../crypto/index.ts'
import { PfsError } from '../errors.ts'
import { MAX_COUNTER } from './consts.ts'
import type { RatchetPublicKey } from './dh.ts'
import type { SentHeader } from './header.ts'
import { kdfCk } from './kdf.ts'
import { sealMessage } from './message-crypto.ts'
import { RatchetState } from './state.ts'

const EMPTY = new Uint8Array(0)

/** What `encrypt` returns. */
export interface EncryptResult {
  /** The state to use (and persist) from now on. */
  readonly state: RatchetState
  /** The header to send (`DRHeader{key: dh, n, pn}`). */
  readonly header: SentHeader
  /** `iv ‖ AES-CTR body ‖ tag`, 48 bytes longer than the plaintext. */
  readonly ciphertext: Uint8Array
}

/**
 * Encrypts `plaintext` in the current sending chain.
 *
 * @param ad - associated data prepended to the header encoding; status-go passes none.
 * @throws {PfsError} `INVALID_STATE` when the chain is exhausted (N would not fit in uint32).
 */
export function encrypt(
  state: RatchetState,
  plaintext: Uint8Array,
  ad: Uint8Array = EMPTY,
): EncryptResult {
  const s = RatchetState._data(state)
  if (!(plaintext instanceof Uint8Array)) throw new TypeError('"plaintext" expected Uint8Array')
  if (!(ad instanceof Uint8Array)) throw new TypeError('"ad" expected Uint8Array')
  if (s.ns >= MAX_COUNTER) {
    throw new PfsError('INVALID_STATE', 'sending chain exhausted', { ns: s.ns })
  }
  const header: SentHeader = {
    dh: s.dhs.publicKey.slice() as RatchetPublicKey,
    n: s.ns,
    pn: s.pn,
  }
  const step = kdfCk(s.crypto, s.cks)
  const ciphertext = sealMessage(s.crypto, step.messageKey, ad, header, plaintext)
  wipe(step.messageKey)
  return {
    state: RatchetState._wrap({ ...s, cks: step.chainKey, ns: s.ns + 1 }),
    header,
    ciphertext,
  }
}
