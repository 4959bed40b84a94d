/**
 * The 14-emoji hash shown for visual verification of a chat key (identity README §3, status-go
 * `protocol/identity/emojihash`): 160 bits of the compressed key written in base 2757, left-padded
 * to 14 digits, each digit picking one emoji of status-go's alphabet.
 *
 * @module
 */
import { defaultProvider } from '../../crypto/index.ts'
import type { CryptoProvider } from '../../crypto/index.ts'
import { EMOJI_ALPHABET } from './data/emoji-alphabet.ts'
import { hashSlices, toBigBase } from './hash-slices.ts'
import type { PublicKeyInput } from './public-key.ts'

/** 2757^14 ≥ 2^160, so 14 digits always suffice and every hash has exactly 14 emojis. */
export const EMOJI_HASH_LENGTH = 14

/** The base-2757 digits behind the emoji hash, padded to 14 (`digits_base2757` in the vectors). */
export function emojiHashDigits(
  publicKey: PublicKeyInput,
  crypto: CryptoProvider = defaultProvider(),
): number[] {
  const digits = toBigBase(hashSlices(publicKey, crypto).emoji, EMOJI_ALPHABET.length)
  while (digits.length < EMOJI_HASH_LENGTH) digits.unshift(0)
  return digits
}

/** The 14 emojis Status shows for a chat key, each a complete grapheme (ZWJ sequences included). */
export function emojiHash(
  publicKey: PublicKeyInput,
  crypto: CryptoProvider = defaultProvider(),
): string[] {
  return emojiHashDigits(publicKey, crypto).map((d) => EMOJI_ALPHABET[d]!)
}
