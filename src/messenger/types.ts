/**
 * The application API's options, results and events (DESIGN.md "Public API"; whitepaper §1.5).
 * Public keys are `"0x04…"` hex strings here (the reference's chat ids), never bytes.
 *
 * @module
 */
import type { CryptoProvider } from '../crypto/index.ts'
import type { Store } from '../store/index.ts'
import type { Network } from '../transport/index.ts'

export interface MessengerOptions {
  /** A `MemoryNetwork` node, a `Libp2pNetwork`: anything implementing the transport's `Network`. */
  readonly network: Network
  /** `MemoryStore` or `SqliteStore`, one account per store. */
  readonly store: Store
  readonly crypto?: CryptoProvider
  /** Milliseconds since the epoch (default `Date.now`); the protocol gets `BigInt(ms) * 1e6`. */
  readonly clock?: () => number
  /** Default the host name, else `'device'`. */
  readonly deviceName?: string
  /** Default `'desktop'`. */
  readonly deviceType?: string
  /** Target installations per identity (PROTOCOL.md §10); default 3. */
  readonly maxInstallations?: number
  /** Randomness for the phrase and installation id (default the crypto provider's). */
  readonly random?: (n: number) => Uint8Array
  /** Store-node names for `sync()` (network-specific; cursors are kept per name and topic). */
  readonly storeNodes?: readonly string[]
  /** Default true: subscribe to our topics at once. */
  readonly autoStart?: boolean
  /** Bundle advertisement period on the contact-code topic; default 6 h (the reference's). */
  readonly advertiseIntervalMs?: number
  /** Proof of work of outgoing envelopes; default 0.002 (the receivers' minimum). */
  readonly minPow?: number
  /** Envelope TTL in seconds; default 300. */
  readonly ttl?: number
  /**
   * Automatic repair of undecryptable messages (issue 10 "self-healing"; default true): see
   * `DecryptionFailureReason` and `RepairAction`. With false, `decryptionFailed` still fires and
   * its `reestablish()` is the only repair.
   */
  readonly autoRepair?: boolean
  /**
   * Send 1:1 messages on the negotiated topic once every target device has agreed (PROTOCOL.md
   * §11.3-§11.4, what status-go does); default false: always on the recipient's partitioned
   * topic (ECIES), which status-go also reads. Off by default because a device of the
   * recipient that we do not know yet (recovered, or paired while we were away) listens on the
   * partitioned topic but not on a negotiated one before it holds our contact: it would never
   * see the message, so it could not answer as a partitioned device (whitepaper §4.5). On, the
   * receiver skips an ECDH per envelope (a cheaper catch-up). Either way the messenger listens on
   * the negotiated topics of its contacts, its own, and every peer it shares a secret with, so
   * status-go peers that switched to them are heard.
   */
  readonly negotiatedTopics?: boolean
}

/**
 * Why a message addressed to us could not be read (issue 10):
 * - `no-session`: a Double Ratchet message for a session we do not have (reinstall, lost state);
 * - `stale-bundle`: an X3DH message to a signed prekey of ours that is gone (rotated and pruned);
 * - `too-far-ahead`: a header more than MaxSkip (1,000) messages ahead of its chain, or beyond the
 *   catch-up allowance of a sync (PROTOCOL.md §7.2);
 * - `duplicate`: the message key was already used or deleted (a replay in a new envelope, or a
 *   key pruned by MaxKeep);
 * - `mac-failure`: the ciphertext does not authenticate in the session it names (diverged state,
 *   corruption);
 * - `unknown-installation`: a session message from an installation of the sender we had never
 *   heard of (no bundle, no earlier message).
 * A message with entries for other installations only is not here: it raises `partitionedDevice`
 * and is answered with our bundle (whitepaper §4.5).
 */
export type DecryptionFailureReason =
  | 'no-session'
  | 'stale-bundle'
  | 'too-far-ahead'
  | 'duplicate'
  | 'mac-failure'
  | 'unknown-installation'

