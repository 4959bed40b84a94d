/**
 * `status-pfs web`'s server (src/cli/web.ts): serves the built client's files with their types
 * and a Content-Security-Policy, on loopback only, and nothing outside its directory.
 *
 * @module
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Command } from 'commander'
import type { CliContext } from '../../src/cli/context.ts'
import { makeStyle } from '../../src/cli/style.ts'
import { registerWeb, resolveStatic, serveWeb } from '../../src/cli/web.ts'
import type { WebServer } from '../../src/cli/web.ts'

/** A raw GET (no URL normalisation by a client library, so `..` reaches the server as sent). */
function get(
  port: number,
  path: string,
  method = 'GET',
): Promise<{
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body })
      })
    })
    req.on('error', reject)
    req.end()
  })
}

describe('status-pfs web server', () => {
  let root: string
  let outside: string
  let web: WebServer

  before(async () => {
    const base = mkdtempSync(join(tmpdir(), 'pfs-web-serve-'))
    root = join(base, 'dist')
    mkdirSync(join(root, 'assets'), { recursive: true })
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>t</title>')
    writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)')
    outside = join(base, 'secret.txt')
    writeFileSync(outside, 'not for the page')
    web = await serveWeb({ root })
  })
  after(async () => {
    await web.close()
    rmSync(join(root, '..'), { recursive: true, force: true })
  })

  test('listens on loopback and serves index.html with a CSP', async () => {
    assert.match(web.url, /^http:\/\/127\.0\.0\.1:\d+\/$/)
    const r = await get(web.port, '/')
    assert.equal(r.status, 200)
    assert.equal(r.headers['content-type'], 'text/html; charset=utf-8')
    // Scripts from this origin only; WebAssembly may compile (the Keccak module), JavaScript eval not.
    assert.match(
      String(r.headers['content-security-policy']),
      /script-src 'self' 'wasm-unsafe-eval'(;|$)/,
    )
    assert.match(String(r.headers['content-security-policy']), /connect-src 'self' ws: wss:/)
    assert.equal(r.headers['x-content-type-options'], 'nosniff')
    assert.match(r.body, /<title>t<\/title>/)
    const q = await get(web.port, '/?node=%2Fip4%2F127.0.0.1%2Ftcp%2F1%2Fws')
    assert.equal(q.status, 200)
  })

  test('serves scripts with a JavaScript type', async () => {
    const r = await get(web.port, '/assets/app.js')
    assert.equal(r.status, 200)
    assert.equal(r.headers['content-type'], 'text/javascript; charset=utf-8')
    assert.equal(r.body, 'console.log(1)')
  })

  test('never serves a file outside its directory', async () => {
    for (const path of ['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt']) {
      const r = await get(web.port, path)
      assert.equal(r.status, 404, path)
      assert.ok(!r.body.includes('not for the page'), path)
    }
    assert.equal(resolveStatic(root, '/..%2fsecret.txt'), undefined)
    assert.equal(resolveStatic(root, '/%00'), undefined)
    assert.equal(resolveStatic(root, '/%E0%A4%A'), undefined, 'bad percent-encoding')
    assert.equal(resolveStatic(root, '/assets/'), undefined, 'no directory listing')
    assert.equal(resolveStatic(root, '/assets/app.js'), join(root, 'assets', 'app.js'))
  })

  test('answers 404 for missing files and 405 for other methods', async () => {
    assert.equal((await get(web.port, '/nope.js')).status, 404)
    const post = await get(web.port, '/', 'POST')
    assert.equal(post.status, 405)
    assert.equal(post.headers['allow'], 'GET, HEAD')
    const head = await get(web.port, '/', 'HEAD')
    assert.equal(head.status, 200)
    assert.equal(head.body, '')
  })

  test('refuses to start without a built client', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'pfs-web-empty-'))
    try {
      await assert.rejects(serveWeb({ root: empty }), { code: 'NOT_BUILT' })
    } finally {
      rmSync(empty, { recursive: true, force: true })
    }
  })

  test('`status-pfs web --json --node` prints the address with the node filled in, stops on SIGINT', async () => {
    const lines: string[] = []
    const ctx = (): CliContext => ({
      dataDir: root,
      json: true,
      style: makeStyle(false),
      out: { line: (t = '') => lines.push(t), write: (t) => lines.push(t), isTty: false },
    })
    const program = new Command().exitOverride()
    registerWeb(program, ctx, root)
    const ws =
      '/ip4/127.0.0.1/tcp/60001/ws/p2p/12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'
    const done = program.parseAsync(['web', '--port', '0', '--node', ws], { from: 'user' })
    while (lines.length === 0) await new Promise((resolve) => setTimeout(resolve, 10))
    const printed = JSON.parse(lines[0]!) as { url: string; port: number }
    assert.equal(printed.url, `http://127.0.0.1:${printed.port}/?node=${encodeURIComponent(ws)}`)
    assert.equal((await get(printed.port, '/')).status, 200)
    process.emit('SIGINT')
    await done
    await assert.rejects(get(printed.port, '/'), 'the server is closed')
    const bad = new Command().exitOverride()
    registerWeb(bad, ctx, root)
    await assert.rejects(bad.parseAsync(['web', '--port', '70000'], { from: 'user' }), {
      code: 'INVALID_ARGUMENT',
    })
    await assert.rejects(
      bad.parseAsync(['web', '--node', '/ip4/1.2.3.4/tcp/1'], { from: 'user' }),
      {
        code: 'INVALID_ARGUMENT',
      },
    )
  })
})
