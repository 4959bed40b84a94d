/**
 * Brotli for share links with profile data (`share-url.ts`), from Node's zlib. The browser build
 * swaps this module for `brotli.browser.ts` (package.json "browser" field and
 * scripts/build-browser.ts), so that the messenger bundles without Node built-ins.
 *
 * @module
 */
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib'

/** Brotli at status-go's settings for share links: quality 6, window 22. */
export function brotliCompress(data: Uint8Array): Uint8Array {
  return new Uint8Array(
    brotliCompressSync(data, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 6, [constants.BROTLI_PARAM_LGWIN]: 22 },
    }),
  )
}

/** Decompresses at most `maxOutputLength` bytes; throws on a bad stream or a longer output. */
export function brotliDecompress(data: Uint8Array, maxOutputLength: number): Uint8Array {
  return new Uint8Array(brotliDecompressSync(data, { maxOutputLength }))
}
