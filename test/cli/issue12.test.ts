/**
 * Issue 12 from the command line, as child processes with their own `--data` directories: the
 * signed bundle directory (`directory serve | publish | resolve`, a tampered file rejected), a
 * public chat between two accounts through a `status-pfs node --store`, and a push server
 * (`node --push --webhook`) delivering an allowed contact's notification to a real local HTTP
 * endpoint. Waits are on output, with deadlines.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import type { Run } from './helpers.ts'
import { Proc, assertOneLineFailure, cli, ROOT, tempDir } from './helpers.ts'

const MAIN = join(ROOT, 'src/cli/main.ts')

/** One command line, without blocking this process (the webhook below must keep answering). */
function cliAsync(args: readonly string[], timeoutMs = 90_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.stdin.end()
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`timed out: ${args.join(' ')}\n${stdout}${stderr}`))
    }, timeoutMs)
    child.on('exit', (status) => {
      clearTimeout(timer)
      resolve({ status, stdout, stderr })
    })
  })
}

function json(r: Run): unknown {
  assert.equal(r.status, 0, r.stderr)
  return JSON.parse(r.stdout)
}

interface AccountJson {
  publicKey: string
  compressedKey: string
  name: string
}

const procs: Proc[] = []
after(() => {
  for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL')
})

function start(args: readonly string[]): Proc {
  const p = new Proc(args)
  procs.push(p)
  return p
}

async function stop(p: Proc): Promise<void> {
  p.child.kill('SIGINT')
  assert.equal(await p.exited(), 0, p.out)
}

describe('status-pfs directory', () => {
  it('serve + publish + resolve round trip; one-time prekeys once each; a tampered file is rejected', async () => {
    const dir = tempDir('directory')
    const file = join(dir, 'directory.json')
    const serve = start(['directory', 'serve', '--json', '--file', file])
    const url = (JSON.parse((await serve.waitFor(/^\{.*\}$/m))[0]) as { url: string }).url
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/)

    const a = tempDir('dir-alice')
    const alice = json(cli(['account', 'new', '--json', '--data', a])) as AccountJson
    const pub = json(
      cli(['directory', 'publish', 'alice', '--url', url, '--otpk', '2', '--json', '--data', a]),
    ) as { name: string; oneTimePreKeys: number }
    assert.deepEqual([pub.name, pub.oneTimePreKeys], ['alice', 2])

    interface Resolved {
      name: string
      publicKey: string
      contactCode: string
      oneTimePreKey: string | null
    }
    const r1 = json(cli(['directory', 'resolve', 'alice', '--url', url, '--json'])) as Resolved
    assert.equal(r1.publicKey, alice.publicKey)
    assert.equal(r1.name, 'alice')
    assert.match(r1.contactCode, /^pfs1:/)
    const r2 = json(
      cli(['directory', 'resolve', alice.compressedKey, '--url', url, '--json']),
    ) as Resolved
    assert.equal(r2.publicKey, alice.publicKey, 'by chat key too')
    assert.ok(r1.oneTimePreKey !== null && r2.oneTimePreKey !== null)
    assert.notEqual(
      r1.oneTimePreKey,
      r2.oneTimePreKey,
      'each one-time prekey goes to one requester',
    )
    const r3 = json(cli(['directory', 'resolve', 'alice', '--url', url, '--json'])) as Resolved
    assert.equal(r3.oneTimePreKey, null, 'the pool of two is used up')
    const text = cli(['directory', 'resolve', 'alice', '--url', url])
    assert.equal(text.status, 0)
    assert.match(text.stdout, /signature verified/)
    assert.match(text.stdout, new RegExp(alice.name))

    // --import: Bob learns Alice's bundle, and his request by chat key alone is X3DH (PFS).
    const b = tempDir('dir-bob')
    cli(['account', 'new', '--data', b])
    const imp = json(
      cli(['directory', 'resolve', 'alice', '--url', url, '--import', '--json', '--data', b]),
    ) as { imported: boolean }
    assert.equal(imp.imported, true)
    const add = json(cli(['contact', 'add', alice.publicKey, '--json', '--data', b])) as {
      pfs: boolean
    }
    assert.equal(add.pfs, true, 'PFS from the first message after the directory lookup')
    const control = tempDir('dir-carol')
    cli(['account', 'new', '--data', control])
    const noImport = json(
      cli(['contact', 'add', alice.publicKey, '--json', '--data', control]),
    ) as {
      pfs: boolean
    }
    assert.equal(noImport.pfs, false, 'control: without the import, the DH fallback')

    assertOneLineFailure(cli(['directory', 'resolve', 'nobody', '--url', url]), 'NOT_FOUND')
    assertOneLineFailure(
      cli(['directory', 'resolve', 'alice', '--url', 'ftp://x']),
      'INVALID_ARGUMENT',
    )
    assertOneLineFailure(
      cli(['directory', 'publish', 'alice', '--url', url, '--data', tempDir('none')]),
      'NO_ACCOUNT',
    )

    // The server is not trusted: change one digit of Alice's name claim in its file, restart it.
    await stop(serve)
    const state = JSON.parse(readFileSync(file, 'utf8')) as {
      entries: Record<string, { nameSignature: string }>
    }
    const entry = state.entries['alice']!
    const sig = entry.nameSignature
    entry.nameSignature = sig.slice(0, 20) + (sig[20] === '0' ? '1' : '0') + sig.slice(21)
    writeFileSync(file, JSON.stringify(state))
    const again = start(['directory', 'serve', '--json', '--file', file])
    const url2 = (JSON.parse((await again.waitFor(/^\{.*\}$/m))[0]) as { url: string }).url
    const bad = cli(['directory', 'resolve', 'alice', '--url', url2])
    assertOneLineFailure(bad, 'BUNDLE_SIGNATURE')
    assert.equal(bad.stdout, '', 'nothing of the tampered entry is shown')
    assertOneLineFailure(
      cli(['directory', 'resolve', 'alice', '--url', `${url2}/directory.json`]),
      'BUNDLE_SIGNATURE',
    )
    await stop(again)
  })

  it('--help of each subcommand', () => {
    for (const sub of ['serve', 'publish', 'resolve']) {
      const r = cli(['directory', sub, '--help'])
      assert.equal(r.status, 0)
      assert.match(r.stdout, /--json|--url|--port/)
    }
    for (const args of [
      ['public', 'join'],
      ['push', 'register'],
      ['push', 'send'],
    ]) {
      assert.equal(cli([...args, '--help']).status, 0)
    }
  })
})

