/**
 * Everything Status shows for one chat key, in one call (identity README §5, "What a Status user
 * sees"): the `0x04…` chat ID used in protocol messages, the `zQ3sh…` key and its short form, the
 * three-word name, the emoji hash, the color hash and color ID, and the share link.
 *
 * @module
 */
import { defaultProvider } from '../../crypto/index.ts'
import type { CryptoProvider } from '../../crypto/index.ts'
import { threeWordName } from './alias.ts'
import { colorHash, colorId } from './color-hash.ts'
import type { ColorHash } from './color-hash.ts'
import { compressKey, shortenCompressedKey } from './compressed-key.ts'
import { emojiHash } from './emoji-hash.ts'
import { uncompressedKey } from './public-key.ts'
import type { PublicKeyInput } from './public-key.ts'
import { chatId } from './public-key.ts'
import { shareUrl } from './share-url.ts'

export interface ChatIdentity {
  /** `"0x04…"`: chat and contact ID inside the protocol. */
  readonly chatId: string
  /** `zQ3sh…`: what profiles show and links carry. */
  readonly compressedKey: string
  /** `zQ3...xxxxxx`: the name of a contact who has none (`Contact.Alias`). */
  readonly compressedKeyShort: string
  /** The generated three-word name (`settings.Name`). */
  readonly alias: string
  readonly emojiHash: readonly string[]
  readonly colorHash: ColorHash
  readonly colorId: number
  readonly shareUrl: string
}

export function chatIdentity(
  publicKey: PublicKeyInput,
  crypto: CryptoProvider = defaultProvider(),
): ChatIdentity {
  // Validate once; everything below starts from the checked 65-byte key.
  const key = uncompressedKey(publicKey, crypto)
  const compressedKey = compressKey(key, crypto)
  return {
    chatId: chatId(key, crypto),
    compressedKey,
    compressedKeyShort: shortenCompressedKey(compressedKey),
    alias: threeWordName(key, crypto),
    emojiHash: emojiHash(key, crypto),
    colorHash: colorHash(key, crypto),
    colorId: colorId(key, crypto),
    shareUrl: shareUrl(key, {}, crypto),
  }
}
