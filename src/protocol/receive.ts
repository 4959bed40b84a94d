/**
 * Receiving (PROTOCOL.md §8.2, §4.3-§4.4, §11.4; whitepaper §3-§4).
 *
 * Order: our own echo is recognised first (nothing stored); every attached bundle is verified and
 * checked to belong to the envelope signer, then all are stored; then our entry (or `"none"`) is
 * picked — a message with no entries is `bundle-only`, one with entries for other installations
 * only is `partitioned` (whitepaper §4.5); an X3DH header sets up (or keeps) the passive session;
 * a DR header decrypts in the session it names, or in an archived session of the same wire id
 * (archive.ts) (`SESSION_NOT_FOUND` when we have none, e.g. after account recovery, §1.5.3) and
 * confirms our initiator session; a DH header is the fallback. The
 * caller runs all of it in one store transaction, so a failure at any step leaves the store as it
 * was (the reference stores bundles before checking them and keeps half-made sessions; this does
 * neither).
 *
 * @module
 */
import { bytesEqual } from '../crypto/index.ts'
import { PfsError, isPfsError } from '../errors.ts'
import { decrypt as ratchetDecrypt } from '../ratchet/index.ts'
import type { SessionRecord } from '../store/index.ts'
import type { DRHeader, EncryptedMessageProtocol, ProtocolMessage } from '../wire/index.ts'
import { NO_INSTALLATION_ID, dhDecrypt } from '../x3dh/index.ts'
import type { Context } from './context.ts'
import { compressKey, toMs } from './context.ts'
import { storeBundle, verifyBundleOf } from './bundles.ts'
import { archivedSessions } from './archive.ts'
import { loadState, saveState } from './sessions.ts'
import { acceptX3dhHeader } from './one-time-prekeys.ts'
import { recordAgreement } from './shared-secret.ts'

/** The result of `Protocol.decrypt`. */
export interface DecryptResult {
  readonly payload: Uint8Array
  /** The sender's installation id (`ProtocolMessage.installation_id`). */
  readonly installationId: string
  /** True when the payload travelled in a Double Ratchet session, false for the DH fallback. */
  readonly pfs: boolean
  /** True for a `public_message` (not encrypted by this layer). */
  readonly public: boolean
  /**
   * The static shared secret with the sender (§11.4), recorded because the sender's installation
   * announced protocol version ≥ 1; absent otherwise.
   */
  readonly sharedSecret?: Uint8Array
  /**
   * Set on a DH-fallback message (`pfs: false`) from someone we hold a usable Double Ratchet
   * session with: either they lost their sessions (reinstall without backup) or someone is
   * steering the chat off PFS. Never silent: the messenger flags it to the user (issue 10).
   */
  readonly downgrade?: true
}

/** Per-call options of `Protocol.handle`. */
export interface HandleOptions {
  /**
   * A one-off catch-up allowance (issue 10 "long offline"): the most message keys a Double
   * Ratchet header of this message may skip in one chain, instead of `MAX_SKIP` (1,000), clamped
   * to the ratchet's hard cap `MAX_CATCH_UP_SKIP`. Grant it only with evidence of the gap — the
   * messenger passes the number of the sender's messages a store-node sync just fetched — never
   * to live traffic: without it a header further ahead is refused before any KDF work.
   */
  readonly catchUp?: number
}

/** The result of `Protocol.handle` (whitepaper §1.5.3, §4.5; PROTOCOL.md §8.2). */
export type HandleResult =
  | ({ readonly kind: 'message' } & DecryptResult)
  /** Our own message, seen by the installation that sent it. */
  | { readonly kind: 'own-echo' }
  /** Bundles and no entries at all (an advertisement, or a `reestablish` answer). */
  | { readonly kind: 'bundle-only' }
  /**
   * Entries for other installations only (whitepaper §4.5): the sender does not know this device.
   * `answer` is true at most once per sender per `bundleReplyIntervalMs` (2 h): the caller then
   * sends `bundleMessage()` to the sender.
   */
  | { readonly kind: 'partitioned'; readonly answer: boolean }

/**
 * Handles `message` from `sender` (the envelope signer). Call inside a store transaction.
 *
 * @throws {PfsError} `BUNDLE_SIGNATURE`, `SESSION_NOT_FOUND`, `MAC_MISMATCH`, `DUPLICATE`,
 *   `TOO_MANY_SKIPPED`, `WIRE_MALFORMED`, `INVALID_KEY`.
 */
