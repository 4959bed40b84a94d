/**
 * Shared set-up of the browser tests: the test page bundled with esbuild for the browser (with
 * `node:test` and `node:assert/strict` replaced by small shims), a localhost HTTP server for it,
 * and Debian's Chromium driven by playwright-core (headless, a fresh profile, no download).
 *
 * @module
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'esbuild'
import type { Plugin } from 'esbuild'
import { chromium } from 'playwright-core'
import type { BrowserContext, Page } from 'playwright-core'
import { ROOT, browserBuildOptions } from '../../scripts/build-browser.ts'

/** Debian's chromium package (CI: `apt-get install -y chromium`); override with CHROMIUM_PATH. */
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium'

/** Flags for headless test runs: no sandbox (containers), no GPU, no background traffic. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]
/** Why the browser tests skip, or false when Chromium is there. */
export const skipBrowser: string | false = existsSync(CHROMIUM)
  ? false
  : `Chromium not found at ${CHROMIUM} (install Debian's package: apt-get install -y chromium)`

/** Where the browser tests leave what they measured. */
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'browser')

const SHIMS: Record<string, string> = {
  'node:test': join(ROOT, 'test', 'browser', 'shim', 'node-test.ts'),
  'node:assert/strict': join(ROOT, 'test', 'browser', 'shim', 'assert.ts'),
}

const shimPlugin: Plugin = {
  name: 'node-test-shims',
  setup(b) {
    b.onResolve({ filter: /^node:(test|assert\/strict)$/ }, (args) => ({ path: SHIMS[args.path]! }))
  },
}

/** The test page's script (test/browser/pages/harness.ts) bundled for the browser. */
export async function bundleHarness(): Promise<string> {
  const options = browserBuildOptions(join(ROOT, 'test', 'browser', 'pages', 'harness.ts'))
  const result = await build({
    ...options,
    minify: false,
    sourcemap: 'inline',
    outfile: 'harness.js',
    plugins: [shimPlugin, ...(options.plugins ?? [])],
  })
  return result.outputFiles?.find((f) => f.path.endsWith('.js'))?.text ?? ''
}

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>status-pfs browser tests</title>
<script type="module" src="/harness.js"></script></head><body></body></html>`

/** A Chromium with one page on the test harness, served from localhost. */
export interface BrowserHarness {
  readonly page: Page
  readonly context: BrowserContext
  readonly url: string
  /** Page errors and console errors seen so far (for failure messages). */
  readonly errors: string[]
  /** Reloads the page and waits for the harness to be ready again. */
  reload(): Promise<void>
  close(): Promise<void>
}

export async function startHarness(): Promise<BrowserHarness> {
  const script = await bundleHarness()
  const server = createServer((req, res) => {
    if (req.url === '/' || req.url === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE)
    } else if (req.url === '/harness.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(script)
    } else {
      res.writeHead(404).end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  const profile = mkdtempSync(join(tmpdir(), 'pfs-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS],
  })
  const page = context.pages()[0] ?? (await context.newPage())
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`))
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`)
  })
  const ready = async () => {
    await page.waitForFunction(() => (globalThis as { pfsReady?: boolean }).pfsReady === true)
  }
  await page.goto(url)
  await ready()
  return {
    page,
    context,
    url,
    errors,
    async reload() {
      await page.reload()
      await ready()
    },
    async close() {
      await context.close()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      rmSync(profile, { recursive: true, force: true })
    },
  }
}
