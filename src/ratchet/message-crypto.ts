/**
 * The ratchet's message encryption, the reference's `Encrypt`/`Decrypt` (PROTOCOL.md §7.1):
 *
 * ```
 * encKey ‖ authKey ‖ iv = deriveEncKeys(mk)
 * ciphertext = iv(16) ‖ AES-256-CTR(encKey, iv, pt) ‖ HMAC-SHA256(authKey, AD ‖ iv ‖ ctrBody)(32)
 * ```
 *
 * The IV is derived and also transmitted; on decryption, as in the reference, the transmitted one
 * is used (it is covered by the MAC, so it can only be the derived one). The tag is checked in
 * constant time before anything is decrypted (the reference uses `bytes.Equal`); any failure,
 * including a ciphertext too short to hold an IV and a tag (on which Go would panic), is one
 * `MAC_MISMATCH` with no detail.
 *
 * @module
 */
import { wipe } from '../crypto/index.ts'
import type { CryptoProvider } from '../crypto/index.ts'
import { PfsError } from '../errors.ts'
import { IV_LENGTH, TAG_LENGTH } from './consts.ts'
import type { Header } from './header.ts'
import { associatedDataLength, writeAssociatedData } from './header.ts'
import { messageKeys } from './kdf.ts'

/** The one error of a failed decryption: no oracle on which part failed (STYLE.md §5). */
export function macMismatch(): PfsError<'MAC_MISMATCH'> {
  return new PfsError('MAC_MISMATCH', 'message authentication failed')
}

/**
 * Encrypts `plaintext` under message key `mk` with AD = `adParam ‖ header_encoded`.
 *
 * To hash AD and body in one HMAC call without a second buffer, AD, IV, body and tag are laid
 * out in one allocation and the ciphertext returned is the view past the AD (its `byteOffset` is
 * not 0; the bytes before it are the public AD).
 */
export function sealMessage(
  crypto: CryptoProvider,
  mk: Uint8Array,
  adParam: Uint8Array,
  header: Header,
  plaintext: Uint8Array,
): Uint8Array {
  const keys = messageKeys(crypto, mk)
  const adLength = associatedDataLength(adParam, header)
  const macEnd = adLength + IV_LENGTH + plaintext.length
  const buf = new Uint8Array(macEnd + TAG_LENGTH)
  writeAssociatedData(buf, adParam, header)
  buf.set(keys.iv, adLength)
  if (plaintext.length > 0) {
    buf.set(crypto.aesCtr(keys.encKey, keys.iv, plaintext), adLength + IV_LENGTH)
  }
  buf.set(crypto.hmacSha256(keys.authKey, buf.subarray(0, macEnd)), macEnd)
  wipe(keys.okm)
  return buf.subarray(adLength)
}

/** Checks the tag and decrypts; throws `MAC_MISMATCH` (and nothing else) on any failure. */
export function openMessage(
  crypto: CryptoProvider,
  mk: Uint8Array,
  adParam: Uint8Array,
  header: Header,
  ciphertext: Uint8Array,
): Uint8Array {
  if (ciphertext.length < IV_LENGTH + TAG_LENGTH) throw macMismatch()
  const keys = messageKeys(crypto, mk)
  const adLength = associatedDataLength(adParam, header)
  const bodyEnd = ciphertext.length - TAG_LENGTH
  const macInput = new Uint8Array(adLength + bodyEnd)
  writeAssociatedData(macInput, adParam, header)
  macInput.set(ciphertext.subarray(0, bodyEnd), adLength)
  const tag = crypto.hmacSha256(keys.authKey, macInput)
  if (!crypto.constantTimeEqual(tag, ciphertext.subarray(bodyEnd))) {
    wipe(keys.okm)
    throw macMismatch()
  }
  const body = ciphertext.subarray(IV_LENGTH, bodyEnd)
  const plaintext =
    body.length === 0
      ? new Uint8Array(0)
      : crypto.aesCtr(keys.encKey, ciphertext.subarray(0, IV_LENGTH), body)
  wipe(keys.okm)
  return plaintext
}
