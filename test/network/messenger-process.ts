/**
 * A status-pfs client in its own process, for multiprocess.test.ts: a `Messenger` on a
 * `SqliteStore` (`DIR/account.db`) and a `Libp2pNetwork` that connects to one node only (`--peer`,
 * also its store node). Driven by JSON lines on stdin, `{"id":1,"cmd":"send","args":[…]}`; it
 * answers `{"id":1,"ok":true,"result":…}` (or `"ok":false,"code":…`) and reports every messenger
 * event as `{"event":"message","data":{…}}`. Started with
 * `--data DIR --peer MULTIADDR --mode create|recover|open [--phrase WORDS]` (without `--phrase`,
 * `recover` reads it as the first line on stdin); prints
 * `{"ready":{…}}` once meshed with the node and the account is open.
 */
import { once } from 'node:events'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { PfsError } from '../../src/errors.ts'
import { Messenger } from '../../src/messenger/index.ts'
import type { MessengerEvents } from '../../src/messenger/index.ts'
import { SqliteStore } from '../../src/store/index.ts'
import { Libp2pNetwork } from '../../src/transport/index.ts'

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    peer: { type: 'string' },
    mode: { type: 'string' },
    phrase: { type: 'string' },
    name: { type: 'string' },
  },
})
const { data, peer, mode } = values
if (data === undefined || peer === undefined || mode === undefined) {
  throw new Error('usage: --data DIR --peer MULTIADDR --mode create|recover|open [--phrase W]')
}

function emit(line: unknown): void {
  process.stdout.write(
    `${JSON.stringify(line, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`,
  )
}

const net = await Libp2pNetwork.create({
  listen: ['/ip4/127.0.0.1/tcp/0'],
  bootstrap: [peer],
  storePeers: [peer],
  heartbeatIntervalMs: 200,
  reconnect: { initialMs: 100, maxMs: 1000 },
})
// Connection changes go to stderr, which the test shows when something fails.
const t0 = Date.now()
for (const type of ['peer:connect', 'peer:disconnect', 'connection:close'] as const) {
  net.libp2p.addEventListener(type, (e) => {
    const detail: unknown = e.detail
    const who =
      typeof detail === 'object' && detail !== null && 'remotePeer' in detail
        ? String(detail.remotePeer)
        : String(detail)
    process.stderr.write(`${String(Date.now() - t0)} ms ${type} ${who}\n`)
  })
}
await net.waitForPeers(1, { timeoutMs: 20_000 })
const rl = createInterface({ input: process.stdin })
// `--mode recover` without `--phrase`: the phrase is the first line on stdin (so that the process
// can start, and join the relay, before the phrase exists).
const phrase =
  mode === 'recover' && values.phrase === undefined
    ? ((await once(rl, 'line'))[0] as string)
    : values.phrase
const store = SqliteStore.open(join(data, 'account.db'))
const opts = {
  network: net,
  store,
  storeNodes: [peer],
  deviceName: values.name ?? 'device',
}
const m =
  mode === 'create'
    ? await Messenger.create(opts)
    : mode === 'recover'
      ? await Messenger.recover({ ...opts, phrase: phrase ?? '' })
      : await Messenger.open(opts)

const EVENTS: (keyof MessengerEvents)[] = [
  'message',
  'contactRequest',
  'contactAccepted',
  'deviceAdded',
  'decryptionFailed',
  'partitionedDevice',
  'error',
]
for (const name of EVENTS) {
  m.on(name, (e) => {
    emit({ event: name, data: e })
  })
}

/** Gossipsub's score of a peer (diagnostics when a test fails). */
function gossipScore(peer: string): number | undefined {
  const pubsub = (net.libp2p.services as { pubsub?: { score?: { score(id: string): number } } })
    .pubsub
  return pubsub?.score?.score(peer)
}

type Handler = (...args: string[]) => unknown
const commands: Record<string, Handler> = {
  addContact: (code, text) => m.addContact(code, text),
  accept: (key) => m.acceptContact(key),
  send: (to, text) => m.send(to, text),
  enableDevice: (id) => m.enableDevice(id),
  devices: () => m.devices(),
  peerDevices: (key) => m.peerDevices(key),
  contacts: () => m.contacts(),
  messages: (key) => m.messages(key),
  sync: () => m.sync(),
  stats: () => m.stats(),
  peers: () => ({
    self: net.peerId,
    peers: net.peers(),
    mesh: net.meshPeers(),
    topic: net.topicPeers(),
    scores: net.peers().map((p) => gossipScore(p)),
  }),
  netStats: () => net.stats(),
}

emit({
  ready: {
    publicKey: m.publicKey,
    installationId: m.installationId,
    phrase: m.phrase,
    contactCode: m.contactCode(),
    peerId: net.peerId,
  },
})

// Commands run one at a time, in the order given.
let queue = Promise.resolve()
rl.on('line', (line) => {
  const req = JSON.parse(line) as { id: number; cmd: string; args?: string[] }
  queue = queue.then(async () => {
    const fn = commands[req.cmd]
    try {
      if (fn === undefined) throw new Error(`unknown command ${req.cmd}`)
      emit({ id: req.id, ok: true, result: (await fn(...(req.args ?? []))) ?? null })
    } catch (e) {
      emit({
        id: req.id,
        ok: false,
        code: e instanceof PfsError ? e.code : 'ERROR',
        message: e instanceof Error ? e.message : String(e),
        cause: e instanceof Error && e.cause instanceof Error ? e.cause.message : undefined,
      })
    }
  })
})
rl.on('close', () => {
  void queue.then(async () => {
    await m.close()
    await net.close()
    store.close()
    process.exit(0)
  })
})
