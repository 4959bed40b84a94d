/**
 * Chat between processes on loopback (issue 8, "multi-process test"): a store node
 * (`status-pfs node --store`, the real command) and three client processes
 * (messenger-process.ts: Messenger + SqliteStore + Libp2pNetwork), each connected to the node only,
 * so every message is relayed by it. Alice and Bob hold a full 1:1 conversation: a contact request
 * by bare key, PFS once accepted (X3DH), ratchet messages both ways; Bob pairs a second device
 * (same phrase, new installation, each side confirms the other). Then Bob's first device is killed
 * with SIGKILL, messages are sent while it is down (by Alice, and by Bob's other device), it
 * restarts on its database, syncs from the store node, and every missed message arrives exactly
 * once, in order, decrypted, with PFS; a second sync brings nothing; the ratchet goes on live.
 * Waits are on output, with deadlines (a wait the relay does not satisfy within 5 s falls back to
 * store syncs, as the chat client does, and is reported), never fixed sleeps — except spacing the
 * offline sends one second apart, because the store orders envelopes of the same second by hash
 * (TRANSPORT.md §4.2), so that arrival order after the sync is checkable. */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after, test } from 'node:test'

const ROOT = resolve(import.meta.dirname, '../..')
const CLIENT = join(ROOT, 'test/network/messenger-process.ts')
const CLI = join(ROOT, 'src/cli/main.ts')
/** How long a wait relies on relay delivery alone before asking the store node. */
const LIVE_WAIT_MS = 5000

const dirs: string[] = []
function tempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `status-pfs-mp-${label}-`))
  dirs.push(dir)
  return dir
}

interface Event {
  readonly event: string
  readonly data: Record<string, unknown>
}

interface Ready {
  readonly publicKey: string
  readonly installationId: string
  readonly phrase?: string
  readonly contactCode: string
  readonly peerId: string
}

/** One child process speaking JSON lines (messenger-process.ts). */
class Client {
  readonly child: ChildProcessWithoutNullStreams
  readonly events: Event[] = []
  readonly ready: Promise<Ready>
  stderr = ''
  /** Waits that needed a store sync because the relay did not deliver in time. */
  readonly fallbacks: string[] = []
  #next = 1
  readonly #waiting = new Map<number, (r: { ok: boolean; result?: unknown }) => void>()

  readonly label: string

  constructor(label: string, args: readonly string[]) {
    this.label = label
    this.child = spawn(process.execPath, ['--import', 'tsx', CLIENT, ...args], { cwd: ROOT })
    this.child.stderr.setEncoding('utf8').on('data', (d: string) => (this.stderr += d))
    let onReady: (r: Ready) => void = () => undefined
    this.ready = new Promise<Ready>((resolve, reject) => {
      onReady = resolve
      this.child.once('exit', (code) => {
        reject(new Error(`${label} exited (${String(code)}) before ready:\n${this.stderr}`))
      })
    })
    // Observed by the test when it matters; not an unhandled rejection when a child is killed.
    this.ready.catch(() => undefined)
    let buf = ''
    this.child.stdout.setEncoding('utf8').on('data', (d: string) => {
      buf += d
      let nl: number
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = JSON.parse(buf.slice(0, nl)) as Record<string, unknown>
        buf = buf.slice(nl + 1)
        if ('ready' in line) onReady(line['ready'] as Ready)
        else if ('event' in line) this.events.push(line as unknown as Event)
        else this.#waiting.get(line['id'] as number)?.(line as { ok: boolean; result?: unknown })
      }
    })
  }

  /** Runs a command in the child; rejects with its error code. */
  async call<T = unknown>(cmd: string, ...args: string[]): Promise<T> {
    const id = this.#next++
    const reply = new Promise<{ ok: boolean; result?: unknown; code?: string }>((r) => {
      this.#waiting.set(id, r)
    })
    this.child.stdin.write(`${JSON.stringify({ id, cmd, args })}\n`)
    const r = await withDeadline(reply, 20_000, `${this.label} ${cmd}`)
    if (!r.ok) throw new Error(`${this.label} ${cmd} failed: ${JSON.stringify(r)}\n${this.stderr}`)
    return r.result as T
  }

  /**
   * Waits for `cond`. Relay delivery is best effort (TRANSPORT.md §3): after `LIVE_WAIT_MS`
   * without it, the client asks the store node every second, as `status-pfs chat` does every
   * 15 s; such fallbacks are counted and reported.
   */
  async until(
    cond: () => boolean | Promise<boolean>,
    what: string,
    timeoutMs = 20_000,
  ): Promise<void> {
    const start = Date.now()
    let lastSync = 0
    while (!(await cond())) {
      const now = Date.now()
      if (now - start > timeoutMs || this.child.exitCode !== null) {
        const stats = this.child.exitCode === null ? await this.call('netStats') : null
        throw new Error(
          `${this.label}: no ${what}; got ${JSON.stringify(this.events)}; network ` +
            `${JSON.stringify(stats)}\n${this.stderr}`,
        )
      }
      if (now - start > LIVE_WAIT_MS && now - lastSync > 1000) {
        if (lastSync === 0) this.fallbacks.push(what)
        lastSync = now
        await this.call('sync')
        continue
      }
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  /** The first event named `name` matching `pred`, waiting for it if needed. */
  async event(
    name: string,
    pred: (d: Record<string, unknown>) => boolean = () => true,
  ): Promise<Record<string, unknown>> {
    const find = () => this.events.find((x) => x.event === name && pred(x.data))
    await this.until(() => find() !== undefined, `${name} event`)
    return find()!.data
  }

  /** Texts of the `message` events, in arrival order. */
  texts(filter: (d: Record<string, unknown>) => boolean = () => true): string[] {
    return this.events
      .filter((e) => e.event === 'message' && filter(e.data))
      .map((e) => e.data['text'] as string)
  }

  async quit(): Promise<number | null> {
    this.child.stdin.end()
    return exited(this.child)
  }
}

function exited(child: { exitCode: number | null; once: ChildProcessWithoutNullStreams['once'] }) {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode)
  return new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
}