describe('status-pfs public join', () => {
  it('two data directories chat in #status through a node; a late joiner gets the history', async () => {
    const node = start(['node', '--store', '--data', tempDir('pub-node')])
    const addr = (await node.waitFor(/^(\/ip4\/\S+\/p2p\/\S+)$/m))[1]!
    const [a, b, c] = [tempDir('pub-a'), tempDir('pub-b'), tempDir('pub-c')]
    const alice = json(cli(['account', 'new', '--json', '--data', a])) as AccountJson
    const bob = json(cli(['account', 'new', '--json', '--data', b])) as AccountJson
    cli(['account', 'new', '--data', c])
    const pa = start(['public', 'join', '#Status', '--peer', addr, '--data', a])
    const pb = start(['public', 'join', 'status', '--peer', addr, '--data', b])
    await pa.waitFor(/type a message/)
    await pb.waitFor(/type a message/)
    assert.match(pa.out, /joined #status/)
    pa.type('hello from Alice')
    await pb.waitFor(new RegExp(`#status ${alice.name}: hello from Alice`))
    pb.type('hi Alice, Bob here')
    await pa.waitFor(new RegExp(`#status ${bob.name}: hi Alice, Bob here`))
    pa.type('/quit')
    assert.equal(await pa.exited(), 0)
    pb.child.stdin.end()
    assert.equal(await pb.exited(), 0, 'end of input leaves')

    // Carol joins later, with --json: the store node gives her both messages, in order.
    const pc = start(['public', 'join', 'status', '--peer', addr, '--json', '--data', c])
    await pc.waitFor(/hi Alice, Bob here/)
    const lines = pc.out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { text: string; from: string; chat: string })
    assert.deepEqual(
      lines.map((l) => [l.chat, l.from, l.text]),
      [
        ['status', alice.publicKey, 'hello from Alice'],
        ['status', bob.publicKey, 'hi Alice, Bob here'],
      ],
    )
    await stop(pc)

    // The interactive chat shows the public chat too (/join).
    const chat = start(['chat', '--peer', addr, '--data', b])
    await chat.waitFor(/type a message/)
    chat.type('/join status')
    await chat.waitFor(/#status .*hello from Alice/)
    chat.type('posted from chat')
    await chat.waitFor(/posted to #status/)
    chat.type('/quit')
    assert.equal(await chat.exited(), 0)

    assertOneLineFailure(cli(['public', 'join', 'status', '--peer', 'nonsense', '--data', a]))
    await stop(node)
  })
})

describe('status-pfs node --push', () => {
  it('registration, an allowed contact’s notification at the webhook, a non-contact refused', async () => {
    const received: { deviceToken: string; messageId: string }[] = []
    const hook = createServer((req, res) => {
      let body = ''
      req.setEncoding('utf8').on('data', (d: string) => (body += d))
      req.on('end', () => {
        received.push(JSON.parse(body) as { deviceToken: string; messageId: string })
        res.writeHead(200).end()
      })
    })
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r))
    const webhook = `http://127.0.0.1:${String((hook.address() as AddressInfo).port)}/notify`
    try {
      const nodeDir = tempDir('push-node')
      assertOneLineFailure(cli(['node', '--push', '--data', nodeDir]), 'INVALID_ARGUMENT')
      const node = start([
        'node',
        '--store',
        '--push',
        '--webhook',
        webhook,
        '--json',
        '--data',
        nodeDir,
      ])
      const info = JSON.parse((await node.waitFor(/^\{.*\}$/m))[0]) as {
        multiaddrs: string[]
        pushServer: string
      }
      assert.match(info.pushServer, /^0x04[0-9a-f]{128}$/)
      assert.equal(statSync(join(nodeDir, 'push.key')).mode & 0o777, 0o600)
      const addr = info.multiaddrs[0]!
      const server = info.pushServer

      const [a, b, c] = [tempDir('push-a'), tempDir('push-b'), tempDir('push-c')]
      const bob = json(
        await cliAsync([
          'account',
          'new',
          '--json',
          '--data',
          b,
          '--push-server',
          server,
          '--push-token',
          'bob-device-token',
          '--peer',
          addr,
        ]),
      ) as AccountJson & { push: { registered: boolean } }
      assert.equal(bob.push.registered, true, 'registration is a step of account new')
      const alice = json(cli(['account', 'new', '--json', '--data', a])) as AccountJson
      cli(['account', 'new', '--data', c])
      const code = (dir: string): string =>
        (json(cli(['bundle', '--json', '--data', dir])) as { contactCode: string }).contactCode
      const aliceCode = code(a)
      const bobCode = code(b)
      // Bob allows Alice: he adds her and registers again with his contacts.
      assert.equal(cli(['contact', 'add', aliceCode, '--data', b]).status, 0)
      const reg = json(
        await cliAsync([
          'push',
          'register',
          '--server',
          server,
          '--token',
          'bob-device-token',
          '--peer',
          addr,
          '--json',
          '--data',
          b,
        ]),
      ) as { contacts: number }
      assert.equal(reg.contacts, 1)
      assert.equal(cli(['contact', 'add', bobCode, '--data', a]).status, 0)
      assert.equal(cli(['contact', 'add', bobCode, '--data', c]).status, 0)

      const sent = json(
        await cliAsync([
          'push',
          'send',
          bob.publicKey,
          'wake up',
          '--server',
          server,
          '--peer',
          addr,
          '--json',
          '--data',
          a,
        ]),
      ) as { id: string; push: { success: boolean }[] }
      assert.ok(sent.push.some((p) => p.success))
      const deadline = Date.now() + 10_000
      while (received.length === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50))
      }
      assert.equal(received.length, 1, 'the webhook got the notification')
      assert.equal(received[0]!.deviceToken, 'bob-device-token')

      const refused = await cliAsync([
        'push',
        'send',
        bob.publicKey,
        'spam',
        '--server',
        server,
        '--peer',
        addr,
        '--data',
        c,
      ])
      assertOneLineFailure(refused, 'PUSH_REFUSED')
      assert.equal(received.length, 1, 'no notification for a non-contact')

      // The server's storage names no one in plain: neither Bob's nor Alice's key is in it.
      const stored = readFileSync(join(nodeDir, 'push.json'), 'utf8').toLowerCase()
      for (const k of [alice.publicKey, bob.publicKey]) {
        assert.ok(!stored.includes(k.slice(4, 68)), 'no chat key in the push storage')
      }
      assertOneLineFailure(
        cli(['account', 'new', '--data', tempDir('push-d'), '--push-server', server]),
        'INVALID_ARGUMENT',
      )
      await stop(node)
    } finally {
      hook.closeAllConnections()
      await new Promise((r) => hook.close(r))
    }
  })
})
