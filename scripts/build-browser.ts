/**
 * Builds the browser bundle of status-pfs (src/browser.ts → dist/browser/status-pfs.js) with
 * esbuild, platform `browser`, and reports what went into it: its size (raw and gzip) and every
 * Node built-in any bundled file imports (there must be none; issue 11).
 *
 * Two substitutions make the library portable (`BROWSER_SWAPS`): `src/crypto/native.ts`
 * (node:crypto and the libsecp256k1 addon) is replaced by a module that re-exports the portable
 * primitives, so the default provider of every layer is `portable` in the browser, and the brotli
 * of share links by a stub. The same plugin is used by the browser tests and the web client.
 *
 * Usage: `tsx scripts/build-browser.ts [outfile]`.
 *
 * @module
 */
import { builtinModules } from 'node:module'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import type { BuildOptions, Metafile, Plugin } from 'esbuild'

export const ROOT: string = resolve(dirname(fileURLToPath(import.meta.url)), '..')
export const BROWSER_ENTRY: string = join(ROOT, 'src', 'browser.ts')

const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]))

/** True for `node:x` and for bare names of Node built-ins (`fs`, `crypto`, `path/posix`, …). */
export function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || NODE_BUILTINS.has(specifier.split('/')[0] ?? '')
}

/**
 * The modules the browser build replaces with their `.browser.ts` sibling (the same pairs as the
 * package.json "browser" field): the native crypto backend (node:crypto and the libsecp256k1
 * addon → the portable primitives) and brotli for share links (node:zlib → `UNSUPPORTED`).
 */
export const BROWSER_SWAPS: readonly RegExp[] = [
  /[\\/]src[\\/]crypto[\\/]native\.ts$/,
  /[\\/]src[\\/]messenger[\\/]identity[\\/]brotli\.ts$/,
]

/** The module the browser build replaces first: the native crypto backend. */
export const NATIVE_MODULE: RegExp = BROWSER_SWAPS[0]!

/** Contents of the browser stand-in of `path`, or undefined when `path` is not swapped. */
export function browserStandIn(path: string): string | undefined {
  if (!BROWSER_SWAPS.some((r) => r.test(path))) return undefined
  return readFileSync(path.replace(/\.ts$/, '.browser.ts'), 'utf8')
}

/** The browser stand-in for src/crypto/native.ts: the portable primitives under native's names. */
export const NATIVE_STUB: string = readFileSync(
  join(ROOT, 'src', 'crypto', 'native.browser.ts'),
  'utf8',
)

/**
 * Swaps the modules of `BROWSER_SWAPS` for their browser stand-ins, and lets Node built-ins
 * through as externals so that the metafile names any that is still imported (instead of failing
 * the build at the first one).
 */
export const browserPlugin: Plugin = {
  name: 'status-pfs-browser',
  setup(b) {
    for (const filter of BROWSER_SWAPS) {
      b.onLoad({ filter }, (args) => ({
        contents: browserStandIn(args.path) ?? '',
        loader: 'ts',
        resolveDir: dirname(args.path),
      }))
    }
    b.onResolve({ filter: /.*/ }, (args) =>
      isNodeBuiltin(args.path) ? { path: args.path, external: true } : undefined,
    )
  },
}

/**
 * The same substitution for Vite (the web client): `plugins: [viteBrowserPlugin()]` in its config.
 * A plain object, so this script needs no Vite types.
 */
export function viteBrowserPlugin(): {
  name: string
  enforce: 'pre'
  load(id: string): string | undefined
} {
  return {
    name: 'status-pfs-browser',
    enforce: 'pre',
    load: (id) => browserStandIn(id.split('?')[0] ?? ''),
  }
}

/** esbuild options shared by the package bundle and the test pages. */
export function browserBuildOptions(entry: string): BuildOptions {
  return {
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: true,
    metafile: true,
    write: false,
    logLevel: 'silent',
    plugins: [browserPlugin],
  }
}

/** What a browser bundle is made of. */
export interface BrowserBundle {
  readonly code: string
  readonly bytes: number
  readonly gzipBytes: number
  /** `importer → specifier` for every Node built-in imported by a bundled file. */
  readonly nodeImports: readonly string[]
  readonly inputs: number
  readonly metafile: Metafile
}

/** Node built-ins imported by any input the bundle was built from, or left in its output. */
export function nodeImportsOf(metafile: Metafile): string[] {
  const found: string[] = []
  for (const [file, input] of Object.entries(metafile.inputs)) {
    for (const i of input.imports) if (isNodeBuiltin(i.path)) found.push(`${file} → ${i.path}`)
  }
  for (const [file, output] of Object.entries(metafile.outputs)) {
    for (const i of output.imports) if (isNodeBuiltin(i.path)) found.push(`${file} → ${i.path}`)
  }
  return found
}

/** Bundles `entry` for the browser in memory. */
export async function bundleForBrowser(
  entry: string = BROWSER_ENTRY,
  extra: BuildOptions = {},
): Promise<BrowserBundle> {
  const result = await build({
    ...browserBuildOptions(entry),
    outfile: 'bundle.js',
    ...extra,
  })
  const out = result.outputFiles?.find((f) => f.path.endsWith('.js'))
  if (out === undefined) throw new Error('esbuild produced no JavaScript output')
  const metafile = result.metafile as Metafile
  return {
    code: out.text,
    bytes: out.contents.length,
    gzipBytes: gzipSync(out.contents, { level: 9 }).length,
    nodeImports: nodeImportsOf(metafile),
    inputs: Object.keys(metafile.inputs).length,
    metafile,
  }
}

async function main(): Promise<void> {
  const outfile = resolve(process.argv[2] ?? join(ROOT, 'dist', 'browser', 'status-pfs.js'))
  const bundle = await bundleForBrowser()
  if (bundle.nodeImports.length > 0) {
    console.error(`Node built-ins in the browser bundle:\n  ${bundle.nodeImports.join('\n  ')}`)
    process.exitCode = 1
    return
  }
  mkdirSync(dirname(outfile), { recursive: true })
  writeFileSync(outfile, bundle.code)
  console.log(
    `${outfile}: ${bundle.bytes} bytes, ${bundle.gzipBytes} gzip, ${bundle.inputs} input files`,
  )
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main()
}
