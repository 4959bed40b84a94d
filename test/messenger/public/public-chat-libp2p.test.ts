/**
 * The public chat of public-chat.test.ts on the real network: three libp2p nodes (gossipsub with
 * the Waku relay protocol id) on 127.0.0.1, one account each.
 */
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { Messenger } from '../../../src/messenger/index.ts'
import { PublicChats } from '../../../src/messenger/public/index.ts'
import type { PublicChatMessage } from '../../../src/messenger/public/index.ts'
import { MemoryStore } from '../../../src/store/index.ts'
import type { Libp2pNetwork } from '../../../src/transport/index.ts'
import { closeAll, node, until } from '../../network/helpers.ts'

const nodes: Libp2pNetwork[] = []
after(() => closeAll(nodes))

test('a public chat between three accounts on libp2p: all see all, signed by their authors; a later 1:1 has PFS', async () => {
  const hub = await node()
  const b = await node({ bootstrap: [hub.multiaddrs[0]!] })
  const c = await node({ bootstrap: [hub.multiaddrs[0]!] })
  nodes.push(hub, b, c)
  await hub.waitForPeers(2)
  await b.waitForPeers(1)
  await c.waitForPeers(1)
  const nets = [hub, b, c]
  const names = ['alice', 'bob', 'carol']
  const stores = names.map(() => new MemoryStore())
  const ms = await Promise.all(
    names.map((n, i) => Messenger.create({ network: nets[i]!, store: stores[i]!, deviceName: n })),
  )
  const chats = names.map((_, i) => new PublicChats({ network: nets[i]!, store: stores[i]! }))
  const seen = chats.map(() => [] as PublicChatMessage[])
  chats.forEach((ch, i) => {
    ch.on('message', (m) => seen[i]!.push(m))
    ch.join('status')
  })
  // Let the subscriptions propagate before posting.
  await new Promise((r) => setTimeout(r, 300))
  for (let i = 0; i < 3; i++) await chats[i]!.send('status', `hello from ${names[i]!}`)
  await until(() => seen.every((s) => s.length === 2), 'every message everywhere', 20_000)
  for (let i = 0; i < 3; i++) {
    const all = chats[i]!.messages('status')
    assert.equal(all.length, 3)
    for (const m of all) {
      const author = names.indexOf(m.text.slice('hello from '.length))
      assert.equal(m.from, ms[author]!.publicKey)
    }
  }
  const r = await ms[2]!.addContact(ms[0]!.publicKey, 'from #status')
  assert.equal(r.pfs, true)
  for (const ch of chats) ch.close()
  for (const m of ms) await m.close()
})
