/**
 * The messenger's error codes (issue 7), members of `ErrorCode` in src/errors.ts, grouped here for
 * the messenger's callers.
 *
 * @module
 */
import { PfsError } from '../errors.ts'
import type { ErrorDetails } from '../errors.ts'

export const MessengerErrorCode = {
  /** A recovery phrase that is not valid BIP-39 (word count, unknown word or checksum). */
  InvalidPhrase: 'INVALID_PHRASE',
  /** `Messenger.open` on a store without an account. */
  NoAccount: 'NO_ACCOUNT',
  /** The store belongs to another account, or already holds one. */
  AccountMismatch: 'ACCOUNT_MISMATCH',
  /** Not a contact code, chat key or share link. */
  InvalidContactCode: 'INVALID_CONTACT_CODE',
  /** Sending to someone who is not a contact. */
  UnknownContact: 'UNKNOWN_CONTACT',
  /** Sending to someone who declined our request: only `addContact` again is allowed. */
  ContactDeclined: 'CONTACT_DECLINED',
} as const

export type MessengerErrorCode = (typeof MessengerErrorCode)[keyof typeof MessengerErrorCode]

/** A `PfsError` with one of the messenger's codes. */
export function messengerError(
  code: MessengerErrorCode,
  message: string,
  details: ErrorDetails = {},
  options?: ErrorOptions,
): PfsError {
  return new PfsError(code, message, details, options)
}
