/**
 * Contact codes (whitepaper §2.3 "bundle exchange"): what one person gives another to start a
 * chat. A contact code carries the signed prekey bundle, so the first message already runs X3DH
 * (PFS); a bare chat key (`0x04…`, `zQ3…`, a share link) carries none, so the first message uses
 * the DH-header fallback until the peer answers with its bundle.
 *
 * Format: `pfs1:` + unpadded base64url of the `Bundle` protobuf (PROTOCOL.md §2), short enough for
 * a QR code. The bundle's signature is checked on parsing.
 *
 * @module
 */
import { defaultProvider } from '../crypto/index.ts'
import type { CryptoProvider } from '../crypto/index.ts'
import { isPfsError } from '../errors.ts'
import { decodeBundle, encodeBundle } from '../wire/index.ts'
import type { Bundle } from '../wire/index.ts'
import { verifyBundle } from '../x3dh/index.ts'
import { fromBase64Url, toBase64Url } from './base64url.ts'
import { messengerError } from './errors.ts'
import { chatId, decompressKey, parseShareUrl } from './identity/index.ts'

export const CONTACT_CODE_PREFIX = 'pfs1:'
/** Longest input accepted (a bundle with a few devices is ~300 characters). */
const MAX_CODE_LENGTH = 16 * 1024

export interface ParsedContactCode {
  /** `"0x04…"`. */
  readonly publicKey: string
  /** The verified bundle, for contact codes. */
  readonly bundle?: Bundle
}

export function encodeContactCode(bundle: Bundle): string {
  return CONTACT_CODE_PREFIX + toBase64Url(encodeBundle(bundle))
}

/**
 * Accepts a contact code, a `0x04…` chat key, a `zQ3…` compressed key or a share link.
 * @throws {PfsError} `INVALID_CONTACT_CODE` for anything else (the cause says why)
 */
export function parseContactCode(
  input: string,
  crypto: CryptoProvider = defaultProvider(),
): ParsedContactCode {
  if (typeof input !== 'string') throw invalid('expected a string')
  const text = input.trim()
  if (text.length === 0 || text.length > MAX_CODE_LENGTH) throw invalid('empty or too long')
  try {
    if (text.startsWith(CONTACT_CODE_PREFIX)) {
      const bytes = fromBase64Url(text.slice(CONTACT_CODE_PREFIX.length))
      if (bytes === undefined) throw invalid('contact code is not base64url')
      const bundle = decodeBundle(bytes)
      const identity = verifyBundle(bundle, { crypto })
      return { publicKey: chatId(identity, crypto), bundle }
    }
    if (/^0[xX]/u.test(text)) return { publicKey: chatId(text, crypto) }
    if (text.startsWith('https://')) {
      return { publicKey: chatId(parseShareUrl(text, crypto).publicKey, crypto) }
    }
    if (text.startsWith('z')) return { publicKey: chatId(decompressKey(text, crypto), crypto) }
  } catch (e) {
    if (isPfsError(e)) {
      if ((e.code as string) === 'INVALID_CONTACT_CODE') throw e
      throw invalid(`not a valid contact code or chat key (${e.code})`, e)
    }
    throw e
  }
  throw invalid('not a contact code, chat key or share link')
}

function invalid(message: string, cause?: unknown): Error {
  return messengerError(
    'INVALID_CONTACT_CODE',
    message,
    {},
    cause === undefined ? undefined : { cause },
  )
}
