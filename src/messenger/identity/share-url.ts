/**
 * Status profile share links (identity README §6, status-go `protocol/messenger_share_urls.go`):
 * `https://status.app/u#<zQ3…>` for a bare chat key, and `https://status.app/u/<data>#<zQ3…>` with
 * `data = base64url-with-padding(brotli(URLData{content: User{display_name, description}}))`.
 *
 * Built links are byte-identical to status-go's: Node's brotli at status-go's settings (quality
 * 6, window 22) gives the same stream for profile-sized inputs. Parsing accepts any valid brotli
 * stream, like status-go, but unlike status-go it validates the chat key of `u/` links too.
 *
 * @module
 */
import { fromBase64Url as decodeUnpadded, toBase64Url as encodeUnpadded } from '../base64url.ts'
import { brotliCompress, brotliDecompress } from './brotli.ts'
import { concatBytes, defaultProvider, fromUtf8, utf8 } from '../../crypto/index.ts'
import type { CryptoProvider, UncompressedPublicKey } from '../../crypto/index.ts'
import { PfsError } from '../../errors.ts'
import { compressKey, decompressKey } from './compressed-key.ts'
import type { PublicKeyInput } from './public-key.ts'

const USER_PREFIX = 'https://status.app/u'
/** `decodeDataURL` reads at most this many decompressed bytes. */
const MAX_DATA = 4096
/** Far more than 4096 bytes of brotli output can need; bounds the work on hostile links. */
const MAX_ENCODED = 8192

/** The profile fields a user link carries (status-go fills only these two for users). */
export interface ShareProfile {
  readonly displayName?: string
  readonly description?: string
}

/** What a user link holds. Empty strings stand for absent fields (proto3). */
export interface ParsedShareUrl {
  /** The chat key, checked to be on the curve. */
  readonly publicKey: UncompressedPublicKey
  /** The key as `zQ3sh…`, re-serialised from `publicKey` (status-go's `parsed.publicKey`). */
  readonly compressedKey: string
  readonly displayName: string
  readonly description: string
  /** `User.color`, which the Status apps set (e.g. `#BA434D`) and status-go never does. */
  readonly color: string
}

function malformed(message: string, reason: string, cause?: unknown): PfsError {
  return new PfsError(
    'INVALID_ARGUMENT',
    message,
    { reason },
    cause === undefined ? undefined : { cause },
  )
}

// --- protobuf: just the two messages of url_data.proto that user links use -----------------------

function varint(n: number): Uint8Array {
  const out: number[] = []
  let v = n
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80)
    v = Math.floor(v / 128)
  }
  out.push(v)
  return Uint8Array.from(out)
}

/** A length-delimited field; proto3 omits it when empty. */
function lengthDelimited(field: number, value: Uint8Array): Uint8Array {
  if (value.length === 0) return new Uint8Array(0)
  return concatBytes(varint((field << 3) | 2), varint(value.length), value)
}

/** The length-delimited fields of a message by number (last one wins); other fields skipped. */
function readFields(bytes: Uint8Array): Map<number, Uint8Array> {
  const fields = new Map<number, Uint8Array>()
  let pos = 0
  const readVarint = (): number => {
    let value = 0
    for (let shift = 0; shift < 64; shift += 7) {
      if (pos >= bytes.length) throw malformed('link data is truncated', 'data')
      const b = bytes[pos++]!
      value += (b & 0x7f) * 2 ** shift
      if ((b & 0x80) === 0) return value
    }
    throw malformed('link data has an overlong varint', 'data')
  }
  while (pos < bytes.length) {
    const key = readVarint()
    const field = Math.floor(key / 8)
    const wireType = key % 8
    if (field === 0) throw malformed('link data has field number 0', 'data')
    let skip: number
    if (wireType === 0) {
      readVarint()
      skip = 0
    } else if (wireType === 1) skip = 8
    else if (wireType === 5) skip = 4
    else if (wireType === 2) skip = readVarint()
    else throw malformed('link data has an unsupported wire type', 'data')
    if (pos + skip > bytes.length) throw malformed('link data is truncated', 'data')
    if (wireType === 2) fields.set(field, bytes.subarray(pos, pos + skip))
    pos += skip
  }
  return fields
}

function readString(fields: Map<number, Uint8Array>, field: number): string {
  const raw = fields.get(field)
  if (raw === undefined) return ''
  try {
    return fromUtf8(raw)
  } catch (e) {
    throw malformed('link data holds a string that is not UTF-8', 'data', e)
  }
}

