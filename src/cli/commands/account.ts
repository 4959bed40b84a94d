/**
 * `status-pfs account new | recover | show` (whitepaper §1.5.1 account creation, §4.4 recovery
 * as a new installation; issue 7). The recovery phrase is printed once, by `new`, and never
 * stored; `recover` reads it from `--phrase` or standard input.
 *
 * @module
 */
import { createInterface } from 'node:readline'
import type { Command } from 'commander'
import type { Messenger } from '../../messenger/index.ts'
import { createAccount, openAccount } from '../account-file.ts'
import type { CliContext } from '../context.ts'
import { toJson } from '../context.ts'
import { CliError } from '../errors.ts'
import { terminalIdenticon } from '../identicon.ts'
import { commandNetwork } from '../network.ts'
import { identityLines, identityView } from '../present.ts'
import { checkPushOptions, registerWithPushServer } from './push.ts'

type Ctx = (cmd: Command) => CliContext

export function registerAccount(program: Command, ctx: Ctx): void {
  const account = program
    .command('account')
    .description('create, recover or show the account in the --data directory')

  account
    .command('new')
    .description('create a new account: prints the recovery phrase (once), chat key and names')
    .option('--device-name <name>', 'name of this device')
    .option('--push-server <key>', 'also register with this push server (off by default)')
    .option('--push-token <token>', 'the APNs/FCM device token to register')
    .option('--peer <multiaddr>', 'the status-pfs node to reach the push server through')
    .action(async (opts: NewOptions, cmd: Command) => {
      const c = ctx(cmd)
      const push = checkPushOptions({
        server: opts.pushServer,
        token: opts.pushToken,
        peer: opts.peer,
        names: ['--push-server', '--push-token'],
      })
      const net = await commandNetwork(push?.peer)
      let acc
      try {
        acc = await createAccount(c.dataDir, net.network, undefined, deviceOpts(opts))
      } catch (e) {
        await net.close()
        throw e
      }
      const m = acc.m
      // Registration is the third step of account creation (§1.5.1). The account exists either
      // way: a failure is reported after the phrase, which is shown only now.
      let pushError: Error | undefined
      if (push !== undefined) {
        try {
          await registerWithPushServer(acc, net.network, push.server, push.token)
        } catch (e) {
          pushError = e instanceof Error ? e : new Error(String(e))
        }
      }
      const registered = push !== undefined && pushError === undefined
      try {
        const view = { phrase: m.phrase ?? '', ...identityView(m) }
        if (c.json) {
          c.out.line(
            toJson({
              ...view,
              dataDir: c.dataDir,
              ...(push !== undefined && { push: { server: push.server, registered } }),
            }),
          )
        } else {
          c.out.line(c.style.green(`New account created in ${c.dataDir}`))
          for (const l of identityLines(c.style, view, [
            ['Recovery phrase', c.style.yellow(view.phrase)],
          ]))
            c.out.line(l)
          c.out.line(c.style.dim('  Write the phrase down: it is shown only now and never stored.'))
          if (registered) c.out.line(c.style.green('Registered with the push server'))
        }
      } finally {
        await acc.close()
        await net.close()
      }
      if (pushError !== undefined) throw pushError
    })

  account
    .command('recover')
    .description('recover an account from its phrase, as a new installation (device)')
    .option('--phrase <words>', 'the 12-word recovery phrase (default: read from stdin)')
    .option('--device-name <name>', 'name of this device')
    .action(async (opts: { phrase?: string; deviceName?: string }, cmd: Command) => {
      const c = ctx(cmd)
      const phrase = (opts.phrase ?? (await readPhrase())).trim()
      if (phrase === '') throw new CliError('INVALID_PHRASE', 'no recovery phrase given')
      const net = await commandNetwork(undefined)
      const acc = await createAccount(c.dataDir, net.network, phrase, deviceOpts(opts))
      const m = acc.m
      try {
        const view = identityView(m)
        if (c.json) {
          c.out.line(toJson({ ...view, dataDir: c.dataDir }))
          return
        }
        c.out.line(c.style.green(`Account recovered in ${c.dataDir} as a new installation`))
        for (const l of identityLines(c.style, view)) c.out.line(l)
        c.out.line(
          c.style.dim(
            '  Pair it from another device of this account (status-pfs devices enable ID there).',
          ),
        )
      } finally {
        await acc.close()
      }
    })

  account
    .command('show')
    .description('show the account: identicon, names, keys and devices')
    .action(async (_opts: unknown, cmd: Command) => {
      const c = ctx(cmd)
      const net = await commandNetwork(undefined)
      const acc = await openAccount(c.dataDir, net.network, { autoStart: false })
      const m = acc.m
      try {
        const view = identityView(m)
        const devices = m.devices()
        if (c.json) {
          c.out.line(
            toJson({
              ...view,
              colorHash: m.colorHash,
              devices: devices.length,
              dataDir: c.dataDir,
            }),
          )
          return
        }
        c.out.line(terminalIdenticon(m.colorHash, c.style))
        c.out.line()
        for (const l of identityLines(
          c.style,
          view,
          [],
          [
            ['Devices', String(devices.length)],
            ['Colour hash', colourHashText(m)],
          ],
        ))
          c.out.line(l)
      } finally {
        await acc.close()
      }
    })
}

function colourHashText(m: Messenger): string {
  return m.colorHash.map(([len, colour]) => `${len}:${colour}`).join(' ')
}

interface NewOptions {
  deviceName?: string
  pushServer?: string
  pushToken?: string
  peer?: string
}

function deviceOpts(opts: { deviceName?: string }): { deviceName?: string } {
  return opts.deviceName === undefined ? {} : { deviceName: opts.deviceName }
}

/** The phrase from stdin: one prompted line on a terminal, else everything piped in. */
async function readPhrase(): Promise<string> {
  if (process.stdin.isTTY) {
    const rl = createInterface({ input: process.stdin, output: process.stderr })
    try {
      return await new Promise<string>((resolve) => {
        rl.question('Recovery phrase: ', resolve)
      })
    } finally {
      rl.close()
    }
  }
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}
