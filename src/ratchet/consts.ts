/**
 * Every constant of the Double Ratchet layer: the reference's KDF info strings and limits
 * (PROTOCOL.md §7.1, §7.2 "Limits passed by status-go"), key lengths, and our local bounds.
 * Nothing here may change without changing the wire or the stored-state version.
 *
 * @module
 */

/**
 * MaxSkip: the most message keys one header may make us derive and store for a single chain
 * segment (the old receiving chain up to `PN`, or the current one up to `N`). The reference
 * rejects `Nr + MaxSkip < until`, so a gap of exactly 1000 is still accepted. status-go
 * `defaultEncryptorConfig`, PROTOCOL.md §7.2; DR §6.4
 * <https://signal.org/docs/specifications/doubleratchet/#deletion-of-skipped-message-keys>.
 */
export const MAX_SKIP = 1000

/**
 * MaxMessageKeysPerSession: the most skipped message keys one session keeps. After every
 * successful decrypt the oldest keys (by sequence number) beyond this count are deleted, as the
 * reference prunes (PROTOCOL.md §7.5). A single header may never ask for more new keys than this.
 */
export const MAX_MESSAGE_KEYS_PER_SESSION = 2000

/**
 * MaxKeep: a skipped key is deleted once this many receiving-chain message keys (skipped or used)
 * have been derived after it, i.e. when `seq ≤ KeysCount − MaxKeep` (PROTOCOL.md §7.5). A single
 * header may never ask for more new keys than this.
 */
export const MAX_KEEP = 3000

/**
 * The hard cap of a per-call skip allowance (`DecryptOptions.maxSkip`, issue 10 "long offline"):
 * a caller that has evidence of a longer gap (a store-node sync holding that many messages of
 * the sender) may let one header skip more than `MAX_SKIP` keys, never more than this. It equals
 * `MAX_MESSAGE_KEYS_PER_SESSION`: a header asking for more new keys than a session keeps would
 * have its oldest keys pruned as soon as derived, so those messages would be lost anyway, and
 * the per-header work (one HMAC pair per key) stays bounded (≈ 2,000 KDF steps, a few ms).
 */
export const MAX_CATCH_UP_SKIP = MAX_MESSAGE_KEYS_PER_SESSION

/**
 * How many earlier receiving ratchet keys (DHr) a state remembers, so that a message on an old
 * chain whose key is gone is reported as `DUPLICATE` instead of being taken for a new ratchet step
 * (which would cost two DH operations and fail with `MAC_MISMATCH`). Local only; older chains fall
 * back to that `MAC_MISMATCH`/`DUPLICATE` path, the state is never changed by them.
 */
export const MAX_PREVIOUS_CHAINS = 32

/** The largest `N`/`PN` a header can carry: they are uint32 on the wire (PROTOCOL.md §2, §7.3). */
export const MAX_COUNTER = 0xffffffff

/** KDF_RK info string (PROTOCOL.md §7.1 `KdfRK`). */
export const KDF_RK_INFO = 'rsZUpEuXUqqwXBvSy3EcievAh4cMj6QL'
/** KDF_RK output: root key ‖ chain key ‖ header key (the last unused: no header encryption). */
export const KDF_RK_LENGTH = 96

/** KDF_CK message-key and next-chain-key inputs (PROTOCOL.md §7.1; Signal suggests 0x01/0x02). */
export const KDF_CK_MESSAGE_KEY_BYTE = 0x10
export const KDF_CK_CHAIN_KEY_BYTE = 0x0f

/** Message-crypto HKDF info string (PROTOCOL.md §7.1 `deriveEncKeys`). */
export const MESSAGE_KEYS_INFO = 'pcwSByyx2CRdryCffXJwy7xgVZWtW5Sh'
/** Message-crypto HKDF output: encKey(32) ‖ authKey(32) ‖ iv(16). */
export const MESSAGE_KEYS_LENGTH = 80

/** Root, chain and message keys, and SK: 32 bytes. */
export const KEY_LENGTH = 32
/** AES-CTR IV at the front of a ciphertext. */
export const IV_LENGTH = 16
/** HMAC-SHA256 tag at the end of a ciphertext. */
export const TAG_LENGTH = 32
/** `u32le(N) ‖ u32le(PN)` before the ratchet key in the associated data (PROTOCOL.md §7.3). */
export const HEADER_COUNTERS_LENGTH = 8

/** The stored-state format this code writes (proto/ratchet_state.proto `version`). */
export const STATE_VERSION = 1
/** Upper bound on a serialized state, checked before parsing (2000 keys ≈ 80 KiB). */
export const MAX_STATE_BYTES = 256 * 1024
