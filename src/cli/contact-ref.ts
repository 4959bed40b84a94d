/**
 * Naming a contact on the command line: a chat key (`0x04…`), a `zQ3…` key, a share link, or the
 * contact's three-word name (case-insensitive, or an unambiguous prefix of it).
 *
 * @module
 */
import { Messenger } from '../messenger/index.ts'
import type { ContactInfo } from '../messenger/index.ts'
import { isPfsError } from '../errors.ts'
import { CliError } from './errors.ts'

/**
 * The contact `ref` names, among `m.contacts()`.
 * @throws {CliError} UNKNOWN_CONTACT when none or several match
 */
export function findContact(m: Messenger, ref: string): ContactInfo {
  const contacts = m.contacts()
  const key = keyOf(ref)
  if (key !== undefined) {
    const hit = contacts.find((c) => c.publicKey.toLowerCase() === key.toLowerCase())
    if (hit !== undefined) return hit
    throw new CliError('UNKNOWN_CONTACT', 'no contact with that key (add it with: contact add)')
  }
  const wanted = ref.trim().toLowerCase()
  const exact = contacts.filter((c) => c.name.toLowerCase() === wanted)
  if (exact.length === 1) return exact[0]!
  const prefix = contacts.filter((c) => c.name.toLowerCase().startsWith(wanted))
  if (prefix.length === 1 && wanted !== '') return prefix[0]!
  if (prefix.length > 1) {
    throw new CliError('UNKNOWN_CONTACT', `"${ref}" matches ${prefix.length} contacts; be precise`)
  }
  throw new CliError('UNKNOWN_CONTACT', `no contact called "${ref}" (see: status-pfs contact list)`)
}

/** The `0x04…` key of a key, code or link; undefined for anything else (a name). */
function keyOf(ref: string): string | undefined {
  try {
    return Messenger.parseContactCode(ref.trim()).publicKey
  } catch (e) {
    if (isPfsError(e) || e instanceof Error) return undefined
    throw e
  }
}
