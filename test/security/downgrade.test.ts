/**
 * Downgrade from the Double Ratchet to the DH fallback on an established contact (issue 10
 * "Attack tests"; PROTOCOL.md §6). The DH-header path has no forward secrecy and no sender
 * authentication inside the encryption layer (the sender is the envelope signer), so a message
 * that arrives that way from a contact we have a PFS session with must not pass silently.
 *
 * What the protocol layer gives today: `DecryptResult.pfs === false` for the DH path. A caller
 * can compare that with the sessions it holds; there is no explicit "downgrade" signal (see the
 * todo test), so flagging it to the user is left to the messenger.
 *
 * An outsider cannot mount the downgrade: the envelope signature names the sender, and a DH
 * message signed by Mallory is Mallory's message, never Alice's.
 *
 * @module
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { utf8 } from '../../src/crypto/index.ts'
import { conversation, party } from './helpers.ts'

function downgraded() {
  const c = conversation()
  // Alice's second device has no bundle of Bob: it falls back to the DH header (or a client
  // that deliberately skips the session does the same, signed with Alice's identity).
  const other = party('alice', 'alice-9', c.clock)
  const sent = other.protocol.encrypt(c.bob.publicKey, utf8('downgraded'))
  return { ...c, other, sent }
}

describe('downgrade from PFS to the DH path on an established contact', () => {
  test('the PFS session exists, the sender is told pfs: false', () => {
    const { alice, bob } = conversation()
    const normal = bob.protocol.decrypt(
      alice.publicKey,
      alice.protocol.encrypt(bob.publicKey, utf8('normal')).message,
    )
    assert.equal(normal?.pfs, true)
    const { sent } = downgraded()
    assert.equal(sent.pfs, false, 'the sender learns it sent without PFS')
  })

  test('the receiver gets pfs: false for a DH message from a contact it has a session with', () => {
    const { alice, bob, sent } = downgraded()
    assert.ok(bob.store.listSessionsFor(alice.publicKey, 'alice-1').length > 0)
    const got = bob.protocol.decrypt(alice.publicKey, sent.message)
    assert.deepEqual(got?.payload, utf8('downgraded'))
    assert.equal(got?.pfs, false, 'a DH-path message must be marked as not forward secret')
  })

  test('Mallory cannot pass a DH message off as Alice’s: it is attributed to its signer', () => {
    const { alice, bob, mallory } = conversation()
    const lonely = party('mallory', 'mallory-9', { now: 1_767_225_600_000_000_000n })
    const sent = lonely.protocol.encrypt(bob.publicKey, utf8('from "alice"'))
    // The transport hands over the recovered signer: Mallory. Decrypting as if from Alice is what
    // a forged envelope would need, and the envelope signature makes that impossible; the DH
    // layer itself does not authenticate, which is why the signer must come from the envelope.
    const got = bob.protocol.decrypt(mallory.publicKey, sent.message)
    assert.equal(got?.pfs, false)
    assert.equal(
      bob.store.listInstallations(alice.publicKey).some((i) => i.installationId === 'mallory-9'),
      false,
    )
  })

  test('an explicit downgrade signal on the result', () => {
    const { alice, bob, sent, clock } = downgraded()
    const got = bob.protocol.decrypt(alice.publicKey, sent.message)
    assert.equal(got?.pfs, false)
    assert.equal(got.downgrade, true)
    // Control: the first DH message of a stranger (no session with them) is not a downgrade.
    const carol = party('carol', 'carol-1', clock)
    const first = bob.protocol.decrypt(
      carol.publicKey,
      carol.protocol.encrypt(bob.publicKey, utf8('hi')).message,
    )
    assert.equal(first?.pfs, false)
    assert.equal(first.downgrade, undefined)
  })
})
