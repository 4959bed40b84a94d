/**
 * `status-pfs directory serve | publish | resolve`: the signed static bundle directory (whitepaper
 * §2.3 "ENS record", "decentralized permanent storage"; issue 12). `serve` hosts the JSON
 * document over HTTP; `publish` registers our signed bundle under a name, with one-time prekeys
 * that the server hands to one requester each; `resolve` fetches an entry and verifies it against
 * its signatures, so the server is never trusted: a tampered entry is an error, not a contact.
 *
 * @module
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Command } from 'commander'
import { fromHex } from '../../crypto/index.ts'
import {
  DirectoryServer,
  StaticDirectory,
  createOneTimePreKeys,
  parseContactCode,
} from '../../messenger/index.ts'
import type { ResolvedBundle } from '../../messenger/index.ts'
import { threeWordName } from '../../messenger/identity/index.ts'
import { accountKeys } from '../../messenger/public/index.ts'
import type { Bundle } from '../../wire/index.ts'
import { openAccount } from '../account-file.ts'
import type { CliContext } from '../context.ts'
import { toJson } from '../context.ts'
import { CliError, ExitCode } from '../errors.ts'
import { commandNetwork } from '../network.ts'
import { fields } from '../present.ts'
import { untilStopped } from '../signals.ts'

type Ctx = (cmd: Command) => CliContext

/** Where `serve` keeps its document and one-time prekey pools by default. */
export const DIRECTORY_FILE = 'directory.json'