// --- base64url with padding (Go base64.URLEncoding) ---------------------------------------------

function toBase64Url(bytes: Uint8Array): string {
  const s = encodeUnpadded(bytes)
  return s + '='.repeat((4 - (s.length % 4)) % 4)
}

function fromBase64Url(text: string): Uint8Array {
  // Go's URLEncoding requires the padding; refuse what it refuses rather than guess.
  if (
    text.length % 4 !== 0 ||
    !/^[A-Za-z0-9_-]*(?:[A-Za-z0-9_-]{2}==|[A-Za-z0-9_-]{3}=)?$/.test(text)
  ) {
    throw malformed('link data is not padded base64url', 'encoding')
  }
  const bytes = decodeUnpadded(text.replace(/=+$/, ''))
  if (bytes === undefined) throw malformed('link data is not padded base64url', 'encoding')
  return bytes
}

// --- links ----------------------------------------------------------------------------------------

/** The `data` part of a `u/` link for `profile` (exported for the vectors' intermediate values). */
export function encodeUserData(profile: ShareProfile): string {
  const user = concatBytes(
    lengthDelimited(1, utf8(profile.displayName ?? '')),
    lengthDelimited(2, utf8(profile.description ?? '')),
  )
  const urlData = lengthDelimited(1, user)
  return toBase64Url(brotliCompress(urlData))
}

/** Decodes the `data` part of a `u/` link. Throws `INVALID_ARGUMENT` with `details.reason`. */
export function decodeUserData(data: string): Required<ShareProfile> & { color: string } {
  if (data.length > MAX_ENCODED) throw malformed('link data is too long', 'length')
  let urlData: Uint8Array
  try {
    urlData = brotliDecompress(fromBase64Url(data), MAX_DATA)
  } catch (e) {
    if (e instanceof PfsError) throw e
    throw malformed('link data is not a brotli stream of at most 4096 bytes', 'compression', e)
  }
  const user = readFields(readFields(urlData).get(1) ?? new Uint8Array(0))
  return {
    displayName: readString(user, 1),
    description: readString(user, 2),
    color: readString(user, 3),
  }
}

/**
 * The share link of a chat key: `https://status.app/u#zQ3…`, or with a display name and/or bio
 * `https://status.app/u/<data>#zQ3…` (`ShareUserURLWithData`). With both empty there is nothing to
 * carry, so the plain link is returned.
 */
export function shareUrl(
  publicKey: PublicKeyInput,
  profile: ShareProfile = {},
  crypto: CryptoProvider = defaultProvider(),
): string {
  const key = compressKey(publicKey, crypto)
  if (!profile.displayName && !profile.description) return `${USER_PREFIX}#${key}`
  return `${USER_PREFIX}/${encodeUserData(profile)}#${key}`
}

/**
 * Parses a user share link. Throws `INVALID_ARGUMENT` for anything that is not a well-formed
 * `status.app/u` link, `INVALID_KEY` for a bad chat key, and `UNSUPPORTED` for an ENS link
 * (`u#name`), which status-go does not resolve either.
 */
export function parseShareUrl(
  url: string,
  crypto: CryptoProvider = defaultProvider(),
): ParsedShareUrl {
  if (typeof url !== 'string') throw malformed('share link must be a string', 'type')
  let fragment: string
  let profile = { displayName: '', description: '', color: '' }
  if (url.startsWith(`${USER_PREFIX}#`)) {
    fragment = url.slice(USER_PREFIX.length + 1)
    if (!fragment.startsWith('zQ3sh')) {
      throw new PfsError('UNSUPPORTED', 'ENS share links are not supported', { reason: 'ens' })
    }
  } else if (url.startsWith(`${USER_PREFIX}/`)) {
    const rest = url.slice(USER_PREFIX.length + 1)
    const hash = rest.indexOf('#')
    if (hash < 0) throw malformed('share link has no chat key after "#"', 'fragment')
    profile = decodeUserData(rest.slice(0, hash))
    fragment = rest.slice(hash + 1)
  } else {
    throw malformed('not a Status user share link (https://status.app/u…)', 'prefix')
  }
  const publicKey = decompressKey(fragment, crypto)
  return { publicKey, compressedKey: compressKey(publicKey, crypto), ...profile }
}
