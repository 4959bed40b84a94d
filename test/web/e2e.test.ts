/**
 * The web client end to end (issue 11, "Done when"): a `status-pfs node` process (relay + store,
 * TCP and WebSocket), the web client built with Vite into web/dist and served by a `status-pfs web` process, open
 * in Debian's Chromium at phone width, and a `status-pfs chat` process. The page creates an
 * account, adds the CLI user by contact code, the CLI accepts, and messages go both ways; the
 * page's PFS indicator is off until the first reply and on after it. A screenshot is saved to
 * test-artifacts/web/. Skips (saying why) when Chromium is absent.
 *
 * @module
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import type { BrowserContext, Page } from 'playwright-core'
import { ROOT } from '../../scripts/build-browser.ts'
import { WEB_DIST } from '../../src/cli/web.ts'
import { CHROMIUM, CHROMIUM_ARGS, skipBrowser } from '../browser/helpers.ts'
import { buildWeb } from './build.ts'
import type { WebBuild } from './build.ts'
import { startCli } from './processes.ts'
import type { CliProcess } from './processes.ts'

const ARTIFACTS = join(ROOT, 'test-artifacts', 'web')
/** Phone width (issue 11: "works at phone width"). */
const VIEWPORT = { width: 375, height: 812 }

function record(file: string, data: unknown): void {
  mkdirSync(ARTIFACTS, { recursive: true })
  writeFileSync(join(ARTIFACTS, file), `${JSON.stringify(data, null, 2)}\n`)
}

