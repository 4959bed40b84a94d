/**
 * The QR code of a contact code as SVG (issue 11: "the QR contact code"), drawn by
 * `@paulmillr/qr` with low error correction so a bundle of a few hundred characters stays
 * scannable on a phone screen.
 *
 * @module
 */
import encodeQR from '@paulmillr/qr'

export function qrSvg(text: string): string {
  return encodeQR(text, 'svg', { ecc: 'low', border: 2 })
}
