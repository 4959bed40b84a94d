/**
 * The color hash, drawn by Status as a segmented ring around the avatar, and the color ID
 * (identity README §4, status-go `protocol/identity/colorhash` and `identity.ToColorID`).
 *
 * @module
 */
import { defaultProvider, toHex } from '../../crypto/index.ts'
import type { CryptoProvider } from '../../crypto/index.ts'
import { COLOR_PALETTE } from './data/color-palette.ts'
import { hashSlices, toBigBase } from './hash-slices.ts'
import { uncompressedKey } from './public-key.ts'
import type { PublicKeyInput } from './public-key.ts'

/** One ring segment: `[length 1..5, color index 0..31]` (`multiaccounts.ColorHash` entry). */
export type ColorHashSegment = readonly [length: number, colorIndex: number]
export type ColorHash = readonly ColorHashSegment[]

/** `makeColorHashAlphabet(5, 32)`: 5 segment lengths × 32 colors = base 160. */
const MAX_LENGTH = 5
const COLORS = 32
/** `colorPalletLength - 1`: status-go reduces mod 11 although its palette has 12 entries. */
const COLOR_ID_MODULUS = 11n

export { COLOR_PALETTE }

/**
 * The ring segments for a chat key: 80 bits of the compressed key in base 160 (not padded, so
 * usually 11 segments, fewer for about 1 key in 110), each digit split into length and color,
 * then adjacent equal colors bumped by one so that neighbouring segments always differ.
 */
export function colorHash(
  publicKey: PublicKeyInput,
  crypto: CryptoProvider = defaultProvider(),
): ColorHash {
  const digits = toBigBase(hashSlices(publicKey, crypto).color, MAX_LENGTH * COLORS)
  const out: [number, number][] = []
  for (const d of digits) {
    let color = d % COLORS
    // Compared with the previous color after its own adjustment, as status-go does.
    const prev = out[out.length - 1]
    if (prev !== undefined && prev[1] === color) color = (color + 1) % COLORS
    out.push([Math.floor(d / COLORS) + 1, color])
  }
  return out
}

/** The segments with their palette colors (`#RRGGBB`), in drawing order. */
export function colorHashColors(hash: ColorHash): { length: number; color: string }[] {
  return hash.map(([length, index]) => ({ length, color: COLOR_PALETTE[index % COLORS]! }))
}

/** The color ID 0..10: the whole `"0x04…"` key read as one integer, mod 11 (`ToColorID`). */
export function colorId(
  publicKey: PublicKeyInput,
  crypto: CryptoProvider = defaultProvider(),
): number {
  return Number(BigInt(`0x${toHex(uncompressedKey(publicKey, crypto))}`) % COLOR_ID_MODULUS)
}