describe('web client', () => {
  let web: WebBuild

  before(async () => {
    // Where `status-pfs web` serves from (npm run build:web builds the same).
    web = await buildWeb(WEB_DIST)
  })

  test('the page bundle holds no Node built-in and is measured', (t) => {
    assert.deepEqual(web.nodeImports, [])
    assert.ok(!/\bnode:[a-z]/.test(web.code), 'no node: specifier in the page script')
    assert.ok(!web.code.includes('better-sqlite3'), 'no SQLite in the page')
    assert.ok(web.jsBytes > 100_000, 'the library and libp2p are in the page')
    const size = { jsBytes: web.jsBytes, jsGzipBytes: web.jsGzipBytes, cssBytes: web.cssBytes }
    record('bundle-size.json', size)
    t.diagnostic(`web client: ${size.jsBytes} B JS minified, ${size.jsGzipBytes} B gzip`)
  })

  describe(
    'in Chromium with a status-pfs node and a status-pfs chat',
    { skip: skipBrowser },
    () => {
      const dirs: string[] = []
      let node: CliProcess
      let chat: CliProcess | undefined
      /** `status-pfs web`, serving the build above. */
      let webCli: CliProcess
      let server: { url: string }
      let context: BrowserContext | undefined
      let page: Page
      let wsAddr: string
      let tcpAddr: string
      let phrase = ''
      let installationId = ''
      const pageErrors: string[] = []
      /** The page's notices (its alert region), oldest first. */
      const notices: string[] = []

      const tmp = (name: string): string => {
        const d = mkdtempSync(join(tmpdir(), `pfs-web-${name}-`))
        dirs.push(d)
        return d
      }

      /** What the page reported, for failure messages. */
      const seen = (): string =>
        `\n  page errors: ${pageErrors.slice(-5).join('\n        ')}` +
        `\n  notices: ${notices.slice(-8).join(' | ')}`

      /** Debian's Chromium at phone width, a fresh profile, the test flags of test/browser/helpers.ts. */
      const launch = async (): Promise<Page> => {
        context = await chromium.launchPersistentContext(tmp('chromium'), {
          executablePath: CHROMIUM,
          headless: true,
          viewport: VIEWPORT,
          args: [...CHROMIUM_ARGS],
        })
        const p = context.pages()[0] ?? (await context.newPage())
        p.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`))
        p.on('console', (m) => {
          if (m.type() === 'error') pageErrors.push(`console: ${m.text()}`)
          if (m.type() === 'info' && m.text().startsWith('notice: '))
            notices.push(m.text().slice(8))
        })
        return p
      }

      /** Opens the client and connects it to the node's /ws address; waits for `next`. */
      const connect = async (p: Page, next: string): Promise<void> => {
        await p.goto(`${server.url}?node=${encodeURIComponent(wsAddr)}`)
        assert.equal(await p.getByLabel(/Node address/).inputValue(), wsAddr)
        await p.getByRole('button', { name: 'Connect' }).click()
        try {
          await p.getByRole('button', { name: next }).waitFor({ timeout: 30_000 })
        } catch (e) {
          const notice = await p.locator('#notice').textContent()
          throw new Error(`the page did not connect (${notice ?? ''}): ${String(e)}${seen()}`)
        }
      }

      before(async () => {
        node = startCli([
          '--data',
          tmp('node'),
          '--json',
          'node',
          '--store',
          '--listen',
          '/ip4/127.0.0.1/tcp/0',
          '/ip4/127.0.0.1/tcp/0/ws',
        ])
        const info = JSON.parse(await node.waitFor(/^\{.*multiaddrs/)) as { multiaddrs: string[] }
        wsAddr = info.multiaddrs.find((a) => a.includes('/ws/'))!
        tcpAddr = info.multiaddrs.find((a) => !a.includes('/ws'))!
        assert.ok(wsAddr !== undefined && tcpAddr !== undefined, info.multiaddrs.join(' '))
        webCli = startCli(['--json', 'web', '--port', '0'])
        server = JSON.parse(await webCli.waitFor(/^\{"url"/)) as { url: string }
        page = await launch()
      })

      after(async () => {
        if (chat !== undefined) {
          chat.type('/quit')
          await chat.stop()
        }
        await context?.close()
        await webCli.stop()
        await node.stop()
        for (const d of dirs) rmSync(d, { recursive: true, force: true })
      })

      test('the page and the CLI exchange a contact request and messages, with PFS', async (t) => {
        // The CLI user: an account, then the interactive chat through the node's TCP address.
        const cliData = tmp('cli')
        const created = startCli(['--data', cliData, '--json', 'account', 'new'])
        await created.waitFor(/^\}/, 30_000)
        const cliName = (JSON.parse(created.lines.join('\n')) as { name: string }).name
        await created.stop()
        chat = startCli(['--data', cliData, 'chat', '--peer', tcpAddr])
        await chat.waitFor(/type a message, or \/help/, 60_000)
        chat.type('/code')
        const code = (await chat.waitFor(/^pfs1:/)).trim()

        // A TCP address is refused with a clear message: a page can only dial WebSockets.
        await page.goto(server.url)
        await page.getByLabel(/Node address/).fill(tcpAddr)
        await page.getByRole('button', { name: 'Connect' }).click()
        await page.locator('#notice', { hasText: /WebSocket/ }).waitFor({ timeout: 10_000 })
        assert.equal(await page.locator('#conn-status').textContent(), 'Not connected')

        // The page: connect by the node's /ws address, create an account, see who we are.
        await connect(page, 'Create a new account')
        await page.getByRole('button', { name: 'Create a new account' }).click()
        await page.waitForSelector('body[data-state="ready"]', { timeout: 30_000 })
        assert.match((await page.locator('#chat-key').textContent()) ?? '', /^0x04[0-9a-f]{128}$/)
        assert.equal((await page.locator('#my-name').textContent())?.split(' ').length, 3)
        const emoji = (await page.locator('#my-emoji').textContent()) ?? ''
        assert.equal([...new Intl.Segmenter().segment(emoji)].length, 14, 'the 14-emoji hash')
        assert.equal(await page.locator('#identicon svg').count(), 1)
        assert.equal(await page.locator('#qr svg').count(), 1)
        assert.match(await page.getByLabel(/Your contact code/).inputValue(), /^pfs1:/)
        phrase = (await page.locator('#phrase').textContent()) ?? ''
        assert.equal(phrase.split(' ').length, 12, 'the recovery phrase is shown once')
        await page.getByRole('button', { name: 'I have written it down' }).click()
        assert.equal(await page.locator('#phrase').textContent(), '', 'the phrase is not kept')
        assert.equal(await page.locator('#device-list li').count(), 1)
        assert.match((await page.locator('#device-list').textContent()) ?? '', /this device/)
        installationId = (await page.locator('#device-list li').getAttribute('data-installation'))!

        // Contact request from the page, accepted in the terminal.
        await page.getByLabel(/Contact code, chat key/).fill(code)
        await page.getByLabel(/Introduction/).fill('hello from the web')
        await page.getByRole('button', { name: 'Send contact request' }).click()
        await page.waitForSelector('#chat:not([hidden])')
        assert.equal(
          await page.locator('#pfs-indicator').getAttribute('data-pfs'),
          'false',
          'no PFS indicator before any reply',
        )
        const request = await chat.waitFor(/contact request from .*hello from the web/)
        t.diagnostic(`CLI: ${request}`)
        chat.type('/accept')
        await chat.waitFor(/accepted .*now chatting/)

        // Keyboard only: the message field is labelled; Enter sends.
        await page.getByLabel('Message', { exact: true }).focus()
        await page.keyboard.type('hi terminal, this is the browser')
        await page.keyboard.press('Enter')
        const got = await chat.waitFor(/hi terminal, this is the browser/)
        assert.match(got, /🔒/, 'the CLI received it in a PFS session')

        chat.type('hi browser, the terminal answers')
        const incoming = page.locator('#messages li.in', {
          hasText: 'hi browser, the terminal answers',
        })
        await incoming.waitFor({ timeout: 30_000 })
        assert.equal(await incoming.getAttribute('data-pfs'), 'true')
        await page.waitForSelector('#pfs-indicator[data-pfs="true"]', { timeout: 10_000 })
        assert.match(
          (await page.locator('#pfs-indicator').textContent()) ?? '',
          /Perfect forward secrecy established/,
        )
        assert.match((await page.locator('#chat-h').textContent()) ?? '', new RegExp(cliName))
        assert.equal(await page.locator('#messages').getAttribute('aria-live'), 'polite')

        // Every field has a label, every button a name.
        const unlabelled = await page.evaluate<string[]>(`[
  ...[...document.querySelectorAll('input, textarea')].filter((e) => e.labels.length === 0),
  ...[...document.querySelectorAll('button')].filter(
    (b) => (b.getAttribute('aria-label') ?? b.textContent ?? '').trim() === '',
  ),
].map((e) => e.id || e.outerHTML.slice(0, 60))`)
        assert.deepEqual(unlabelled, [])

        // Phone width: nothing wider than the screen.
        const overflow = await page.evaluate<number>(
          'document.documentElement.scrollWidth - document.documentElement.clientWidth',
        )
        assert.ok(overflow <= 0, `page is ${overflow}px wider than the viewport`)
        mkdirSync(ARTIFACTS, { recursive: true })
        await page.screenshot({ path: join(ARTIFACTS, 'chat-375px.png'), fullPage: true })
        assert.deepEqual(
          pageErrors.filter((e) => e.startsWith('pageerror')),
          [],
        )
        if (pageErrors.length > 0) t.diagnostic(`console errors: ${pageErrors.join(' | ')}`)
      })

      test('a restored device shows the re-establish banner, and the conversation recovers', async (t) => {
        assert.ok(
          chat !== undefined && phrase !== '' && installationId !== '',
          'needs the test above',
        )
        // The browser's data is gone (a fresh profile) and the same installation is restored from
        // the phrase. Its sessions are gone: what the CLI sent it, and sends now, cannot be read.
        await context?.close()
        page = await launch()
        await connect(page, 'Recover account')
        await page.getByLabel(/Recovery phrase/).fill(phrase)
        await page.getByText(/Restoring this same device/).click()
        await page.getByLabel(/Installation id to restore/).fill(installationId)
        await page.getByRole('button', { name: 'Recover account' }).click()
        await page.waitForSelector('body[data-state="ready"]', { timeout: 30_000 })
        assert.equal(
          await page.locator('#device-list li').first().getAttribute('data-installation'),
          installationId,
        )
        chat.type('are you still there?')
        const banner = page.locator('#reestablish-banner')
        await banner.waitFor({ state: 'visible', timeout: 30_000 })
        assert.equal(await banner.getAttribute('role'), 'alert')
        assert.match((await banner.textContent()) ?? '', /could not be decrypted \([A-Z_]+\)/)
        await page.screenshot({ path: join(ARTIFACTS, 'reestablish-375px.png'), fullPage: true })
        const from = chat.lines.length
        await page.getByRole('button', { name: /Re-establish the conversation with/ }).click()
        await banner.waitFor({ state: 'hidden', timeout: 10_000 })
        // The CLI now has our fresh bundle: its next message starts a session we can read. The
        // restored device lost its contact list, so that message may arrive as a contact request
        // (the messenger holds messages from non-contacts as requests): accepting it resumes.
        await new Promise((resolve) => setTimeout(resolve, 1500))
        chat.type('back in touch')
        const back = page.locator('#messages li.in', { hasText: 'back in touch' })
        const accept = page.getByRole('button', { name: /Accept contact request from/ })
        try {
          await back.or(accept).first().waitFor({ timeout: 20_000 })
          if (await accept.isVisible()) {
            t.diagnostic('the restored device got the CLI user back as a contact request')
            await accept.click()
          }
          await back.waitFor({ timeout: 20_000 })
        } catch (e) {
          const state = await page.evaluate<string>(
            `document.getElementById('reestablish-banner').hidden + ' ' +
             document.getElementById('requests').textContent + ' | ' +
             document.getElementById('messages').textContent + ' | ' +
             JSON.stringify(globalThis.statusPfsStats())`,
          )
          throw new Error(
            `${String(e)}\n  page: ${state}\n  CLI: ${chat.lines.slice(from).join(' | ')}${seen()}`,
          )
        }
        await page.screenshot({ path: join(ARTIFACTS, 'restored-375px.png'), fullPage: true })
        t.diagnostic(`CLI after re-establishing: ${chat.lines.slice(from).join(' | ')}`)
      })

      test('a new device of the account waits for pairing confirmation on this one', async (t) => {
        assert.ok(phrase !== '' && context !== undefined, 'needs the tests above')
        // A second browser recovers the same account as a new installation.
        const first = page
        const second = await chromium.launchPersistentContext(tmp('chromium-second'), {
          executablePath: CHROMIUM,
          headless: true,
          viewport: VIEWPORT,
          args: [...CHROMIUM_ARGS],
        })
        try {
          const p2 = second.pages()[0] ?? (await second.newPage())
          await connect(p2, 'Recover account')
          await p2.getByLabel(/Recovery phrase/).fill(phrase)
          await p2.getByRole('button', { name: 'Recover account' }).click()
          await p2.waitForSelector('body[data-state="ready"]', { timeout: 30_000 })
          const newId = (await p2
            .locator('#device-list li')
            .first()
            .getAttribute('data-installation'))!
          assert.notEqual(newId, installationId)
          // This page lists it as not paired, and pairs it only after a second confirmation.
          const item = first.locator(`#device-list li[data-installation="${newId}"]`)
          await item.waitFor({ timeout: 30_000 })
          assert.match((await item.textContent()) ?? '', /not paired/)
          await item.getByRole('button', { name: /^Pair / }).click()
          assert.match((await item.textContent()) ?? '', /Only if it is your own device/)
          await item.getByRole('button', { name: /Confirm pairing/ }).click()
          await first
            .locator(`#device-list li[data-installation="${newId}"]`, { hasText: 'paired' })
            .filter({ hasNotText: 'not paired' })
            .waitFor({ timeout: 10_000 })
          await first.screenshot({ path: join(ARTIFACTS, 'devices-375px.png'), fullPage: true })
          t.diagnostic(`paired installation ${newId}`)
        } finally {
          await second.close()
        }
      })
    },
  )
})