export function handleMessage(
  ctx: Context,
  senderKey: Uint8Array,
  message: ProtocolMessage,
  options: HandleOptions = {},
): HandleResult {
  const sender = compressKey(ctx, senderKey)
  const fromSelf = bytesEqual(sender, ctx.identityPublic)
  const installationId = message.installationId
  if (fromSelf && installationId === ctx.installationId) return { kind: 'own-echo' }
  const nowNs = ctx.nowNs()
  const nowMs = toMs(nowNs)
  // Every bundle is checked before any is stored (the reference stores first).
  const identities = message.bundles.map((b) => verifyBundleOf(ctx, b, sender))
  // Installations of the sender just stored from its bundles: they need no existence check below.
  const listed = new Set<string>()
  message.bundles.forEach((b, i) => {
    for (const id of storeBundle(ctx, identities[i]!, b, nowMs, installationId).installations) {
      listed.add(id)
    }
  })
  if (message.publicMessage.length > 0) {
    const payload = message.publicMessage.slice()
    return { kind: 'message', payload, installationId, pfs: false, public: true }
  }
  const entry = ownEntry(message, ctx.installationId)
  if (entry === undefined) {
    if (Object.keys(message.encryptedMessage).length === 0) {
      if (message.bundles.length === 0) throw new PfsError('WIRE_MALFORMED', 'no payload')
      return { kind: 'bundle-only' }
    }
    return { kind: 'partitioned', answer: mayAnswer(ctx, sender, nowMs) }
  }
  if (installationId.length === 0) {
    throw new PfsError('WIRE_MALFORMED', 'message without installation id')
  }
  let payload: Uint8Array
  let pfs: boolean
  let downgrade = false
  if (
    (entry.X3DHHeader !== undefined || entry.DRHeader !== undefined) &&
    !listed.has(installationId)
  ) {
    ensureInstallation(ctx, sender, installationId, fromSelf, nowNs)
  }
  if (entry.X3DHHeader !== undefined) {
    const spk = ctx.store.getSignedPreKey(entry.X3DHHeader.id)
    if (spk === undefined) {
      // Our signed prekey is gone (rotated and pruned): the sender used a stale bundle.
      throw new PfsError('SESSION_NOT_FOUND', 'session not found', { header: 'x3dh' })
    }
    // With our one-time-prekey extension when the header names one (one-time-prekeys.ts).
    const superseded = supersededSender(ctx, message, sender, installationId)
    acceptX3dhHeader(ctx, sender, installationId, spk, entry.X3DHHeader, nowNs, superseded)
  }
  if (entry.DRHeader !== undefined) {
    const dr = entry.DRHeader
    const got = decryptInSession(ctx, sender, installationId, dr, entry.payload, options)
    payload = got.plaintext
    pfs = true
  } else if (entry.DHHeader !== undefined) {
    payload = dhDecrypt(ctx.identity, entry.DHHeader, entry.payload, { crypto: ctx.crypto })
    pfs = false
    downgrade = hasUsableSession(ctx, sender, nowMs)
  } else {
    throw new PfsError('WIRE_MALFORMED', 'no key specified')
  }
  const sharedSecret = recordSharedSecret(ctx, sender, installationId)
  const result: HandleResult = {
    kind: 'message',
    payload,
    installationId,
    pfs,
    public: false,
    ...(downgrade ? { downgrade: true as const } : {}),
  }
  return withSharedSecret(result, sharedSecret)
}

/**
 * True when the message's own bundle entry (the sending installation's signed prekey) is not
 * the installation's active signed prekey, now that every bundle of the message is stored: the
 * message was sent by an incarnation of the installation that a newer one has replaced (a
 * rotation, or a wipe and restore under the same installation id, whose new prekey we have
 * already seen) and is arriving late. A reset we learnt from this very message (`storeBundle`'s
 * reset rule) makes its key the active one, so it is not superseded. Unknown (no entry, no
 * active key): false.
 */
function supersededSender(
  ctx: Context,
  message: ProtocolMessage,
  sender: Uint8Array,
  installationId: string,
): boolean {
  const active = ctx.store.getActiveBundle(sender, installationId)
  if (active === undefined) return false
  for (const b of message.bundles) {
    if (!Object.hasOwn(b.signedPreKeys, installationId)) continue
    const own = b.signedPreKeys[installationId]!.signedPreKey
    if (own.length > 0) return !bytesEqual(compressKey(ctx, own), active.signedPreKey)
  }
  return false
}

/** Errors after which an archived session of the same wire id may still read the message. */
const TRY_ARCHIVE: ReadonlySet<string> = new Set(['MAC_MISMATCH', 'DUPLICATE', 'TOO_MANY_SKIPPED'])

/**
 * Decrypts a Double Ratchet entry in the session its header names: the current session of the
 * wire bundle id first, then, when that cannot read it, the archived ones (archive.ts), newest
 * first. The state of the session that read it is saved; nothing else changes. The error
 * reported is the current session's, or `DUPLICATE` when an archived session knew the key was
 * used (a replay of a message of the old session).
 */
