/**
 * Issue 10 "downgrade from PFS to the DH path on an established contact flagged to the user, not
 * silent": a DH-header message from a contact we hold a Double Ratchet session with raises
 * `downgrade`; the first DH message of a stranger does not.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Messenger } from '../../src/messenger/index.ts'
import { pair, recorder, world } from './helpers.ts'

test('a DH message from an established PFS contact raises downgrade', async () => {
  const w = world({ seed: 7 })
  const { alice, bob } = await pair(w)
  const seen = recorder(bob)
  await alice.send(bob.publicKey, 'with pfs')
  await w.settle()
  assert.equal(seen.events.message.at(-1)?.pfs, true)
  assert.equal(seen.events.downgrade.length, 0)

  // A device of Alice's that knows no bundle of Bob's writes on the DH path.
  const other = await Messenger.recover({ ...w.opts('alice-2'), phrase: alice.phrase! })
  await other.addContact(bob.publicKey, 'from my other device', { lookup: false })
  await w.settle()
  assert.equal(seen.events.downgrade.length, 1)
  assert.equal(seen.events.downgrade[0]!.from, alice.publicKey)
  assert.equal(seen.events.downgrade[0]!.installationId, other.installationId)

  // Control: a stranger's first message is DH too, and is no downgrade.
  const carol = await Messenger.create(w.opts('carol'))
  await carol.addContact(bob.publicKey, 'hi', { lookup: false })
  await w.settle()
  assert.equal(seen.events.downgrade.length, 1)
  assert.ok(seen.events.contactRequest.some((r) => r.publicKey === carol.publicKey && !r.pfs))
  for (const m of [alice, bob, other, carol]) await m.close()
})
