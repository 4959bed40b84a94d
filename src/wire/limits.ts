/**
 * Size limits enforced before any decoding allocates (STYLE.md §7 "Bounds"). The reference has no
 * such limits of its own beyond the transport's maximum message size; these are generous for 1:1
 * traffic (≤ 3 installations per identity, PROTOCOL.md §10) and keep hostile input bounded.
 *
 * @module
 */

/** Largest ProtocolMessage accepted: Waku's default max message size is 1 MiB; allow 4. */
export const MAX_PROTOCOL_MESSAGE_BYTES = 4 * 1024 * 1024
/** Largest standalone Bundle accepted (a contact code, a bundle directory entry). */
export const MAX_BUNDLE_BYTES = 64 * 1024
/** Bundles attached to one ProtocolMessage (the reference attaches exactly one). */
export const MAX_BUNDLES_PER_MESSAGE = 8
/** Installations listed in one bundle (the reference lists at most 3). */
export const MAX_SIGNED_PRE_KEYS_PER_BUNDLE = 64
/** Per-installation entries in one ProtocolMessage. */
export const MAX_ENCRYPTED_ENTRIES = 256
/** Longest installation id accepted (UUIDv4 is 36). */
export const MAX_INSTALLATION_ID_LENGTH = 256
