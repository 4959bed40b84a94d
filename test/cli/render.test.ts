/**
 * The CLI's terminal rendering, in process: colour policy (TTY, NO_COLOR, FORCE_COLOR), the
 * identicon ring from a colour hash, the QR code, the progress bar and table, and the one-line
 * error description (codes shown, no stack, no multi-line messages).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { PfsError } from '../../src/errors.ts'
import { describeError, exitCodeOf } from '../../src/cli/errors.ts'
import { CliError } from '../../src/cli/errors.ts'
import { terminalIdenticon } from '../../src/cli/identicon.ts'
import { terminalQr } from '../../src/cli/qr.ts'
import { bar, Transcript } from '../../src/cli/demo/transcript.ts'
import { colourWanted, makeStyle } from '../../src/cli/style.ts'
import { colorHash } from '../../src/messenger/identity/index.ts'

const KEY =
  '0x04' +
  '79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798' +
  '483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8'

describe('cli rendering', () => {
  it('colours only on a TTY, never with NO_COLOR, always with FORCE_COLOR', () => {
    assert.equal(colourWanted(true, {}), true)
    assert.equal(colourWanted(false, {}), false)
    assert.equal(colourWanted(true, { NO_COLOR: '1' }), false)
    assert.equal(colourWanted(false, { FORCE_COLOR: '1' }), true)
    assert.equal(makeStyle(false).red('x'), 'x')
    assert.equal(makeStyle(true).red('x'), '\u001b[31mx\u001b[39m')
  })

  it('the identicon ring shows every colour of the hash, symmetric in size', () => {
    const hash = colorHash(KEY)
    const plain = terminalIdenticon(hash, makeStyle(false), 11)
    const rows = plain.split('\n')
    assert.equal(rows.length, 11)
    const digits = '0123456789abcdefghijklmnopqrstuv'
    for (const [, colour] of hash) assert.ok(plain.includes(digits[colour]!), `colour ${colour}`)
    assert.equal(rows[5]!.slice(8, 14).trim(), '', 'the centre is empty')
    const coloured = terminalIdenticon(hash, makeStyle(true), 11)
    assert.ok(coloured.includes('\u001b[48;2;'))
    assert.equal(terminalIdenticon(hash, makeStyle(false), 11), plain, 'deterministic')
  })

  it('QR codes are square blocks of half-block characters', () => {
    const qr = terminalQr('pfs1:' + 'A'.repeat(300)).split('\n')
    assert.ok(qr.length > 20)
    assert.ok(qr.every((l) => /^[█▀▄ ]+$/.test(l)))
    assert.notDeepEqual(terminalQr('pfs1:a'), terminalQr('pfs1:b'))
  })

  it('progress bars and tables', () => {
    assert.equal(bar(0, 10, 10), '[░░░░░░░░░░]')
    assert.equal(bar(5, 10, 10), '[█████░░░░░]')
    assert.equal(bar(20, 10, 10), '[██████████]')
    const t = new Transcript(makeStyle(true), undefined)
    t.table(
      ['a', 'bb'],
      [
        ['x', '1'],
        ['yyyy', '22'],
      ],
    )
    assert.deepEqual(t.lines, ['   a     bb', '   ────  ──', '   x      1', '   yyyy  22'])
    assert.equal(t.ok, false, 'no checks: not ok')
    t.check('one', true)
    assert.equal(t.ok, true)
    t.check('two', false, 'why')
    assert.equal(t.ok, false)
    assert.equal(t.lines.at(-1), '   ✗ two (why)')
  })

  it('errors become one line with their code', () => {
    const cause = new Error('deep\nmultiline')
    const e = new PfsError('STORE_CORRUPT', 'unreadable\nsecond line', {}, { cause })
    const d = describeError(e)
    assert.equal(d.code, 'STORE_CORRUPT')
    assert.ok(!d.message.includes('\n'))
    assert.equal(exitCodeOf(e), 1)
    assert.equal(exitCodeOf(new CliError('X', 'usage')), 2)
    assert.equal(describeError(new TypeError('boom\n at x')).message, 'boom')
    assert.equal(describeError('weird').code, 'INTERNAL')
  })
})
