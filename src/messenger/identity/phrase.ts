/**
 * The recovery phrase (identity README §1, "Word list" and step 1): 12 English BIP-39 words for a
 * new account, and the checks a phrase must pass before a key is derived from it.
 *
 * status-go derives keys from any string, checksum or not, and hashes it exactly as typed, so a
 * double space silently gives another identity (vectors `test_x12_bad_checksum`,
 * `abandon_about_extra_spaces`). We normalise the spacing the way most status-go entry points do
 * (`strings.Join(strings.Fields(m), " ")`) and refuse phrases that fail BIP-39 validation: a typo
 * must not quietly create a stranger's account.
 *
 * Error messages never quote the phrase (it is the account's secret), and are worded so that they
 * contain no BIP-39 word at all: positions and counts only.
 *
 * @module
 */
import { entropyToMnemonic, mnemonicToSeedSync, validateMnemonic } from '@scure/bip39'
import { wordlist } from '@scure/bip39/wordlists/english.js'
import { defaultProvider, wipe } from '../../crypto/index.ts'
import type { CryptoProvider } from '../../crypto/index.ts'
import { PfsError } from '../../errors.ts'

/** The lengths `Mnemonic.ValidateMnemonic` accepts (128 to 256 bits of entropy). */
export const PHRASE_WORD_COUNTS: readonly number[] = Object.freeze([12, 15, 18, 21, 24])

const WORDS: ReadonlySet<string> = new Set(wordlist)

/** The English BIP-39 list status-go uses (`extkeys.NewMnemonic`), 2048 words. */
export const BIP39_ENGLISH: readonly string[] = wordlist

/** A new 12-word phrase (128 bits of entropy from `crypto`), words joined by single spaces. */
export function generatePhrase(crypto: CryptoProvider = defaultProvider()): string {
  const entropy = crypto.randomBytes(16)
  try {
    return entropyToMnemonic(entropy, wordlist)
  } finally {
    wipe(entropy)
  }
}

/**
 * NFKD (what BIP-39 hashes anyway), then any run of whitespace becomes one space and the ends are
 * trimmed. Case is kept: status-go does not lower-case, and an upper-case word fails validation
 * rather than silently meaning the lower-case one.
 */
export function normalizePhrase(phrase: string): string {
  if (typeof phrase !== 'string') {
    throw new PfsError('INVALID_ARGUMENT', 'mnemonic: expected a string', { reason: 'type' })
  }
  return phrase
    .normalize('NFKD')
    .split(/\s+/u)
    .filter((w) => w !== '')
    .join(' ')
}

/**
 * Checks `phrase` as `Mnemonic.ValidateMnemonic` does (12/15/18/21/24 words from the English list,
 * standard checksum) and returns it normalised. Throws `INVALID_ARGUMENT` with `details.reason`
 * `count`, `unknown` (with the 1-based positions) or `checksum`.
 */
export function validatePhrase(phrase: string): string {
  const normalized = normalizePhrase(phrase)
  const words = normalized === '' ? [] : normalized.split(' ')
  if (!PHRASE_WORD_COUNTS.includes(words.length)) {
    throw new PfsError(
      'INVALID_ARGUMENT',
      `mnemonic has ${words.length} terms; BIP-39 requires 12, 15, 18, 21 or 24`,
      { reason: 'count', wordCount: words.length },
    )
  }
  const unknown = words.flatMap((w, i) => (WORDS.has(w) ? [] : [i + 1]))
  if (unknown.length > 0) {
    throw new PfsError(
      'INVALID_ARGUMENT',
      `not in the BIP-39 English wordlist: terms ${unknown.map((p) => `#${p}`).join(', ')} of the mnemonic (lowercase expected)`,
      { reason: 'unknown', positions: unknown.join(','), wordCount: words.length },
    )
  }
  if (!validateMnemonic(normalized, wordlist)) {
    throw new PfsError(
      'INVALID_ARGUMENT',
      'mnemonic checksum is invalid (mistyped or swapped terms?)',
      {
        reason: 'checksum',
        wordCount: words.length,
      },
    )
  }
  return normalized
}

/** True when `validatePhrase` would accept `phrase`. */
export function isValidPhrase(phrase: string): boolean {
  try {
    validatePhrase(phrase)
    return true
  } catch {
    return false
  }
}

/**
 * The 64-byte BIP-39 seed of a validated, normalised phrase, with the empty passphrase every
 * status-go profile path uses (never `"status"`). The caller wipes it.
 */
export function seedFromPhrase(phrase: string): Uint8Array {
  return mnemonicToSeedSync(validatePhrase(phrase), '')
}
