/**
 * Vite build of the web client (issue 11): `vite build web` → web/dist, served by
 * `status-pfs web`. The status-pfs sources are bundled from ../src with the browser substitutions:
 * the portable crypto backend for `src/crypto/native.ts` and a stub for the brotli of share links
 * with profile data (`viteBrowserPlugin`, the package.json "browser" field's pairs).
 *
 * @module
 */
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import { viteBrowserPlugin } from '../scripts/build-browser.ts'

const here = dirname(fileURLToPath(import.meta.url))

export default defineConfig({
  root: here,
  base: './',
  logLevel: 'warn',
  plugins: [viteBrowserPlugin()],
  build: {
    outDir: join(here, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    // One page, one script: the library is most of it and is loaded at once anyway.
    chunkSizeWarningLimit: 2048,
    reportCompressedSize: false,
    rollupOptions: {
      // @scure/base places /* @__PURE__ */ where Rollup cannot use it; harmless, and not ours.
      onwarn(warning, warn) {
        if (warning.code !== 'INVALID_ANNOTATION') warn(warning)
      },
    },
  },
})
