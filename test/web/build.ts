/**
 * Builds the web client (web/vite.config.ts) into a fresh directory for the end-to-end test and
 * reports what went into it: the size of its script (raw and gzip) and every Node built-in that a
 * bundled module tried to import (there must be none; issue 11).
 *
 * @module
 */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { build } from 'vite'
import { ROOT, isNodeBuiltin } from '../../scripts/build-browser.ts'

export interface WebBuild {
  readonly outDir: string
  /** The page's JavaScript, all chunks. */
  readonly jsBytes: number
  readonly jsGzipBytes: number
  readonly cssBytes: number
  /** `importer → specifier` for each Node built-in a bundled module imported. */
  readonly nodeImports: readonly string[]
  /** The built JavaScript, for content checks. */
  readonly code: string
}

/** Builds into `outDir` (default a fresh temporary directory). */
export async function buildWeb(
  outDir: string = mkdtempSync(join(tmpdir(), 'pfs-web-')),
): Promise<WebBuild> {
  const nodeImports: string[] = []
  await build({
    configFile: join(ROOT, 'web', 'vite.config.ts'),
    logLevel: 'error',
    build: { outDir, emptyOutDir: true },
    plugins: [
      {
        name: 'record-node-builtins',
        enforce: 'pre',
        resolveId(source: string, importer: string | undefined) {
          if (isNodeBuiltin(source)) nodeImports.push(`${importer ?? '?'} → ${source}`)
          return null
        },
      },
    ],
  })
  const assets = join(outDir, 'assets')
  const files = readdirSync(assets)
  const js = files.filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(assets, f)))
  const css = files.filter((f) => f.endsWith('.css')).map((f) => readFileSync(join(assets, f)))
  const code = Buffer.concat(js)
  return {
    outDir,
    jsBytes: code.length,
    jsGzipBytes: gzipSync(code, { level: 9 }).length,
    cssBytes: css.reduce((n, b) => n + b.length, 0),
    nodeImports,
    code: code.toString('utf8'),
  }
}
