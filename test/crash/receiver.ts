/**
 * The child process of the messenger crash test: a `Messenger` on a `SqliteStore` file that
 * receives through `sync()` from the shared store-node archive (`shared-network.ts`). The parent
 * kills it with SIGKILL at random points and starts it again.
 *
 *     receiver.ts <dir> init     create the account; print {"publicKey", "contactCode"}
 *     receiver.ts <dir> run      open it, sync in a loop; print one line per event
 *     receiver.ts <dir> final    open it, sync until quiet, print the chat as JSON, reply, exit
 *
 * Lines on stdout: `ready`, `synced <n> <duplicates>` after the first sync (n = messages from
 * the parent in the history), `msg <text>` per message event, `fail <code>` per decryption
 * failure, `error <code>` per error event.
 *
 * @module
 */
import { join } from 'node:path'
import { Messenger } from '../../src/messenger/index.ts'
import type { MessengerOptions } from '../../src/messenger/index.ts'
import { SqliteStore } from '../../src/store/index.ts'
import { sharedNetwork } from './shared-network.ts'

const [dir, mode] = process.argv.slice(2)
if (dir === undefined || (mode !== 'init' && mode !== 'run' && mode !== 'final')) {
  process.stderr.write('usage: receiver.ts <dir> init|run|final\n')
  process.exit(2)
}

/** The parent's stream messages (`c0`, `c1`, …), not its contact request. */
const STREAM = /^c\d+$/

function line(text: string): void {
  process.stdout.write(`${text}\n`)
}

const store = SqliteStore.open(join(dir, 'receiver.sqlite'))
const network = sharedNetwork(join(dir, 'envelopes.sqlite'))
const opts: MessengerOptions = { network, store, deviceName: 'receiver', storeNodes: ['archive'] }

if (mode === 'init') {
  const m = await Messenger.create(opts)
  line(JSON.stringify({ publicKey: m.publicKey, contactCode: m.contactCode() }))
  await m.close()
  store.close()
  network.close()
  process.exit(0)
}

const m = await Messenger.open(opts)
m.on('message', (e) => {
  if (!e.outgoing && STREAM.test(e.text)) line(`msg ${e.text}`)
})
m.on('decryptionFailed', (e) => {
  line(`fail ${e.code}`)
})
m.on('error', (e) => {
  line(`error ${e.code}`)
})
m.on('contactRequest', (e) => {
  void e.accept().catch((err: unknown) => {
    line(`error accept ${String(err)}`)
  })
})

/** Messages from `peer` in the history, and how many texts appear more than once. */
function history(peer: string): { texts: string[]; duplicates: number } {
  const texts = m
    .messages(peer)
    .filter((x) => !x.outgoing && STREAM.test(x.text))
    .map((x) => x.text)
  return { texts, duplicates: texts.length - new Set(texts).size }
}

function parent(): string | undefined {
  return m.contacts()[0]?.publicKey
}

line('ready')
if (mode === 'run') {
  let first = true
  for (;;) {
    await m.sync()
    if (first) {
      first = false
      const peer = parent()
      const h = peer === undefined ? { texts: [], duplicates: 0 } : history(peer)
      line(`synced ${String(h.texts.length)} ${String(h.duplicates)}`)
    }
    await new Promise((r) => setTimeout(r, 5))
  }
}

// final
let quiet = 0
while (quiet < 2) {
  const r = await m.sync()
  quiet = r.delivered === 0 && r.failed === 0 ? quiet + 1 : 0
}
const peer = parent()
if (peer === undefined) {
  line('error no-contact')
  process.exit(1)
}
line(`history ${JSON.stringify(history(peer).texts)}`)
await m.send(peer, 'reply after all the kills')
line('done')
await m.close()
store.close()
network.close()
process.exit(0)
