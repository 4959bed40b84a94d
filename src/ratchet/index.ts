/**
 * `status-pfs/ratchet`: the Double Ratchet exactly as status-go runs it (PROTOCOL.md §7), with a
 * pluggable DH function (`secp256k1`, the reference and default; `x25519`, the whitepaper's),
 * pure functions over an immutable `RatchetState`, a bounded skipped-key store, and a versioned
 * stored-state format. Storage, sessions per device and the wire framing are not this layer's
 * concern; it imports only `crypto`, `wire` (generated schema) and the errors.
 *
 * ```ts
 * let alice = initiator(sk, bobSignedPreKeyPublic)          // { dh: 'secp256k1' } by default
 * let bob = responder(sk, bobSignedPreKeyPair)
 * const sent = encrypt(alice, plaintext); alice = sent.state
 * const got = decrypt(bob, sent.header, sent.ciphertext); bob = got.state
 * ```
 *
 * @module
 */
import { kdfCk, kdfRk, messageKeys } from './kdf.ts'

export {
  HEADER_COUNTERS_LENGTH,
  MAX_CATCH_UP_SKIP,
  MAX_KEEP,
  MAX_MESSAGE_KEYS_PER_SESSION,
  MAX_PREVIOUS_CHAINS,
  MAX_SKIP,
  STATE_VERSION,
} from './consts.ts'
export type { DhName, RatchetKeyPair, RatchetPublicKey } from './dh.ts'
export type { Header, SentHeader } from './header.ts'
export { associatedData, encodeHeader } from './header.ts'
export { initiator, responder } from './init.ts'
export type { InitiatorOptions, SessionOptions } from './init.ts'
export { encrypt } from './encrypt.ts'
export type { EncryptResult } from './encrypt.ts'
export { decrypt } from './decrypt.ts'
export type { DecryptOptions, DecryptResult } from './decrypt.ts'
export { serialize, deserialize } from './serialize.ts'
export type { DeserializeOptions } from './serialize.ts'
export { RatchetState, _stateSecrets } from './state.ts'
export type { StateSecrets } from './state.ts'
/** @internal Hazmat: the raw KDFs (KDF_RK, KDF_CK, deriveEncKeys), for test vectors only. */
export const _kdf: {
  readonly kdfRk: typeof kdfRk
  readonly kdfCk: typeof kdfCk
  readonly messageKeys: typeof messageKeys
} = { kdfRk, kdfCk, messageKeys }
