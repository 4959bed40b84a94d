/**
 * Two people chatting as new users would (issue 8, "tried as a new user would"): `status-pfs
 * node --store` in one process, two `status-pfs chat --peer …` processes driven through pipes,
 * each with its own `--data`. Both screens show the contact request, the PFS upgrade and the
 * messages. Waits are on output, with deadlines, never fixed sleeps.
 */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { Proc, cli, tempDir } from './helpers.ts'

describe('status-pfs node + two chats', () => {
  const procs: Proc[] = []
  after(() => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL')
  })

  it('contact request, PFS upgrade and messages appear on both screens', async () => {
    const node = new Proc([
      'node',
      '--listen',
      '/ip4/127.0.0.1/tcp/0',
      '--store',
      '--data',
      tempDir('node'),
    ])
    procs.push(node)
    const addr = (await node.waitFor(/^(\/ip4\/\S+\/p2p\/\S+)$/m))[1]!
    const [a, b] = [tempDir('chat-a'), tempDir('chat-b')]
    assert.equal(cli(['account', 'new', '--data', a]).status, 0)
    const bob = JSON.parse(cli(['account', 'new', '--json', '--data', b]).stdout) as {
      publicKey: string
      name: string
    }
    const alice = new Proc(['chat', '--peer', addr, '--data', a])
    const bobChat = new Proc(['chat', '--peer', addr, '--data', b])
    procs.push(alice, bobChat)
    await alice.waitFor(/type a message/)
    await bobChat.waitFor(/type a message/)

    alice.type(`/add ${bob.publicKey} hello Bob`)
    await alice.waitFor(/contact request sent \[(no-)?pfs\]/)
    await bobChat.waitFor(/contact request from .* \[(no-)?pfs\]: "hello Bob"/)
    bobChat.type('/accept')
    await alice.waitFor(/accepted — chat is now PFS/)
    bobChat.type('hi Alice')
    await alice.waitFor(/🔒 .*: hi Alice/)
    alice.type('how are you?')
    await bobChat.waitFor(/🔒 .*: how are you\?/)
    alice.type('/verify')
    await alice.waitFor(new RegExp(`them: ${bob.name}`))

    alice.type('/quit')
    bobChat.type('/quit')
    assert.equal(await alice.exited(), 0)
    assert.equal(await bobChat.exited(), 0)
    node.child.kill('SIGINT')
    assert.equal(await node.exited(), 0)
  })
})
