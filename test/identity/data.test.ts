/**
 * The committed word, emoji and palette lists (src/messenger/identity/data) are exactly the shared
 * identity lists, in order, duplicates kept, and the generator reports them up to date.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import {
  ADJECTIVES,
  ANIMALS,
  COLOR_PALETTE,
  EMOJI_ALPHABET,
} from '../../src/messenger/identity/index.ts'

const DATA = new URL('../../../shared/identity/data/', import.meta.url)
const lines = (name: string) =>
  readFileSync(new URL(name, DATA), 'utf8').replace(/\n$/, '').split('\n')

/** How many distinct entries occur more than once. */
function repeated(list: readonly string[]): number {
  const counts = new Map<string, number>()
  for (const w of list) counts.set(w, (counts.get(w) ?? 0) + 1)
  return [...counts.values()].filter((n) => n > 1).length
}

test('alias word lists: 1389 adjectives, 1704 animals, in status-go order with duplicates', () => {
  assert.deepEqual([...ADJECTIVES], lines('alias_adjectives.txt'))
  assert.deepEqual([...ANIMALS], lines('alias_animals.txt'))
  assert.equal(ADJECTIVES.length, 1389)
  assert.equal(ANIMALS.length, 1704)
  // README: 17 adjectives and 29 animals occur more than once (two animals even three times).
  assert.equal(repeated(ADJECTIVES), 17)
  assert.equal(repeated(ANIMALS), 29)
  assert.equal(ADJECTIVES[0], 'Able')
  assert.equal(ANIMALS[0], 'Aardvark')
})

test('emoji alphabet: the first 2757 lines of status-go static/emojis.txt', () => {
  assert.deepEqual([...EMOJI_ALPHABET], lines('emojihash_alphabet.txt'))
  assert.deepEqual([...EMOJI_ALPHABET], lines('emojis_status-go_full.txt').slice(0, 2757))
  assert.equal(lines('emojis_status-go_full.txt').length, 2800)
})

test('color palette: the 32 ring colors', () => {
  assert.deepEqual([...COLOR_PALETTE], lines('colorhash_palette.txt'))
  assert.equal(COLOR_PALETTE.length, 32)
})

test('lists are frozen', () => {
  for (const list of [ADJECTIVES, ANIMALS, COLOR_PALETTE, EMOJI_ALPHABET])
    assert.ok(Object.isFrozen(list))
})

test('scripts/gen-identity-data.mjs --check: the committed files are current', () => {
  const script = fileURLToPath(new URL('../../scripts/gen-identity-data.mjs', import.meta.url))
  execFileSync(process.execPath, [script, fileURLToPath(DATA), '--check'], { stdio: 'pipe' })
})
