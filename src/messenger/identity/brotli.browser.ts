/**
 * The browser stand-in for `brotli.ts`: no brotli codec ships with the portable build, so share
 * links that carry profile data (the only users) are refused with `UNSUPPORTED`; plain `u#zQ3…`
 * links need no compression and work everywhere.
 *
 * @module
 */
import { PfsError } from '../../errors.ts'

export function brotliCompress(_data: Uint8Array): Uint8Array {
  throw new PfsError('UNSUPPORTED', 'share links with profile data need brotli, absent here')
}

export function brotliDecompress(_data: Uint8Array, _maxOutputLength: number): Uint8Array {
  throw new PfsError('UNSUPPORTED', 'share links with profile data need brotli, absent here')
}