async function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms)
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
}

const children: ChildProcessWithoutNullStreams[] = []
const clients: Client[] = []
after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  await Promise.all(children.map((c) => exited(c)))
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

function client(label: string, data: string, addr: string, mode: string) {
  const c = new Client(label, ['--data', data, '--peer', addr, '--mode', mode])
  children.push(c.child)
  clients.push(c)
  return c
}

const fromAlice = (alice: Ready) => (d: Record<string, unknown>) =>
  d['from'] === alice.publicKey && d['outgoing'] === false

test('store node + 3 client processes: X3DH, ratchet, pairing, SIGKILL, restart and sync', async (t) => {
  // 1. The store node, as a user starts it.
  const node = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      CLI,
      'node',
      '--listen',
      '/ip4/127.0.0.1/tcp/0',
      '--store',
      '--json',
      '--data',
      tempDir('node'),
    ],
    { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } },
  )
  children.push(node)
  const nodeInfo = await withDeadline(
    new Promise<{ peerId: string; multiaddrs: string[]; store: boolean }>((resolve) => {
      let out = ''
      node.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d
        const nl = out.indexOf('\n')
        if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)))
      })
    }),
    20_000,
    'the node address',
  )
  assert.equal(nodeInfo.store, true)
  const addr = nodeInfo.multiaddrs[0]!
  assert.match(addr, /^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\/12D3Koo/)

  // 2. Alice and Bob, each connected to the node only.
  const bobData = tempDir('bob')
  const alice = client('alice', tempDir('alice'), addr, 'create')
  let bob = client('bob', bobData, addr, 'create')
  // Bob's second device starts now and joins the relay; it gets his phrase later (step 5).
  const bob2 = client('bob2', tempDir('bob2'), addr, 'recover')
  const [a, b] = await Promise.all([alice.ready, bob.ready])

  // 3. Contact request by bare key, accepted: the chat is PFS from then on. (The request itself is
  // PFS when Alice found Bob's advertised bundle on the store node in time, else DH fallback;
  // both sides show the same level.)
  const req = await alice.call<{ pfs: boolean }>('addContact', b.publicKey, 'hello Bob')
  const incoming = await bob.event('contactRequest', (d) => d['publicKey'] === a.publicKey)
  assert.equal(incoming['pfs'], req.pfs)
  assert.equal(incoming['text'], 'hello Bob')
  await bob.call('accept', a.publicKey)
  const accepted = await alice.event('contactAccepted', (d) => d['publicKey'] === b.publicKey)
  assert.equal(accepted['pfs'], true)

  // 4. Ratchet messages both ways (the first of each side starts its X3DH session).
  // The request's text opens the chat once accepted.
  const conversation: string[] = ['hello Bob']
  for (const [from, to, text] of [
    [bob, a, 'hi Alice'],
    [alice, b, 'how are you?'],
    [alice, b, 'still there?'],
    [bob, a, 'yes, fine'],
  ] as const) {
    const sent = await from.call<{ pfs: boolean; devices: number }>('send', to.publicKey, text)
    assert.equal(sent.pfs, true, text)
    conversation.push(text)
    const receiver = from === alice ? bob : alice
    const got = await receiver.event('message', (d) => d['text'] === text)
    assert.equal(got['pfs'], true)
  }

  // 5. Bob pairs a second device (same phrase, new installation); each side confirms the other.
  bob2.child.stdin.write(`${b.phrase!}\n`)
  const b2 = await bob2.ready
  assert.equal(b2.publicKey, b.publicKey)
  const added = await bob.event(
    'deviceAdded',
    (d) => d['own'] === true && d['installationId'] === b2.installationId,
  )
  assert.equal(added['enabled'], false)
  await bob.call('enableDevice', b2.installationId)
  await bob2.event(
    'deviceAdded',
    (d) => d['own'] === true && d['installationId'] === b.installationId,
  )
  await bob2.call('enableDevice', b.installationId)
  await alice.until(async () => {
    const devices = await alice.call<{ installationId: string }[]>('peerDevices', b.publicKey)
    return devices.some((d) => d.installationId === b2.installationId)
  }, "Bob's second device")

  // The new device learns of Alice from her message and accepts her on its side too.
  const both = await alice.call<{ pfs: boolean; devices: number }>('send', b.publicKey, 'to both')
  conversation.push('to both')
  assert.deepEqual([both.pfs, both.devices], [true, 2])
  await bob.event('message', (d) => d['text'] === 'to both')
  await bob2.event('contactRequest', (d) => d['publicKey'] === a.publicKey)
  await bob2.call('accept', a.publicKey)
  const phone = await bob2.call<{ pfs: boolean }>('send', a.publicKey, 'from the phone')
  conversation.push('from the phone')
  assert.equal(phone.pfs, true)
  await alice.event('message', (d) => d['text'] === 'from the phone' && d['pfs'] === true)
  // Bob's first device sees what his second one sent (sync of sent messages).
  await bob.event('message', (d) => d['text'] === 'from the phone' && d['outgoing'] === true)

  // 6. SIGKILL Bob's first device; Alice and Bob's phone keep talking.
  bob.child.kill('SIGKILL')
  assert.equal(await exited(bob.child), null)
  const missed = ['while you were away 1', 'while you were away 2', 'while you were away 3']
  for (const text of missed) {
    const sent = await alice.call<{ pfs: boolean; devices: number }>('send', b.publicKey, text)
    assert.deepEqual([sent.pfs, sent.devices], [true, 2])
    conversation.push(text)
    await new Promise((r) => setTimeout(r, 1050))
  }
  await bob2.call('send', a.publicKey, 'phone reply while laptop is off')
  conversation.push('phone reply while laptop is off')
  await alice.until(
    () => alice.texts().includes('phone reply while laptop is off'),
    'the phone reply',
  )
  await bob2.until(
    () => missed.every((t) => bob2.texts(fromAlice(a)).includes(t)),
    'the messages Bob missed',
  )

  // 7. Restart Bob's first device on its database; sync from the store node.
  bob = client('bob-restarted', bobData, addr, 'open')
  const again = await bob.ready
  assert.equal(again.installationId, b.installationId)
  const synced = await bob.call<{ fetched: number; delivered: number; failed: number }>('sync')
  assert.ok(synced.delivered >= missed.length + 1, JSON.stringify(synced))
  assert.equal(synced.failed, 0)
  // Every missed message exactly once, in send order, decrypted with PFS.
  const fromA = bob.events.filter((e) => e.event === 'message' && fromAlice(a)(e.data))
  assert.deepEqual(
    fromA.map((e) => e.data['text']),
    missed,
  )
  assert.ok(fromA.every((e) => e.data['pfs'] === true && e.data['installationId'] !== undefined))
  assert.deepEqual(
    bob.texts((d) => d['outgoing'] === true),
    ['phone reply while laptop is off'],
  )
  // A second sync finds nothing new.
  const twice = await bob.call<{ delivered: number }>('sync')
  assert.equal(twice.delivered, 0)
  assert.equal(bob.events.filter((e) => e.event === 'message').length, missed.length + 1)
  assert.equal(bob.events.filter((e) => e.event === 'decryptionFailed').length, 0)

  // The ratchet goes on after the restart, live.
  await alice.call('send', b.publicKey, 'welcome back')
  conversation.push('welcome back')
  await bob.event('message', (d) => d['text'] === 'welcome back' && d['pfs'] === true)

  // The whole chat on the restarted device: each message once, in order.
  const history = await bob.call<{ text: string }[]>('messages', a.publicKey)
  assert.deepEqual(
    history.map((m) => m.text),
    conversation,
  )

  // Everything went through the node: no client is connected to another.
  for (const c of [alice, bob, bob2]) {
    const { peers } = await c.call<{ peers: string[] }>('peers')
    assert.deepEqual(peers, [nodeInfo.peerId], c.label)
  }
  for (const c of [alice, bob, bob2]) {
    assert.equal(c.events.filter((e) => e.event === 'decryptionFailed').length, 0, c.label)
  }

  const fallbacks = clients.flatMap((c) => c.fallbacks.map((w) => `${c.label}: ${w}`))
  t.diagnostic(
    `waits that needed a store sync: ${fallbacks.length > 0 ? fallbacks.join(', ') : 'none'}`,
  )
  assert.deepEqual(await Promise.all([alice.quit(), bob.quit(), bob2.quit()]), [0, 0, 0])
  node.kill('SIGINT')
  assert.equal(await exited(node), 0)
})
