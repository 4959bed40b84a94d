/**
 * Status identity (identity README, all sections): the chat key from a recovery phrase, and how
 * Status presents it — three-word name, emoji hash, color hash and ID, `zQ3sh…` key, share links —
 * plus an SVG identicon from the color hash. Every function is synchronous and pure apart from
 * `generatePhrase`; public keys go in as bytes or `"0x04…"` strings.
 *
 * @module
 */
export {
  BIP39_ENGLISH,
  PHRASE_WORD_COUNTS,
  generatePhrase,
  isValidPhrase,
  normalizePhrase,
  seedFromPhrase,
  validatePhrase,
} from './phrase.ts'
export {
  STATUS_PATHS,
  chatKeyFromPhrase,
  chatKeyFromSeed,
  decodeStatusPath,
  deriveKeyFromSeed,
  keyUidFromSeed,
} from './chat-key.ts'
export type { ChatKey } from './chat-key.ts'
export { chatId } from './public-key.ts'
export type { PublicKeyInput } from './public-key.ts'
export { ethereumAddress } from './address.ts'
export { aliasFromSeed, aliasSeed, threeWordName } from './alias.ts'
export { EMOJI_HASH_LENGTH, emojiHash, emojiHashDigits } from './emoji-hash.ts'
export { COLOR_PALETTE, colorHash, colorHashColors, colorId } from './color-hash.ts'
export type { ColorHash, ColorHashSegment } from './color-hash.ts'
export { compressKey, decompressKey, shortenCompressedKey } from './compressed-key.ts'
export { decodeUserData, encodeUserData, parseShareUrl, shareUrl } from './share-url.ts'
export type { ParsedShareUrl, ShareProfile } from './share-url.ts'
export { identiconSvg } from './identicon.ts'
export type { IdenticonOptions } from './identicon.ts'
export { chatIdentity } from './chat-identity.ts'
export type { ChatIdentity } from './chat-identity.ts'
export { ADJECTIVES, ANIMALS } from './data/alias-words.ts'
export { EMOJI_ALPHABET } from './data/emoji-alphabet.ts'
