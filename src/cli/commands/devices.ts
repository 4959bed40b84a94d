/**
 * `status-pfs devices [enable|disable|remove ID | name NAME]` and `status-pfs bundle [--qr]`
 * (whitepaper §4 multi-device: pairing needs a confirmation on a device already paired, §2.3 the
 * contact code carrying the signed bundle).
 *
 * @module
 */
import type { Command } from 'commander'
import type { DeviceInfo } from '../../messenger/index.ts'
import { openAccount } from '../account-file.ts'
import type { CliContext } from '../context.ts'
import { toJson } from '../context.ts'
import { CliError } from '../errors.ts'
import { commandNetwork } from '../network.ts'
import { terminalQr } from '../qr.ts'
import type { Style } from '../style.ts'

type Ctx = (cmd: Command) => CliContext

const ACTIONS = ['list', 'enable', 'disable', 'remove', 'name'] as const
type Action = (typeof ACTIONS)[number]

export function registerDevices(program: Command, ctx: Ctx): void {
  program
    .command('devices')
    .description(
      'list our installations; enable (confirm pairing), disable, remove, or name this one',
    )
    .argument('[action]', `one of: ${ACTIONS.join(', ')}`, 'list')
    .argument('[arg]', 'installation id (enable, disable, remove) or the new name (name)')
    .option('--peer <multiaddr>', 'announce the change through this status-pfs node')
    .action(
      async (action: string, arg: string | undefined, opts: { peer?: string }, cmd: Command) => {
        const c = ctx(cmd)
        if (!(ACTIONS as readonly string[]).includes(action)) {
          throw new CliError('INVALID_ARGUMENT', `unknown devices action "${action}"`)
        }
        const act = action as Action
        if (act !== 'list' && (arg === undefined || arg.trim() === '')) {
          throw new CliError('INVALID_ARGUMENT', `devices ${act} needs an argument`)
        }
        const net = await commandNetwork(act === 'list' ? undefined : opts.peer)
        try {
          const acc = await openAccount(c.dataDir, net.network, { autoStart: false })
          const m = acc.m
          try {
            if (act !== 'list') {
              const value = arg!.trim()
              if (act !== 'name') {
                const known = m.devices().find((d) => d.installationId === value)
                if (known === undefined)
                  throw new CliError('DEVICE_NOT_FOUND', 'no installation with that id')
                if (known.current && act !== 'enable')
                  throw new CliError('INVALID_ARGUMENT', `cannot ${act} this installation itself`)
              }
              if (act === 'enable') await m.enableDevice(value)
              else if (act === 'disable') await m.disableDevice(value)
              else if (act === 'remove') await m.removeDevice(value)
              else await m.setDeviceName(value)
            }
            const devices = m.devices()
            if (c.json) {
              c.out.line(toJson(devices))
              return
            }
            if (act !== 'list') c.out.line(c.style.green(`devices ${act}: done`))
            for (const l of deviceLines(c.style, devices)) c.out.line(l)
          } finally {
            await acc.close()
          }
        } finally {
          await net.close()
        }
      },
    )

  program
    .command('bundle')
    .description('print our contact code (the signed prekey bundle), optionally as a QR code')
    .option('--qr', 'also draw it as a QR code in the terminal')
    .action(async (opts: { qr?: boolean }, cmd: Command) => {
      const c = ctx(cmd)
      const net = await commandNetwork(undefined)
      const acc = await openAccount(c.dataDir, net.network, { autoStart: false })
      const m = acc.m
      try {
        const code = m.contactCode()
        if (c.json) {
          c.out.line(toJson({ contactCode: code, publicKey: m.publicKey, name: m.name }))
          return
        }
        if (opts.qr === true) {
          c.out.line(terminalQr(code))
          c.out.line()
        }
        c.out.line(`${c.style.bold(m.name)} ${m.emojiHash}`)
        c.out.line(code)
      } finally {
        await acc.close()
      }
    })
}

export function deviceLines(style: Style, devices: readonly DeviceInfo[]): string[] {
  return devices.map((d) => {
    const state = d.stale
      ? style.yellow('stale')
      : d.enabled
        ? style.green('enabled')
        : style.dim('disabled')
    const tag = d.current ? style.cyan(' (this device)') : ''
    const seen = d.lastSeen > 0 ? ` last seen ${new Date(d.lastSeen).toISOString()}` : ''
    return `  ${d.installationId}  ${d.name ?? '-'}  ${d.deviceType ?? ''}  ${state}${tag}${style.dim(seen)}`
  })
}
