/**
 * The one error type of status-pfs: `PfsError` with a stable string `code`.
 *
 * Codes are API: never renamed, reused or reworded (DESIGN.md "Errors", STYLE.md §5). Messages and
 * `details` carry only public metadata (lengths, counters, versions, ids) — never key material,
 * plaintext or ciphertext — so an error can be logged or shown as is.
 *
 * @module
 */

export const ErrorCode = {
  /** Bytes from the network or a file that do not parse as the expected structure. */
  WireMalformed: 'WIRE_MALFORMED',
  /** A public or private key that is not a valid point/scalar of its curve. */
  InvalidKey: 'INVALID_KEY',
  /** A signature that is malformed or does not recover to a valid key. */
  InvalidSignature: 'INVALID_SIGNATURE',
  /** A prekey bundle whose signature does not match its identity. */
  BundleSignature: 'BUNDLE_SIGNATURE',
  /** No session for the (bundle id, identity, installation) of an incoming message. */
  SessionNotFound: 'SESSION_NOT_FOUND',
  /** A message that carries no entry for this device and no "none" entry. */
  DeviceNotFound: 'DEVICE_NOT_FOUND',
  /** A message from our own identity, from an installation we have not paired. */
  NotPairedDevice: 'NOT_PAIRED_DEVICE',
  /** Authentication of a ciphertext failed (MAC or AEAD tag). Deliberately says nothing more. */
  MacMismatch: 'MAC_MISMATCH',
  /** A header that would need more skipped message keys than the limits allow. */
  TooManySkipped: 'TOO_MANY_SKIPPED',
  /** A message whose key was already used and deleted (replay or duplicate delivery). */
  Duplicate: 'DUPLICATE',
  /** An envelope past its expiry. */
  EnvelopeExpired: 'ENVELOPE_EXPIRED',
  /** An envelope dated too far in the future. */
  EnvelopeFuture: 'ENVELOPE_FUTURE',
  /** An envelope whose proof of work is below the minimum. */
  PowTooLow: 'POW_TOO_LOW',
  /** A payload without the signature 1:1 traffic requires. */
  UnsignedPayload: 'UNSIGNED_PAYLOAD',
  /** Serialized state (ratchet state, stored record) that cannot be loaded. */
  CorruptState: 'CORRUPT_STATE',
  /** A stored-state format version this code does not know. */
  UnknownVersion: 'UNKNOWN_VERSION',
  /** A database written by a newer schema than this code knows. */
  StoreVersion: 'STORE_VERSION',
  /** A database file that is not a readable SQLite database. */
  StoreCorrupt: 'STORE_CORRUPT',
  /** The passphrase does not open the encrypted store. */
  StorePassphrase: 'STORE_PASSPHRASE',
  /** Any other failure of the storage engine. */
  StoreFailure: 'STORE_FAILURE',
  /** A call that is invalid in the current state (closed object, nested transaction, …). */
  InvalidState: 'INVALID_STATE',
  /** An argument from the caller that is out of range or malformed. */
  InvalidArgument: 'INVALID_ARGUMENT',
  /** A feature the peer or this build does not support. */
  Unsupported: 'UNSUPPORTED',
  /** A network operation that failed or timed out. */
  NetworkFailure: 'NETWORK_FAILURE',
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
  /** Sending to someone who declined our request: only a new contact request is allowed. */
  ContactDeclined: 'CONTACT_DECLINED',
} as const

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]

/** Only public metadata: counters, versions, lengths, ids. No bytes by construction. */
export type ErrorDetails = Readonly<Record<string, string | number | boolean>>

/** The base class of every error status-pfs throws on bad input or state. */
export class PfsError<C extends ErrorCode = ErrorCode> extends Error {
  override readonly name: string = 'PfsError'
  readonly code: C
  readonly details: ErrorDetails

  constructor(code: C, message: string, details: ErrorDetails = {}, options?: ErrorOptions) {
    super(message, options)
    this.code = code
    this.details = details
  }

  /** Narrows this error to one code. */
  is<K extends ErrorCode>(code: K): this is PfsError<K> {
    const own: string = this.code
    return own === code
  }

  toJSON(): { name: string; code: C; message: string; details: ErrorDetails } {
    return { name: this.name, code: this.code, message: this.message, details: this.details }
  }
}

/** Malformed bytes on the wire (always code `WIRE_MALFORMED`). */
export class WireError extends PfsError<'WIRE_MALFORMED'> {
  override readonly name: string = 'WireError'
  constructor(message: string, details: ErrorDetails = {}, options?: ErrorOptions) {
    super(ErrorCode.WireMalformed, message, details, options)
  }
}

/** A bundle that fails verification (code `BUNDLE_SIGNATURE`, or `WIRE_MALFORMED` for bad shapes). */
export class BundleError extends PfsError<'BUNDLE_SIGNATURE' | 'WIRE_MALFORMED' | 'INVALID_KEY'> {
  override readonly name: string = 'BundleError'
}

/** True when `e` is a `PfsError` (of `code`, when given); narrows the code. */
export function isPfsError<K extends ErrorCode>(e: unknown, code?: K): e is PfsError<K> {
  return e instanceof PfsError && (code === undefined || e.code === code)
}