function decryptInSession(
  ctx: Context,
  sender: Uint8Array,
  installationId: string,
  dr: DRHeader,
  ciphertext: Uint8Array,
  options: HandleOptions,
): { readonly plaintext: Uint8Array } {
  const current = ctx.store.findSession(dr.id, sender, installationId)
  const attempt = (session: SessionRecord): { readonly plaintext: Uint8Array } => {
    const got = ratchetDecrypt(
      loadState(ctx, session),
      { dh: dr.key, n: dr.n, pn: dr.pn },
      ciphertext,
      undefined,
      {
        nextKeyPair: () => ctx.keyPair('ratchet'),
        ...(options.catchUp === undefined ? {} : { maxSkip: options.catchUp }),
      },
    )
    // Any DR message on a session means the peer has it: stop repeating the X3DH header.
    if (session.ephemeralKey !== undefined) ctx.store.confirmSession(session.id)
    saveState(ctx, session.id, got.state)
    return got
  }
  let first: PfsError | undefined
  if (current !== undefined) {
    try {
      return attempt(current)
    } catch (e) {
      if (!isPfsError(e) || !TRY_ARCHIVE.has(e.code)) throw e
      first = e
    }
  }
  let duplicate: PfsError | undefined
  for (const old of archivedSessions(ctx, dr.id, sender, installationId)) {
    try {
      return attempt(old)
    } catch (e) {
      if (!isPfsError(e) || !TRY_ARCHIVE.has(e.code)) throw e
      if (e.code === 'DUPLICATE') duplicate ??= e
      first ??= e
    }
  }
  if (duplicate !== undefined) throw duplicate
  if (first !== undefined) throw first
  throw new PfsError('SESSION_NOT_FOUND', 'session not found', { header: 'dr' })
}

/**
 * Attaches the §11.4 secret as a non-enumerable getter (a fresh copy per read): it is for the
 * caller's negotiated topic, never for util.inspect, JSON.stringify, a spread or a log line that
 * prints the result.
 */
function withSharedSecret<T extends object>(result: T, secret: Uint8Array | undefined): T {
  if (secret !== undefined) {
    const copy = secret.slice()
    Object.defineProperty(result, 'sharedSecret', { get: () => copy.slice(), enumerable: false })
  }
  return result
}

/** True when some installation of `sender` has a session we could send on now. */
function hasUsableSession(ctx: Context, sender: Uint8Array, now: number): boolean {
  return ctx.store
    .listInstallations(sender)
    .some((i) => ctx.store.findActiveSession(sender, i.installationId, now) !== undefined)
}

/**
 * The §4.5 rate limit: true (and the time recorded in the store, so it survives restarts and
 * rolls back with the handle) when we have not answered `sender` within the interval. The
 * reference's check is inverted and never answers (PROTOCOL.md §9); this one does.
 */
function mayAnswer(ctx: Context, sender: Uint8Array, nowMs: number): boolean {
  const last = ctx.store.getBundleReplyTime(sender)
  if (last !== undefined && nowMs - last < ctx.bundleReplyIntervalMs && nowMs >= last) return false
  ctx.store.setBundleReplyTime(sender, nowMs)
  return true
}

/**
 * `Protocol.decrypt`'s view of a `HandleResult`: the message, undefined for an echo or a bare
 * bundle, and the reference's errors for a message without an entry for us.
 */
export function toDecryptResult(
  result: HandleResult,
  fromSelf: boolean,
  installationId: string,
): DecryptResult | undefined {
  switch (result.kind) {
    case 'message': {
      const { kind: _, ...rest } = result
      return withSharedSecret(rest, result.sharedSecret)
    }
    case 'own-echo':
    case 'bundle-only':
      return undefined
    case 'partitioned':
      if (fromSelf) {
        throw new PfsError('NOT_PAIRED_DEVICE', 'received a message from not paired device', {
          installationId,
        })
      }
      throw new PfsError('DEVICE_NOT_FOUND', 'device not found')
  }
}

function ownEntry(
  message: ProtocolMessage,
  installationId: string,
): EncryptedMessageProtocol | undefined {
  const map = message.encryptedMessage
  if (Object.hasOwn(map, installationId)) return map[installationId]
  if (Object.hasOwn(map, NO_INSTALLATION_ID)) return map[NO_INSTALLATION_ID]
  return undefined
}

/**
 * Sessions hang off an installation record; a message whose sender attached no bundle still
 * needs one. Our own devices start pending (whitepaper §4.1 "explicitly confirmed").
 */
function ensureInstallation(
  ctx: Context,
  sender: Uint8Array,
  installationId: string,
  fromSelf: boolean,
  nowNs: bigint,
): void {
  if (ctx.store.getInstallation(sender, installationId) !== undefined) return
  ctx.store.putInstallation({
    identity: sender,
    installationId,
    enabled: !fromSelf,
    version: 0,
    firstSeen: nowNs,
    lastSeen: nowNs,
    stale: false,
  })
}

/** §11.4: record `X(IK_me · IK_sender)` when the sender's installation announced version ≥ 1. */
function recordSharedSecret(
  ctx: Context,
  sender: Uint8Array,
  installationId: string,
): Uint8Array | undefined {
  const b = ctx.store.getActiveBundle(sender, installationId)
  if (b === undefined || b.protocolVersion < 1) return undefined
  return recordAgreement(ctx, sender, installationId).secret
}
