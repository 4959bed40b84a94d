/**
 * status-pfs in a browser (issue 11, first half): the browser bundle holds no Node built-in, the
 * `Store` contract suite passes in Chromium against `IndexedDbStore` (and every store it leaves
 * replays to the same records), the store survives a page reload, refuses journals it cannot
 * trust, and the ratchet runs under the portable provider. Skips when Chromium is absent.
 *
 * Figures (bundle size, ratchet msg/s, store commits/s) go to test-artifacts/browser/; the full
 * benchmark counts run with PFS_BROWSER_BENCH=full.
 *
 * @module
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT, bundleForBrowser } from '../../scripts/build-browser.ts'
import { ARTIFACTS, skipBrowser, startHarness } from './helpers.ts'
import type { BrowserHarness } from './helpers.ts'

interface Outcome {
  readonly name: string
  readonly ok: boolean
  readonly error?: string
}

function record(file: string, data: unknown): void {
  mkdirSync(ARTIFACTS, { recursive: true })
  writeFileSync(join(ARTIFACTS, file), `${JSON.stringify(data, null, 2)}\n`)
}

describe('browser bundle', () => {
  test('src/browser.ts bundles for the browser with no Node built-in', async (t) => {
    const bundle = await bundleForBrowser()
    assert.deepEqual(bundle.nodeImports, [])
    assert.ok(bundle.bytes > 10_000, 'the bundle has the library in it')
    assert.ok(!/\bnode:[a-z]/.test(bundle.code), 'no node: specifier left in the code')
    assert.ok(!bundle.code.includes('secp256k1/bindings'), 'the native addon is not referenced')
    const size = { bytes: bundle.bytes, gzipBytes: bundle.gzipBytes, inputs: bundle.inputs }
    record('bundle-size.json', size)
    t.diagnostic(`browser bundle: ${size.bytes} B minified, ${size.gzipBytes} B gzip`)
  })

  test('the check sees a Node built-in where there is one', async () => {
    const sqlite = await bundleForBrowser(join(ROOT, 'src', 'store', 'sqlite', 'open.ts'))
    assert.ok(
      sqlite.nodeImports.some((i) => i.endsWith('node:fs')),
      sqlite.nodeImports.join(),
    )
    const transport = await bundleForBrowser(join(ROOT, 'src', 'transport', 'index.ts'))
    assert.ok(transport.nodeImports.length > 0, 'the Node transport index pulls better-sqlite3')
    // share-url.ts imports node:zlib through brotli.ts, which the build swaps for its stand-in.
    const share = await bundleForBrowser(join(ROOT, 'src', 'messenger', 'identity', 'share-url.ts'))
    assert.deepEqual(share.nodeImports, [])
  })
})

describe('in Chromium', { skip: skipBrowser }, () => {
  let h: BrowserHarness
  const evaluate = async <T>(expression: string): Promise<T> => {
    try {
      return await h.page.evaluate<T>(expression)
    } catch (e) {
      const seen = h.errors.length > 0 ? `\n${h.errors.join('\n')}` : ''
      throw new Error(`${e instanceof Error ? e.message : String(e)}${seen}`)
    }
  }

  before(async () => {
    h = await startHarness()
  })
  after(async () => {
    await h.close()
  })

  test('the default crypto provider is the portable one', async () => {
    assert.equal(await evaluate<boolean>('pfs.defaultIsPortable()'), true)
  })

  test('the Store contract suite passes against IndexedDbStore, and every store replays', async (t) => {
    const outcomes = await evaluate<Outcome[]>('pfs.runContract()')
    const failed = outcomes.filter((o) => !o.ok)
    const contract = outcomes.filter((o) => !o.name.startsWith('replay after: '))
    assert.ok(contract.length >= 30, `${contract.length} contract tests ran`)
    assert.equal(outcomes.length, 2 * contract.length, 'one replay check per contract test')
    assert.deepEqual(
      failed.map((f) => `${f.name}: ${f.error ?? ''}`),
      [],
      `${failed.length} of ${outcomes.length} failed`,
    )
    t.diagnostic(`${contract.length} contract tests and ${contract.length} replays passed`)
  })

  test('a store survives a page reload with exactly its committed writes', async () => {
    await evaluate('pfs.writeForReload("reload-test")')
    await h.reload()
    await evaluate('pfs.checkAfterReload("reload-test")')
  })

  test('two devices converse through the protocol on IndexedDbStores, across restarts', async () => {
    await evaluate('pfs.runConversation()')
  })

  test('journals it cannot replay are STORE_CORRUPT or STORE_VERSION', async () => {
    await evaluate('pfs.checkCorruptJournals()')
  })

  test('one holder at a time; a store reopened after close() waits for its writes', async () => {
    await evaluate('pfs.checkLockAndReopen()')
  })

  test('arguments are journaled as they were at the call', async () => {
    await evaluate('pfs.checkArgumentsCopied()')
  })

  test('a database deleted under an open store fails it with STORE_FAILURE', async () => {
    await evaluate('pfs.checkDeletedUnderneath()')
  })

  test('ratchet and store throughput under the portable provider', async (t) => {
    const full = process.env['PFS_BROWSER_BENCH'] === 'full'
    const ratchet = await evaluate<Record<string, { oneWay: number; pingPong: number }>>(
      full ? 'pfs.benchRatchet(10000, 2000, 3)' : 'pfs.benchRatchet(1000, 100, 1)',
    )
    const store = await evaluate<Record<string, number>>(
      full ? 'pfs.benchStore(1000)' : 'pfs.benchStore(100)',
    )
    for (const [dh, r] of Object.entries(ratchet)) {
      assert.ok(r.oneWay > 0 && r.pingPong > 0, dh)
      t.diagnostic(
        `${dh}/portable: one-way ${Math.round(r.oneWay)} msg/s, ping-pong ${Math.round(r.pingPong)} msg/s`,
      )
    }
    for (const [k, v] of Object.entries(store)) t.diagnostic(`IndexedDbStore ${k}: ${v.toFixed(1)}`)
    const browser = h.context.browser()?.version() ?? 'chromium'
    record(full ? 'bench-full.json' : 'bench-quick.json', { browser, ratchet, store })
  })
})
