/**
 * Every limit and default of the transport layer, in one place (STYLE.md §4 "Limits"). Values come
 * from go-ethereum `whisper/whisperv6/doc.go` and the Status clients (TRANSPORT.md §1.1), except
 * where a bound is ours to keep hostile input small (STYLE.md §7 "Bounds").
 *
 * @module
 */

/** TRANSPORT.md §1.2: `size() = EnvelopeHeaderLength + len(Data)`. */
export const ENVELOPE_HEADER_LENGTH = 20
/** geth `DefaultMaxMessageSize` (1 MiB): the largest envelope `size()` accepted by default. */
export const DEFAULT_MAX_ENVELOPE_SIZE = 1024 * 1024
/** geth `MaxMessageSize` (10 MiB): no configuration may raise the bound above this. */
export const MAX_ENVELOPE_SIZE = 10 * 1024 * 1024
/** Length of a Whisper topic (TRANSPORT.md §1.4). */
export const TOPIC_LENGTH = 4
/** geth `DefaultTTL`, in seconds. */
export const DEFAULT_TTL = 50
/**
 * geth `DefaultSyncAllowance`: an envelope may claim to be sent this many seconds in the future
 * (clock skew); beyond it, `ENVELOPE_FUTURE` (TRANSPORT.md §1.2).
 */
export const DEFAULT_SYNC_ALLOWANCE = 10
/**
 * The PoW Status clients seal with and require (TRANSPORT.md §1.1: "Status clients use PoW ≤
 * 0.002"). geth's own default of 0.2 would cost seconds per message.
 */
export const DEFAULT_POW_TARGET = 0.002
/** Minimum PoW a receiver requires by default; equal to the target so our own envelopes pass. */
export const DEFAULT_MIN_POW = 0.002
/**
 * Nonces tried by `seal` before giving up. geth bounds by wall time (WorkTime, 5 s); an iteration
 * bound keeps sealing deterministic. 2^22 covers targets of 20+ bits (≈ 1/2^22 chance to miss).
 */
export const DEFAULT_POW_MAX_ITERATIONS = 1 << 22

/** Whisper v6 payload (TRANSPORT.md §1.5): signature appended to signed payloads. */
export const SIGNATURE_LENGTH = 65
/** Payloads are padded so that their length (signature included) is a multiple of this. */
export const PADDING_BLOCK = 256
/** Flag bit set when a signature is appended. */
export const FLAG_SIGNED = 0x04
/** Flag bits holding the length of the little-endian size field. */
export const FLAG_SIZE_MASK = 0x03

/** PBKDF2-SHA256 iterations of geth `AddSymKeyFromPassword` (65356, sic; PROTOCOL.md §11.4). */
export const PASSWORD_KEY_ITERATIONS = 65356
/** `nPartitions` of status-go `protocol/transport/topic.go` (PROTOCOL.md §11.2). */
export const TOPIC_PARTITIONS = 5000

/** Store queries: the Whisper mailserver accepts `Limit ≤ 1000` (TRANSPORT.md §4.1). */
export const MAX_PAGE_SIZE = 1000
/** Page size when a query names none. */
export const DEFAULT_PAGE_SIZE = 100
/** Topics in one history query; more is refused as malformed (our bound). */
export const MAX_QUERY_TOPICS = 256
/** Store cursor: `sent(4, BE) ‖ envelopeHash(32)`, the Whisper mailserver key prefix (§4.1). */
export const CURSOR_LENGTH = 36
/** Entries an in-memory seen-set keeps before evicting the soonest-expiring (our bound). */
export const DEFAULT_MAX_SEEN = 1_000_000
