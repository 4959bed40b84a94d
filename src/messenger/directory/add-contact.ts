/**
 * Adding a contact by chat key or name through a directory (whitepaper §1.5.2): when the
 * directory has the person's verified bundle, the contact request goes out as from a contact code,
 * i.e. with X3DH and PFS on the first message; otherwise as from a bare key (DH fallback).
 *
 * @module
 */
import type { Messenger } from '../messenger.ts'
import type { SendResult } from '../types.ts'
import type { BundleDirectory, ResolvedBundle } from './types.ts'

/**
 * Resolves `chatKeyOrName` in the directories, in order, and sends the contact request.
 * @throws {PfsError} as `Messenger.addContact`; `INVALID_CONTACT_CODE` for a name no directory
 *   knows
 */
export async function addContactVia(
  messenger: Pick<Messenger, 'addContact'>,
  directories: readonly BundleDirectory[],
  chatKeyOrName: string,
  intro?: string,
): Promise<SendResult & { resolved: ResolvedBundle | undefined }> {
  let resolved: ResolvedBundle | undefined
  for (const d of directories) {
    try {
      resolved = await d.resolve(chatKeyOrName)
    } catch {
      // An unreachable or lying directory is skipped; the next one may know better.
      resolved = undefined
    }
    if (resolved !== undefined) break
  }
  const result = await messenger.addContact(resolved?.contactCode ?? chatKeyOrName, intro)
  return { ...result, resolved }
}
