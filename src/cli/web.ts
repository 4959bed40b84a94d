/**
 * `status-pfs web [--port N] [--node MULTIADDR]`: serves the built web client (web/dist, made by
 * `npm run build:web`) on localhost (issue 11). The page talks to a `status-pfs node` over
 * WebSockets itself; this server only hands out its files. With `--node`, the printed address
 * opens the page with that node filled in.
 *
 * Only the loopback interface is bound, paths cannot leave web/dist, and every response carries a
 * Content-Security-Policy that allows scripts from this origin only and connections to WebSocket
 * nodes, so a message can never become script even if the page had a bug.
 *
 * @module
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Command } from 'commander'
import type { CliContext } from './context.ts'
import { CliError, ExitCode } from './errors.ts'
import { checkMultiaddr } from './network.ts'
import { untilStopped } from './signals.ts'

type Ctx = (cmd: Command) => CliContext

/** web/dist of the package: two levels up from src/cli (and from dist/cli once built). */
export const WEB_DIST: string = fileURLToPath(new URL('../../web/dist/', import.meta.url))

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
}

/**
 * What the page may do: its own scripts and styles, inline SVG images, WebSocket nodes. WebAssembly
 * may be compiled (`'wasm-unsafe-eval'`, which allows no JavaScript eval): the Keccak permutation
 * is a module the page builds itself (src/crypto/keccak-wasm.ts); without it the page falls back
 * to the slower JavaScript one.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ')

export interface WebServerOptions {
  /** Default 0: a free port. */
  readonly port?: number
  /** Default 127.0.0.1. */
  readonly host?: string
  /** The built client; default web/dist of this package. */
  readonly root?: string
}

export interface WebServer {
  /** `http://127.0.0.1:PORT/`. */
  readonly url: string
  readonly port: number
  close(): Promise<void>
}

/** The file under `root` that `urlPath` names, or undefined when it is outside or absent. */
export function resolveStatic(root: string, urlPath: string): string | undefined {
  let path: string
  try {
    path = decodeURIComponent(urlPath.split('?')[0]!.split('#')[0]!)
  } catch {
    return undefined
  }
  if (path.includes('\0')) return undefined
  if (path === '' || path.endsWith('/')) path += 'index.html'
  const base = normalize(root.endsWith(sep) ? root : root + sep)
  const file = normalize(join(base, path))
  if (!file.startsWith(base)) return undefined
  try {
    return statSync(file).isFile() ? file : undefined
  } catch {
    return undefined
  }
}

/**
 * Serves `root` until `close()`.
 * @throws {CliError} NOT_BUILT when there is no index.html in `root`
 */
export async function serveWeb(options: WebServerOptions = {}): Promise<WebServer> {
  const root = options.root ?? WEB_DIST
  if (!existsSync(join(root, 'index.html'))) {
    throw new CliError(
      'NOT_BUILT',
      `the web client is not built (no ${join(root, 'index.html')}); run "npm run build:web"`,
      ExitCode.Failure,
    )
  }
  const server = createServer((req, res) => {
    const headers = {
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-cache',
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, allow: 'GET, HEAD' }).end()
      return
    }
    const file = resolveStatic(root, req.url ?? '/')
    if (file === undefined) {
      res.writeHead(404, { ...headers, 'content-type': 'text/plain' }).end('not found\n')
      return
    }
    const body = readFileSync(file)
    res.writeHead(200, {
      ...headers,
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': body.length,
    })
    res.end(req.method === 'HEAD' ? undefined : body)
  })
  const host = options.host ?? '127.0.0.1'
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  }).catch((e: unknown) => {
    throw new CliError(
      'NETWORK_FAILURE',
      `cannot listen on ${host}:${options.port ?? 0} (${(e as { code?: string }).code ?? 'error'})`,
      ExitCode.Failure,
    )
  })
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://${host}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve()
        })
        server.closeAllConnections()
      }),
  }
}

/** Registers `status-pfs web` (serving `root`, by default the package's web/dist). */
export function registerWeb(program: Command, ctx: Ctx, root: string = WEB_DIST): void {
  program
    .command('web')
    .description("serve the web client on localhost (connect it to a node's /ws address)")
    .option('--port <n>', 'port to listen on (0: a free one)', '0')
    .option('--node <multiaddr>', 'a status-pfs node WebSocket address to prefill in the page')
    .action(async (opts: { port: string; node?: string }, cmd: Command) => {
      const c = ctx(cmd)
      const port = Number(opts.port)
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new CliError('INVALID_ARGUMENT', '--port expects a number from 0 to 65535')
      }
      if (opts.node !== undefined) checkMultiaddr(opts.node, '--node', true)
      const web = await serveWeb({ port, root })
      const url =
        opts.node === undefined ? web.url : `${web.url}?node=${encodeURIComponent(opts.node)}`
      if (c.json) c.out.line(JSON.stringify({ url, port: web.port }))
      else {
        c.out.line(c.style.green('status-pfs web client'))
        c.out.line(url)
        c.out.line(c.style.dim('Open it in a browser; Ctrl-C stops the server.'))
      }
      await untilStopped()
      await web.close()
    })
}
