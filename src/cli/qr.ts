/**
 * QR codes in the terminal (issue 7: "the CLI prints the QR in the terminal") with
 * `@paulmillr/qr`: half-block characters, two modules per character row, so a contact code of
 * a few hundred characters fits a normal terminal. Light-on-dark terminals read it as drawn.
 *
 * @module
 */
import encodeQR from '@paulmillr/qr'

/** The QR code of `text` drawn with block characters (ends without a newline). */
export function terminalQr(text: string): string {
  return encodeQR(text, 'ascii', { ecc: 'low' }).replace(/\n+$/, '')
}
