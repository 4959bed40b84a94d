/**
 * Recovery phrases (identity README §1, "Word list" and step 1): generation, normalisation, and
 * validation errors that are typed, clear, and never quote a word of the phrase.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { entropyToMnemonic } from '@scure/bip39'
import { isPfsError } from '../../src/errors.ts'
import type { PfsError } from '../../src/errors.ts'
import {
  BIP39_ENGLISH,
  PHRASE_WORD_COUNTS,
  chatKeyFromPhrase,
  generatePhrase,
  isValidPhrase,
  normalizePhrase,
  validatePhrase,
} from '../../src/messenger/identity/index.ts'

const DATA = new URL('../../../shared/identity/data/', import.meta.url)
const WORDS = new Set(BIP39_ENGLISH)
const ABOUT = `${'abandon '.repeat(11)}about`

/** The lower-case alphabetic tokens of `text` that are BIP-39 words. */
function bip39WordsIn(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter((w) => WORDS.has(w))
}

function refused(phrase: string, reason: string): PfsError {
  let caught: unknown
  assert.throws(
    () => validatePhrase(phrase),
    (e) => ((caught = e), true),
  )
  assert.ok(isPfsError(caught, 'INVALID_ARGUMENT'), String(caught))
  assert.equal(caught.details['reason'], reason)
  assert.deepEqual(bip39WordsIn(caught.message), [], caught.message)
  assert.equal(isValidPhrase(phrase), false)
  assert.throws(
    () => chatKeyFromPhrase(phrase),
    (e) => isPfsError(e, 'INVALID_ARGUMENT'),
  )
  return caught
}

test("the BIP-39 list is status-go's (data/bip39_english.txt)", () => {
  const file = readFileSync(new URL('bip39_english.txt', DATA), 'utf8').trimEnd().split('\n')
  assert.equal(file.length, 2048)
  assert.deepEqual([...BIP39_ENGLISH], file)
})

test('generatePhrase: 12 valid English words, single spaces, fresh each time', () => {
  const seen = new Set<string>()
  for (let i = 0; i < 20; i++) {
    const p = generatePhrase()
    assert.match(p, /^[a-z]+( [a-z]+){11}$/)
    assert.equal(validatePhrase(p), p)
    seen.add(p)
  }
  assert.equal(seen.size, 20)
  const k = chatKeyFromPhrase(generatePhrase())
  assert.equal(k.publicKey.length, 65)
  assert.equal(k.publicKey[0], 4)
})

test('normalizePhrase joins the words with single spaces, keeps case', () => {
  assert.equal(normalizePhrase(`\t ${ABOUT.replaceAll(' ', ' \n ')}  `), ABOUT)
  assert.equal(normalizePhrase('Abandon  ABOUT'), 'Abandon ABOUT')
  assert.equal(normalizePhrase(''), '')
  assert.equal(validatePhrase(` ${ABOUT.replaceAll(' ', '\u00a0 ')} `), ABOUT)
})

test('validatePhrase accepts every allowed length', () => {
  for (const n of PHRASE_WORD_COUNTS) {
    const p = entropyToMnemonic(new Uint8Array((n / 3) * 4).fill(0x5a), BIP39_ENGLISH as string[])
    assert.equal(p.split(' ').length, n)
    assert.equal(validatePhrase(p), p)
  }
})

test('validatePhrase: wrong word count', () => {
  for (const p of [
    '',
    '   ',
    'abandon',
    `${ABOUT} abandon`,
    `abandon ${ABOUT}`,
    'zoo '.repeat(25),
  ]) {
    const e = refused(p, 'count')
    assert.equal(
      e.details['wordCount'],
      normalizePhrase(p) === '' ? 0 : normalizePhrase(p).split(' ').length,
    )
  }
})

test('validatePhrase: words not in the list, reported by position only', () => {
  const e = refused(ABOUT.replace('about', 'aboutt'), 'unknown')
  assert.equal(e.details['positions'], '12')
  assert.match(e.message, /#12\b/)
  const upper = refused(ABOUT.toUpperCase(), 'unknown')
  assert.equal(upper.details['positions'], '1,2,3,4,5,6,7,8,9,10,11,12')
  refused(`secretword ${ABOUT.split(' ').slice(1).join(' ')}`, 'unknown')
})

test('validatePhrase: checksum failure', () => {
  refused(`${'abandon '.repeat(11)}abandon`, 'checksum')
  refused(`${'abandon '.repeat(11)}zoo`, 'checksum')
  refused('test test test test test test test test test test test test', 'checksum')
})

test('validatePhrase: non-string input is INVALID_ARGUMENT', () => {
  assert.throws(
    () => validatePhrase(42 as unknown as string),
    (e) => isPfsError(e, 'INVALID_ARGUMENT'),
  )
})

test('property: any sequence of list words is accepted or refused without quoting a word', () => {
  const word = fc.constantFrom(...BIP39_ENGLISH)
  fc.assert(
    fc.property(
      fc.array(word, { minLength: 0, maxLength: 26 }),
      fc.constantFrom(' ', '  ', '\n'),
      (words, sep) => {
        const phrase = words.join(sep)
        try {
          assert.equal(validatePhrase(phrase), words.join(' '))
        } catch (e) {
          assert.ok(isPfsError(e, 'INVALID_ARGUMENT'))
          assert.deepEqual(bip39WordsIn(e.message), [])
        }
      },
    ),
    { numRuns: 300 },
  )
})

test('property: phrases from random entropy always validate and round-trip', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(16, 20, 24, 28, 32),
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      (len, bytes) => {
        const p = entropyToMnemonic(bytes.subarray(0, len), BIP39_ENGLISH as string[])
        return validatePhrase(p) === p
      },
    ),
    { numRuns: 200 },
  )
})
