/**
 * The `status-pfs` commands as child processes on temporary `--data` directories (issue 7, "Done
 * when"): account new / show / recover, bundle --qr, contact add with a malformed and a valid
 * code, and bad input at every command: one line, a non-zero exit, no stack trace, nothing stored
 * changed.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import Database from 'better-sqlite3'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { before, describe, it } from 'node:test'
import { run } from '../../src/cli/main.ts'
import { assertOneLineFailure, cli, snapshot, tempDir } from './helpers.ts'

interface AccountJson {
  phrase: string
  publicKey: string
  compressedKey: string
  name: string
  emojiHash: string
  installationId: string
  shareUrl: string
}

const CHAT_KEY = /^0x04[0-9a-f]{128}$/
const G =
  '0x0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798' +
  '483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8'

describe('status-pfs account', () => {
  const alice = tempDir('alice')
  let account: AccountJson

  before(() => {
    const r = cli(['account', 'new', '--json', '--data', alice])
    assert.equal(r.status, 0, r.stderr)
    account = JSON.parse(r.stdout) as AccountJson
  })

  it('new --json gives phrase, chat key, zQ3 key, three-word name and emoji hash', () => {
    assert.equal(account.phrase.split(' ').length, 12)
    assert.match(account.publicKey, CHAT_KEY)
    assert.match(account.compressedKey, /^zQ3sh/)
    assert.equal(account.name.split(' ').length, 3)
    assert.equal([...new Intl.Segmenter().segment(account.emojiHash)].length, 14)
    assert.match(account.installationId, /^[0-9a-f-]{36}$/)
    assert.ok(existsSync(join(alice, 'account.db')))
  })

  it('new prints the same facts for a person', () => {
    const dir = tempDir('person')
    const r = cli(['account', 'new', '--data', dir])
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout, /Recovery phrase\s+(\w+ ){11}\w+/)
    assert.match(r.stdout, /Chat key\s+0x04[0-9a-f]{128}/)
    assert.match(r.stdout, /Name\s+\w+ \w+ \w+/)
    assert.match(r.stdout, /Emoji hash\s+\S+/)
    assert.ok(!r.stdout.includes('\u001b['), 'no colours when not on a TTY')
  })

  it('show prints the identicon, name and chat key; --json parses', () => {
    const r = cli(['account', 'show', '--data', alice])
    assert.equal(r.status, 0, r.stderr)
    assert.ok(r.stdout.includes(account.name))
    assert.ok(r.stdout.includes(account.publicKey))
    assert.ok(r.stdout.includes(account.emojiHash))
    assert.ok(!r.stdout.includes(account.phrase.split(' ').slice(0, 3).join(' ')), 'no phrase')
    // The ring: at least a few rows of colour-index characters.
    assert.ok(r.stdout.split('\n').filter((l) => /^\s*[0-9a-v]{2}/.test(l)).length >= 5)
    const j = JSON.parse(cli(['account', 'show', '--json', '--data', alice]).stdout)
    assert.equal(j.publicKey, account.publicKey)
    assert.equal(j.installationId, account.installationId)
  })

  it('recover on a second directory: same chat key, new installation', () => {
    const phone = tempDir('phone')
    const r = cli(['account', 'recover', '--json', '--phrase', account.phrase, '--data', phone])
    assert.equal(r.status, 0, r.stderr)
    const j = JSON.parse(r.stdout) as AccountJson
    assert.equal(j.publicKey, account.publicKey)
    assert.equal(j.name, account.name)
    assert.notEqual(j.installationId, account.installationId)
  })

  it('recover reads the phrase from stdin', () => {
    const tablet = tempDir('tablet')
    const r = cli(['account', 'recover', '--json', '--data', tablet], `${account.phrase}\n`)
    assert.equal(r.status, 0, r.stderr)
    assert.equal((JSON.parse(r.stdout) as AccountJson).publicKey, account.publicKey)
  })

  it('bundle --qr prints the contact code and its QR code', () => {
    const r = cli(['bundle', '--qr', '--data', alice])
    assert.equal(r.status, 0, r.stderr)
    const code = r.stdout.split('\n').find((l) => l.startsWith('pfs1:'))
    assert.ok(code !== undefined, 'a pfs1: contact code line')
    assert.ok(r.stdout.split('\n').filter((l) => l.includes('█')).length > 20, 'a QR code')
  })

  it('contact add: malformed code → one line, non-zero, database unchanged', () => {
    const before = snapshot(alice)
    for (const bad of ['pfs1:not-base64!!', '0x04abcd']) {
      const r = cli(['contact', 'add', bad, '--data', alice])
      assertOneLineFailure(r, 'INVALID_CONTACT_CODE')
    }
    assert.deepEqual(snapshot(alice), before)
  })

  it('contact add with a valid code sends a PFS request; contact list shows it', () => {
    const bob = tempDir('bob')
    const b = JSON.parse(cli(['account', 'new', '--json', '--data', bob]).stdout) as AccountJson
    const code = (
      JSON.parse(cli(['bundle', '--json', '--data', bob]).stdout) as {
        contactCode: string
      }
    ).contactCode
    const r = cli(['contact', 'add', code, '--message', 'hi Bob', '--json', '--data', alice])
    assert.equal(r.status, 0, r.stderr)
    const sent = JSON.parse(r.stdout) as { pfs: boolean; publicKey: string }
    assert.equal(sent.publicKey, b.publicKey)
    assert.equal(sent.pfs, true, 'a contact code carries the bundle: PFS from the start')
    const list = cli(['contact', 'list', '--data', alice])
    assert.equal(list.status, 0, list.stderr)
    assert.ok(list.stdout.includes(b.name))
    // By chat key only: no bundle, so no PFS yet.
    const carol = tempDir('carol')
    const c = JSON.parse(cli(['account', 'new', '--json', '--data', carol]).stdout) as AccountJson
    const byKey = cli(['contact', 'add', c.publicKey, '--json', '--data', alice])
    assert.equal(byKey.status, 0, byKey.stderr)
    assert.equal((JSON.parse(byKey.stdout) as { pfs: boolean }).pfs, false)
  })

  describe('bad input: one line, non-zero exit, no stack trace, nothing changed', () => {
    it('send to an unknown contact', () => {
      const before = snapshot(alice)
      assertOneLineFailure(
        cli(['send', 'Nobody Here Atall', 'hi', '--data', alice]),
        'UNKNOWN_CONTACT',
      )
      assertOneLineFailure(cli(['send', `0x04${'11'.repeat(64)}`, 'hi', '--data', alice]))
      assert.deepEqual(snapshot(alice), before)
    })

    it('a wrong recovery phrase', () => {
      const dir = join(tempDir('wrong'), 'data')
      // Not words; a word outside the list; valid words with a failing checksum; 11 words.
      const wrong = [account.phrase.replace(/\S+$/, 'zzzz'), Array(12).fill('abandon').join(' ')]
      for (const phrase of wrong) {
        assertOneLineFailure(cli(['account', 'recover', '--phrase', phrase, '--data', dir]))
      }
      assertOneLineFailure(cli(['account', 'recover', '--data', dir], ''))
      assert.ok(!existsSync(join(dir, 'account.db')), 'no database left behind')
    })

    it('a database of another account', () => {
      const other = tempDir('other')
      const o = JSON.parse(cli(['account', 'new', '--json', '--data', other]).stdout) as AccountJson
      const before = snapshot(alice)
      assertOneLineFailure(cli(['account', 'recover', '--phrase', o.phrase, '--data', alice]))
      assertOneLineFailure(cli(['account', 'new', '--data', alice]))
      assert.deepEqual(snapshot(alice), before)
      assert.equal(
        JSON.parse(cli(['account', 'show', '--json', '--data', alice]).stdout).publicKey,
        account.publicKey,
      )
    })

    it('a corrupt database file', () => {
      const dir = tempDir('corrupt')
      writeFileSync(join(dir, 'account.db'), randomBytes(8192))
      const before = snapshot(dir)
      for (const args of [
        ['account', 'show'],
        ['bundle'],
        ['contact', 'list'],
        ['devices'],
        ['send', 'x', 'y'],
      ]) {
        assertOneLineFailure(cli([...args, '--data', dir]))
      }
      assert.deepEqual(snapshot(dir), before)
    })

    it('a database locked by another process', () => {
      const before = snapshot(alice)
      const db = new Database(join(alice, 'account.db'))
      try {
        db.exec('BEGIN EXCLUSIVE')
        // A valid key (the curve's generator) that is not a contact yet: adding it must write.
        const r = cli(['contact', 'add', G, '--data', alice])
        assertOneLineFailure(r)
      } finally {
        db.exec('ROLLBACK')
        db.close()
      }
      assert.deepEqual(snapshot(alice), before)
    })

    it('no account in the directory', () => {
      const dir = tempDir('empty')
      for (const args of [
        ['account', 'show'],
        ['bundle', '--qr'],
        ['contact', 'list'],
        ['devices'],
      ]) {
        assertOneLineFailure(cli([...args, '--data', dir]), 'NO_ACCOUNT')
      }
      assert.deepEqual(snapshot(dir), {})
      const missing = join(dir, 'nope')
      assertOneLineFailure(cli(['account', 'show', '--data', missing]), 'NO_ACCOUNT')
      assert.ok(!existsSync(missing))
    })

    it('devices: unknown action or installation', () => {
      const before = snapshot(alice)
      assertOneLineFailure(cli(['devices', 'explode', 'x', '--data', alice]))
      assertOneLineFailure(cli(['devices', 'enable', 'no-such-id', '--data', alice]))
      assert.deepEqual(snapshot(alice), before)
    })

    it('usage errors: unknown command or option, missing argument, bad seed', () => {
      assertOneLineFailure(cli(['frobnicate']))
      assertOneLineFailure(cli(['account', 'show', '--bogus', '--data', alice]))
      assertOneLineFailure(cli(['demo', '--seed', 'abc']))
      assertOneLineFailure(cli(['node', '--listen', 'not-a-multiaddr', '--data', tempDir('node')]))
    })

    it('--help works on every command', async () => {
      for (const args of [
        [],
        ['account'],
        ['account', 'new'],
        ['contact', 'add'],
        ['send'],
        ['devices'],
        ['bundle'],
        ['node'],
        ['chat'],
        ['demo'],
      ]) {
        // In process (fast): the same program the binary runs, output captured.
        let text = ''
        const out = {
          line: (l = '') => (text += `${l}\n`),
          write: (t: string) => (text += t),
          isTty: false,
        }
        const status = await run([...args, '--help'], out)
        assert.equal(status, 0, args.join(' '))
        assert.match(text, /Usage: status-pfs/)
      }
    })
  })
})