export function registerDirectory(program: Command, ctx: Ctx): void {
  const dir = program
    .command('directory')
    .description('a signed bundle directory: serve it, publish our bundle to it, resolve names')

  dir
    .command('serve')
    .description('serve a signed bundle directory over HTTP; prints its URL')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--port <n>', 'port to listen on (default: a free one)', '0')
    .option('--file <path>', `state file (default: DATA/${DIRECTORY_FILE})`)
    .action(async (opts: { host: string; port: string; file?: string }, cmd: Command) => {
      const c = ctx(cmd)
      const port = parsePort(opts.port)
      let file = opts.file
      if (file === undefined) {
        mkdirSync(c.dataDir, { recursive: true, mode: 0o700 })
        file = join(c.dataDir, DIRECTORY_FILE)
      }
      const server = new DirectoryServer({ file })
      let url: string
      try {
        url = await server.listen(port, opts.host)
      } catch (e) {
        throw new CliError(
          'NETWORK_FAILURE',
          `cannot listen on ${opts.host}:${String(port)} (${(e as { code?: string }).code ?? 'error'})`,
          ExitCode.Failure,
        )
      }
      if (c.json) c.out.line(JSON.stringify({ url, file }))
      else {
        c.out.line(c.style.green('status-pfs bundle directory running'))
        c.out.line(url)
        c.out.line(c.style.dim(`state in ${file}; Ctrl-C stops it`))
      }
      await untilStopped()
      await server.close()
      if (!c.json) c.out.line(c.style.dim('directory stopped'))
    })

  dir
    .command('publish')
    .description('publish our signed bundle under NAME, with one-time prekeys to hand out')
    .argument('<name>', 'the name to register (lowercase letters, digits, - and .)')
    .requiredOption('--url <url>', 'the directory, as "status-pfs directory serve" prints it')
    .option('--otpk <n>', 'one-time prekeys to generate and publish (1-1000)', '10')
    .action(async (name: string, opts: { url: string; otpk: string }, cmd: Command) => {
      const c = ctx(cmd)
      const url = checkUrl(opts.url)
      const count = Number(opts.otpk)
      if (!Number.isInteger(count) || count < 0 || count > 1000) {
        throw new CliError('INVALID_ARGUMENT', '--otpk expects a number from 0 to 1000')
      }
      const net = await commandNetwork(undefined)
      const acc = await openAccount(c.dataDir, net.network, { autoStart: false })
      const keys = accountKeys({ store: acc.store })
      try {
        const bundle = bundleOf(acc.m.contactCode())
        const oneTimePreKeys = count === 0 ? [] : createOneTimePreKeys({ store: acc.store }, count)
        await new StaticDirectory({ url, identity: keys.identity }).publish(bundle, {
          name,
          oneTimePreKeys,
        })
        if (c.json) {
          c.out.line(toJson({ name, url, publicKey: acc.m.publicKey, oneTimePreKeys: count }))
          return
        }
        c.out.line(c.style.green(`published ${acc.m.name} as "${name}"`))
        for (const l of fields(c.style, [
          ['Directory', url],
          ['Chat key', acc.m.publicKey],
          ['One-time prekeys', String(count)],
        ]))
          c.out.line(l)
      } finally {
        keys.identity.destroy()
        await acc.close()
      }
    })

  dir
    .command('resolve')
    .description('look up a name or chat key; every entry is verified against its signatures')
    .argument('<key-or-name>', 'a chat key (0x04…, zQ3…) or a registered name')
    .requiredOption('--url <url>', 'the directory (its base URL or …/directory.json)')
    .option(
      '--import',
      'remember the verified bundle in the --data account: a later "contact add KEY" has PFS',
    )
    .action(async (ref: string, opts: { url: string; import?: boolean }, cmd: Command) => {
      const c = ctx(cmd)
      const url = checkUrl(opts.url)
      const r = await new StaticDirectory({ url }).resolve(ref)
      if (r === undefined) {
        throw new CliError('NOT_FOUND', `the directory lists no "${ref}"`, ExitCode.Failure)
      }
      if (opts.import === true) {
        const net = await commandNetwork(undefined)
        const acc = await openAccount(c.dataDir, net.network, { autoStart: false })
        try {
          // With its one-time prekey when the bundle names one installation (the publisher's,
          // the only one holding the private half; directory/add-contact.ts).
          const otpk = r.oneTimePreKey
          const single = Object.keys(r.bundle.signedPreKeys).length === 1
          acc.m.importBundle(
            r.bundle,
            otpk !== undefined && single ? { oneTimePreKey: fromHex(otpk.key) } : {},
          )
        } finally {
          await acc.close()
        }
      }
      const view = { ...resolvedView(r), imported: opts.import === true }
      if (c.json) {
        c.out.line(toJson(view))
        return
      }
      c.out.line(c.style.green(`${view.name ?? view.alias}: signature verified`))
      for (const l of fields(c.style, [
        ['Name', view.name ?? '-'],
        ['Three-word name', view.alias],
        ['Chat key', view.publicKey],
        ['One-time prekey', view.oneTimePreKey ?? 'none left'],
        ['Contact code', view.contactCode],
      ]))
        c.out.line(l)
      c.out.line(
        c.style.dim(
          view.imported
            ? `  Bundle imported: status-pfs contact add ${view.publicKey} starts with PFS`
            : '  Add them with PFS: status-pfs contact add <the contact code>',
        ),
      )
    })
}

interface ResolvedView {
  name: string | undefined
  alias: string
  publicKey: string
  source: string
  contactCode: string
  oneTimePreKey: string | null
}

function resolvedView(r: ResolvedBundle): ResolvedView {
  return {
    name: r.name,
    alias: threeWordName(r.publicKey),
    publicKey: r.publicKey,
    source: r.source,
    contactCode: r.contactCode,
    oneTimePreKey: r.oneTimePreKey?.key ?? null,
  }
}

/** Our own contact code's bundle (the messenger signs it freshly). */
function bundleOf(code: string): Bundle {
  const b = parseContactCode(code).bundle
  if (b === undefined) throw new CliError('INTERNAL', 'our contact code carries no bundle')
  return b
}

function parsePort(text: string): number {
  const port = Number(text)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CliError('INVALID_ARGUMENT', '--port expects a number from 0 to 65535')
  }
  return port
}

function checkUrl(text: string): string {
  let u: URL
  try {
    u = new URL(text)
  } catch {
    throw new CliError(
      'INVALID_ARGUMENT',
      '--url expects an http(s) URL, e.g. http://127.0.0.1:8080',
    )
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new CliError(
      'INVALID_ARGUMENT',
      '--url expects an http(s) URL, e.g. http://127.0.0.1:8080',
    )
  }
  return text.replace(/\/+$/, '')
}
