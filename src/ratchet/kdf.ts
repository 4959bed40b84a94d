/**
 * The ratchet's three key derivations, exactly as the reference's `EthereumCrypto` /
 * `DefaultCrypto` run them (PROTOCOL.md §7.1; vectors/README.md "ratchet.json"):
 *
 * ```
 * KDF_RK(rk, dh) = HKDF-SHA256(ikm = dh, salt = rk, info = "rsZU…6QL", 96) → rk' ‖ ck ‖ hk (hk unused)
 * KDF_CK(ck)     = ck' = HMAC-SHA256(ck, 0x0f), mk = HMAC-SHA256(ck, 0x10)
 * deriveEncKeys  = HKDF-SHA256(ikm = mk, salt = 32×00, info = "pcwS…W5Sh", 80) → encKey ‖ authKey ‖ iv
 * ```
 *
 * Hazmat: exported through the ratchet index as `_kdf` for the vector tests only. Every output is
 * a fresh array the caller owns and wipes.
 *
 * @module
 */
import { utf8, wipe } from '../crypto/index.ts'
import type { CryptoProvider } from '../crypto/index.ts'
import {
  KDF_CK_CHAIN_KEY_BYTE,
  KDF_CK_MESSAGE_KEY_BYTE,
  KDF_RK_INFO,
  KDF_RK_LENGTH,
  KEY_LENGTH,
  MESSAGE_KEYS_INFO,
  MESSAGE_KEYS_LENGTH,
} from './consts.ts'

const RK_INFO = utf8(KDF_RK_INFO)
const MK_INFO = utf8(MESSAGE_KEYS_INFO)
const ZERO_SALT = new Uint8Array(KEY_LENGTH)
const CK_INPUT = Uint8Array.of(KDF_CK_CHAIN_KEY_BYTE)
const MK_INPUT = Uint8Array.of(KDF_CK_MESSAGE_KEY_BYTE)

/** KDF_RK output: the new root key and a chain key (the header key is wiped, never used). */
export interface RootStep {
  readonly rootKey: Uint8Array
  readonly chainKey: Uint8Array
}

/** KDF_CK output: the next chain key and this step's message key. */
export interface ChainStep {
  readonly chainKey: Uint8Array
  readonly messageKey: Uint8Array
}

/** deriveEncKeys output: three views into one 80-byte array (`okm`), which the caller wipes. */
export interface MessageKeys {
  readonly encKey: Uint8Array
  readonly authKey: Uint8Array
  readonly iv: Uint8Array
  /** The whole 80-byte output the three views share. */
  readonly okm: Uint8Array
}

/** KDF_RK(rk, dhOut) (PROTOCOL.md §7.1). Does not wipe its inputs. */
export function kdfRk(crypto: CryptoProvider, rootKey: Uint8Array, dhOut: Uint8Array): RootStep {
  const okm = crypto.hkdfSha256(dhOut, rootKey, RK_INFO, KDF_RK_LENGTH)
  const out = { rootKey: okm.slice(0, 32), chainKey: okm.slice(32, 64) }
  wipe(okm)
  return out
}

/** KDF_CK(ck): two HMACs keyed by the chain key (PROTOCOL.md §7.1). Does not wipe `ck`. */
export function kdfCk(crypto: CryptoProvider, chainKey: Uint8Array): ChainStep {
  // One call: the provider may share the padded chain key between the two HMACs.
  const [next, messageKey] = crypto.hmacSha256Pair(chainKey, CK_INPUT, MK_INPUT)
  return { chainKey: next, messageKey }
}

/** deriveEncKeys(mk): AES key, HMAC key and IV of one message (PROTOCOL.md §7.1). */
export function messageKeys(crypto: CryptoProvider, messageKey: Uint8Array): MessageKeys {
  const okm = crypto.hkdfSha256(messageKey, ZERO_SALT, MK_INFO, MESSAGE_KEYS_LENGTH)
  return {
    encKey: okm.subarray(0, 32),
    authKey: okm.subarray(32, 64),
    iv: okm.subarray(64, 80),
    okm,
  }
}
