/**
 * Adding a contact by chat key or name through a directory (whitepaper §1.5.2): when the
 * directory has the person's verified bundle, the contact request goes out as from a contact code,
 * i.e. with X3DH and PFS on the first message; otherwise as from a bare key (DH fallback).
 *
 * When the directory also handed us one of their one-time prekeys (already checked against their
 * identity, `resolvedFrom`), the first message runs X3DH with it (our extension,
 * protocol/one-time-prekeys.ts). The key is signed for the identity, not for one device, and only
 * the device that created it holds its private half; so it is used only when the bundle lists a
 * single installation (the publisher). With several, it is left unused rather than sent to a
 * device that could not decrypt.
 *
 * @module
 */
import { fromHex } from '../../crypto/index.ts'
import { isPfsError } from '../../errors.ts'
import type { Messenger } from '../messenger.ts'
import type { SendResult } from '../types.ts'
import type { BundleDirectory, ResolvedBundle } from './types.ts'

/** What `addContactVia` needs of a `Messenger`. */
export type AddContactTarget = Pick<Messenger, 'addContact'> &
  Partial<Pick<Messenger, 'importBundle'>>

/**
 * Resolves `chatKeyOrName` in the directories, in order, and sends the contact request (with the
 * resolved one-time prekey, when there is one, the bundle names one installation and `messenger`
 * has `importBundle`).
 * @throws {PfsError} as `Messenger.addContact`; `INVALID_CONTACT_CODE` for a name no directory
 *   knows
 */
export async function addContactVia(
  messenger: AddContactTarget,
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
  const otpk = resolved?.oneTimePreKey
  if (
    resolved !== undefined &&
    otpk !== undefined &&
    messenger.importBundle !== undefined &&
    Object.keys(resolved.bundle.signedPreKeys).length === 1
  ) {
    try {
      messenger.importBundle(resolved.bundle, { oneTimePreKey: fromHex(otpk.key) })
    } catch (e) {
      // The key is an optional extra: without it the request still runs X3DH on the bundle.
      if (!isPfsError(e)) throw e
    }
  }
  const result = await messenger.addContact(resolved?.contactCode ?? chatKeyOrName, intro)
  return { ...result, resolved }
}