/**
 * What the messenger did about an undecryptable message on its own (`autoRepair`):
 * - `reestablish`: our sessions with the sender were retired (fresh X3DH on our next send) and
 *   our bundle was sent to them; their messenger then resends its last messages to us;
 * - `sync`: a relay message too far ahead is left for the next `sync()`, which fetches the gap
 *   from the store node and may grant a catch-up allowance;
 * - `rate-limited`: the sender was repaired less than 10 minutes ago;
 * - `none`: nothing to repair (a duplicate), `autoRepair: false`, or the sender is neither a
 *   contact nor us (a stranger's junk never makes us publish anything).
 */
export type RepairAction = 'reestablish' | 'sync' | 'rate-limited' | 'none'

export interface SendResult {
  /** Message id: `0x` + hex keccak256(sender 65 B ‖ ApplicationMetadataMessage). */
  readonly id: string
  readonly pfs: boolean
  /** Installations of the recipient the message was encrypted for. */
  readonly devices: number
  readonly failures: readonly { readonly installationId: string; readonly code: string }[]
}

export interface ContactInfo {
  readonly publicKey: string
  readonly name: string
  readonly state: 'mutual' | 'requested' | 'incoming' | 'declined'
  /** True when the next message to them travels in Double Ratchet sessions. */
  readonly pfs: boolean
  readonly addedAt: number
}

export interface ContactRequestInfo {
  readonly id: string
  readonly publicKey: string
  readonly name: string
  readonly direction: 'incoming' | 'outgoing'
  readonly state: 'pending' | 'accepted' | 'declined'
  readonly text?: string
  /** The security level the request travelled with, shown to both sides (whitepaper §1.5.2). */
  readonly pfs: boolean
  readonly createdAt: number
}

export interface ChatMessageInfo {
  readonly id: string
  readonly from: string
  readonly to: string
  readonly outgoing: boolean
  readonly text: string
  readonly pfs: boolean
  /** Lamport clock in the chat. */
  readonly clock: bigint
  readonly sentAt: number
  readonly receivedAt: number
  readonly installationId?: string
}

export interface DeviceInfo {
  readonly installationId: string
  readonly name?: string
  readonly deviceType?: string
  readonly enabled: boolean
  readonly stale: boolean
  /** Milliseconds since the epoch. */
  readonly lastSeen: number
  readonly current: boolean
}

export interface SyncProgress {
  readonly fetched: number
  readonly processed: number
  readonly total?: number
}

export interface SyncResult {
  readonly fetched: number
  readonly delivered: number
  readonly failed: number
  /**
   * Messages that decrypted only with a catch-up allowance (issue 10 "long offline"): a header
   * more than MaxSkip ahead, accepted because this sync fetched at least that many messages of
   * its sender.
   */
  readonly caughtUp: number
}

export interface MessengerStats {
  sent: number
  received: number
  pfsReceived: number
  sessions: number
  devices: number
  decryptionFailures: number
  duplicatesDropped: number
}

export interface MessengerEvents {
  message: ChatMessageInfo & { readonly installationId: string }
  contactRequest: ContactRequestInfo & { accept(): Promise<void>; decline(): Promise<void> }
  contactAccepted: { readonly publicKey: string; readonly pfs: boolean }
  /** `own: true`: a pending own device (pairing): confirm with `enableDevice`. */
  deviceAdded: DeviceInfo & { readonly publicKey: string; readonly own: boolean }
  decryptionFailed: {
    readonly from: string
    readonly installationId?: string
    readonly code: string
    /** The classified cause (issue 10). */
    readonly reason: DecryptionFailureReason
    /** What `autoRepair` did about it. */
    readonly repair: RepairAction
    reestablish(): Promise<void>
  }
  partitionedDevice: { readonly from: string; readonly answered: boolean }
  /**
   * A message from a contact we hold a PFS session with arrived on the DH path (`pfs: false`):
   * they reinstalled without their sessions, or someone is steering the chat off PFS. Show it.
   */
  downgrade: { readonly from: string; readonly installationId: string; readonly messageId: string }
  delivery: {
    readonly id: string
    readonly installationId: string
    readonly state: 'sent' | 'delivered' | 'failed'
  }
  syncProgress: SyncProgress
  /** Never secrets. */
  error: { readonly code: string; readonly message: string }
}
