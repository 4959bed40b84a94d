/**
 * An SVG identicon drawn from the color hash (identity README §4, step 5; the README gives the
 * ring's inputs and palette but no image, so this is our rendering, not a pixel copy of
 * status-go's `ring.go`): the segments go round a ring in order, each spanning
 * `length / Σlengths` of the circle, starting at angle 0 (3 o'clock) and turning clockwise on
 * screen as fogleman/gg does. The centre is left plain, where Status puts the avatar.
 *
 * Output is a pure function of the key: fixed precision, fixed attribute order, no ids or dates.
 *
 * @module
 */
import { defaultProvider } from '../../crypto/index.ts'
import type { CryptoProvider } from '../../crypto/index.ts'
import { PfsError } from '../../errors.ts'
import { colorHash, colorHashColors } from './color-hash.ts'
import type { PublicKeyInput } from './public-key.ts'

export interface IdenticonOptions {
  /** Width and height in CSS pixels (the drawing itself is on a 100×100 view box). */
  readonly size?: number
  /** Fill of the centre disc. */
  readonly background?: string
}

const CENTRE = 50
/** Ring radius at the middle of the stroke, and the stroke width: the ring fills r 40..50. */
const RADIUS = 45
const WIDTH = 10

/** Three decimals, no trailing zeros, no "-0": identical text for identical numbers. */
function num(n: number): string {
  const s = n.toFixed(3).replace(/\.?0+$/, '')
  return s === '-0' ? '0' : s
}

function point(angle: number): string {
  return `${num(CENTRE + RADIUS * Math.cos(angle))} ${num(CENTRE + RADIUS * Math.sin(angle))}`
}

/** An SVG document (a string) showing the color-hash ring of `publicKey`. */
export function identiconSvg(
  publicKey: PublicKeyInput,
  options: IdenticonOptions = {},
  crypto: CryptoProvider = defaultProvider(),
): string {
  const size = options.size ?? 64
  if (!Number.isInteger(size) || size < 1 || size > 4096) {
    throw new PfsError('INVALID_ARGUMENT', 'identicon size must be an integer from 1 to 4096')
  }
  const background = options.background ?? '#FFFFFF'
  // The value is written into an attribute: allow only a hex color, never markup.
  if (!/^#[0-9A-Fa-f]{6}$/.test(background)) {
    throw new PfsError('INVALID_ARGUMENT', 'identicon background must be a #RRGGBB color')
  }
  const segments = colorHashColors(colorHash(publicKey, crypto))
  const total = segments.reduce((s, seg) => s + seg.length, 0)
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 100 100" role="img" aria-label="color hash identicon">`,
    `<circle cx="${CENTRE}" cy="${CENTRE}" r="${RADIUS - WIDTH / 2}" fill="${background}"/>`,
  ]
  if (segments.length === 1) {
    // A single arc cannot span the whole circle in SVG path syntax; draw a stroked circle.
    parts.push(
      `<circle cx="${CENTRE}" cy="${CENTRE}" r="${RADIUS}" fill="none" stroke="${segments[0]!.color}" stroke-width="${WIDTH}"/>`,
    )
  } else {
    let start = 0
    for (const seg of segments) {
      const end = start + (2 * Math.PI * seg.length) / total
      const large = end - start > Math.PI ? 1 : 0
      parts.push(
        `<path d="M ${point(start)} A ${RADIUS} ${RADIUS} 0 ${large} 1 ${point(end)}" fill="none" stroke="${seg.color}" stroke-width="${WIDTH}"/>`,
      )
      start = end
    }
  }
  // Faint edges, so that white (#FFFFFF) and near-white segments stay visible on a light page.
  for (const r of [RADIUS + WIDTH / 2 - 0.25, RADIUS - WIDTH / 2 + 0.25]) {
    parts.push(
      `<circle cx="${CENTRE}" cy="${CENTRE}" r="${num(r)}" fill="none" stroke="#000000" stroke-opacity="0.15" stroke-width="0.5"/>`,
    )
  }
  parts.push('</svg>')
  return parts.join('')
}
