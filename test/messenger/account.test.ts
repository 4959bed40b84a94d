import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { isPfsError } from '../../src/errors.ts'
import { Messenger, chatIdentity, normalizePhrase } from '../../src/messenger/index.ts'
import { MemoryStore } from '../../src/store/index.ts'
import { world } from './helpers.ts'

interface KeyVector {
  readonly label: string
  readonly mnemonic: string
  readonly checksum_valid: boolean
  readonly chat_public_key: string
}

function code(e: unknown): string | undefined {
  return isPfsError(e) ? e.code : undefined
}

test('create: 12-word phrase, UUIDv4 installation, presentation of the chat key', async () => {
  const w = world()
  const store = new MemoryStore()
  const m = await Messenger.create(w.opts('a', store))
  assert.equal(m.phrase?.split(' ').length, 12)
  assert.match(
    m.installationId,
    /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  )
  assert.match(m.publicKey, /^0x04[0-9a-f]{128}$/)
  assert.ok(m.compressedKey.startsWith('zQ3sh'))
  assert.equal(m.shareUrl, `https://status.app/u#${m.compressedKey}`)
  const who = chatIdentity(m.publicKey)
  assert.equal(m.name, who.alias)
  assert.equal(m.emojiHash, who.emojiHash.join(''))
  assert.deepEqual(m.colorHash, who.colorHash)
  assert.ok(m.identicon().startsWith('<svg'))
  const account = store.getAccount()
  assert.ok(account !== undefined)
  assert.equal(account.installationId, m.installationId)
  assert.equal(store.listSignedPreKeys().length, 1, 'the signed prekey exists at creation')
  await m.close()
})

test('recover: same identity, new installation; open: the stored account', async () => {
  const w = world()
  const a = await Messenger.create(w.opts('a'))
  const store = new MemoryStore()
  const b = await Messenger.recover({ ...w.opts('b', store), phrase: a.phrase! })
  assert.equal(b.publicKey, a.publicKey)
  assert.notEqual(b.installationId, a.installationId)
  assert.equal(b.phrase, undefined)
  await b.close()
  const c = await Messenger.open(w.opts('b', store))
  assert.equal(c.publicKey, a.publicKey)
  assert.equal(c.installationId, b.installationId)
  await c.close()
  await a.close()
})

test('recover derives the chat key of every phrase vector (bad checksums refused)', async () => {
  const file = JSON.parse(
    readFileSync('/work/shared/identity/chat_key_derivation.json', 'utf8'),
  ) as { cases: KeyVector[] }
  const w = world()
  let valid = 0
  let refused = 0
  for (const v of file.cases) {
    const store = new MemoryStore()
    const run = Messenger.recover({
      ...w.opts(v.label, store),
      phrase: v.mnemonic,
      autoStart: false,
    })
    if (!v.checksum_valid) {
      await assert.rejects(run, (e) => code(e) === 'INVALID_PHRASE', v.label)
      assert.equal(store.getAccount(), undefined)
      refused++
      continue
    }
    const m = await run
    // status-go hashes odd spacing as typed; we normalise it (identity/phrase.ts), so such a
    // vector names another key here, checked by test/identity.
    if (normalizePhrase(v.mnemonic) !== v.mnemonic) {
      await m.close()
      continue
    }
    assert.equal(m.publicKey, `0x${v.chat_public_key}`, v.label)
    valid++
    await m.close()
  }
  assert.ok(valid > 0 && refused > 0, `${String(valid)} valid, ${String(refused)} refused`)
})

test('a bad phrase is INVALID_PHRASE and stores nothing', async () => {
  const w = world()
  const store = new MemoryStore()
  const a = await Messenger.create(w.opts('a'))
  const words = a.phrase!.split(' ')
  const swapped = [words[1], words[0], ...words.slice(2)].join(' ')
  for (const phrase of [swapped, 'abandon abandon', 'not a phrase at all', '']) {
    if (phrase === a.phrase) continue
    await assert.rejects(Messenger.recover({ ...w.opts('b', store), phrase }), (e) => {
      return code(e) === 'INVALID_PHRASE'
    })
    assert.equal(store.getAccount(), undefined)
  }
  await a.close()
})

test('open: none is NO_ACCOUNT, another account is ACCOUNT_MISMATCH, create on a used store too', async () => {
  const w = world()
  await assert.rejects(Messenger.open(w.opts('x')), (e) => code(e) === 'NO_ACCOUNT')
  const store = new MemoryStore()
  const a = await Messenger.create(w.opts('a', store))
  const b = await Messenger.create(w.opts('b'))
  await assert.rejects(
    Messenger.open({ ...w.opts('a2', store), publicKey: b.publicKey }),
    (e) => code(e) === 'ACCOUNT_MISMATCH',
  )
  await assert.rejects(Messenger.create(w.opts('a3', store)), (e) => code(e) === 'ACCOUNT_MISMATCH')
  await assert.rejects(
    Messenger.recover({ ...w.opts('a4', store), phrase: b.phrase! }),
    (e) => code(e) === 'ACCOUNT_MISMATCH',
  )
  assert.equal(store.getAccount()?.installationId, a.installationId)
  const again = await Messenger.open({ ...w.opts('a5', store), publicKey: a.compressedKey })
  assert.equal(again.publicKey, a.publicKey)
  await Promise.all([a.close(), b.close(), again.close()])
})

test('contact codes round-trip; malformed input is INVALID_CONTACT_CODE', async () => {
  const w = world()
  const a = await Messenger.create(w.opts('a'))
  const cc = a.contactCode()
  assert.ok(cc.startsWith('pfs1:'))
  const parsed = Messenger.parseContactCode(cc)
  assert.equal(parsed.publicKey, a.publicKey)
  assert.ok(parsed.bundle !== undefined)
  assert.equal(Messenger.parseContactCode(a.compressedKey).publicKey, a.publicKey)
  assert.equal(Messenger.parseContactCode(a.shareUrl).publicKey, a.publicKey)
  assert.equal(Messenger.parseContactCode(a.publicKey).publicKey, a.publicKey)
  const tampered = cc.slice(0, -4) + (cc.endsWith('AAAA') ? 'BBBB' : 'AAAA')
  for (const bad of [
    '',
    'pfs1:',
    'pfs1:!!!',
    tampered,
    '0x04abc',
    'zQ3shbad',
    'hello',
    'https://x.y/u#z',
  ]) {
    assert.throws(
      () => Messenger.parseContactCode(bad),
      (e) => code(e) === 'INVALID_CONTACT_CODE',
      bad,
    )
  }
  await a.close()
})
