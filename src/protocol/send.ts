/**
 * Sending (PROTOCOL.md §8.1, §6, §10; whitepaper §3-§4): one `EncryptedMessageProtocol` per target
 * installation of the recipient, our freshly signed bundle attached.
 *
 * Targets are the recipient's enabled, non-stale installations, newest activity first, capped
 * (whitepaper §4.2-§4.3, devices.ts); our own device is skipped (messages to our own identity
 * reach our other devices). Per installation: an existing usable session (the concurrent-session
 * rule of §3.2 picks one) → Double Ratchet, with the X3DH header repeated while the session is
 * unconfirmed; otherwise X3DH against the installation's current signed prekey, then the
 * ratchet. With no installation known, the payload goes under `"none"` with the DH-header
 * fallback and is reported as `pfs: false` — except to our own identity, where the message then
 * has no entries (targets `[]`) and only announces our bundle. A `PfsError` for one installation
 * is collected (its writes undone by a savepoint) and the others still go out (STYLE.md §5
 * "fan-out returns results").
 *
 * @module
 */
import { bytesEqual } from '../crypto/index.ts'
import { PfsError, isPfsError } from '../errors.ts'
import { encrypt as ratchetEncrypt } from '../ratchet/index.ts'
import {
  DRHeaderSchema,
  EncryptedMessageProtocolSchema,
  ProtocolMessageSchema,
  X3DHHeaderSchema,
  create,
} from '../wire/index.ts'
import type { EncryptedMessageProtocol, ProtocolMessage } from '../wire/index.ts'
import { NO_INSTALLATION_ID, dhEncrypt } from '../x3dh/index.ts'
import type { Context } from './context.ts'
import { compressKey, toMs } from './context.ts'
import { buildOurBundle } from './prekeys.ts'
import { recordAgreement } from './shared-secret.ts'
import { targetInstallations } from './devices.ts'
import {
  createInitiatorSession,
  loadState,
  pendingX3dhHeader,
  saveState,
  sendingSession,
} from './sessions.ts'

/** Why one target installation got no entry. */
export interface SendFailure {
  readonly installationId: string
  readonly error: PfsError
}

/** The result of `Protocol.encrypt`. */
export interface EncryptResult {
  /** The message to wrap in an envelope signed with our identity. */
  readonly message: ProtocolMessage
  /** Installation ids that got an entry (`["none"]` for the DH fallback). */
  readonly targets: readonly string[]
  /** Installations that were targeted but got no entry, and why. */
  readonly failures: readonly SendFailure[]
  /** True when every entry travels in a Double Ratchet session (false for the DH fallback). */
  readonly pfs: boolean
  /**
   * §11.3-§11.4 (status-go `Agreed`): every installation that got an entry has sent us a
   * message under protocol version ≥ 1, so it listens on the negotiated topic of our static
   * shared secret; the caller then sends there (symmetric) instead of the recipient's
   * partitioned topic (ECIES). False with no entry, or for the DH fallback alone.
   */
  readonly agreed: boolean
}

/** Encrypts `payload` for `theirIdentity`. Call inside a store transaction. */
export function encryptMessage(
  ctx: Context,
  theirIdentity: Uint8Array,
  payload: Uint8Array,
): EncryptResult {
  const their = compressKey(ctx, theirIdentity)
  const nowNs = ctx.nowNs()
  const bundle = buildOurBundle(ctx, nowNs)
  const installations = targetInstallations(ctx, their, nowNs)
  const toSelf = bytesEqual(their, ctx.identityPublic)
  const entries: Record<string, EncryptedMessageProtocol> = {}
  const targets: string[] = []
  const failures: SendFailure[] = []
  let pfs = true
  // To our own identity the DH fallback would reach every holder of the identity key, pending
  // and removed devices included (§4.1): with no enabled device, the message carries only our
  // bundle (which is how a new device announces itself for pairing).
  if (installations.length === 0 && !toSelf) {
    const eph = ctx.keyPair('dh-ephemeral')
    const dh = dhEncrypt(their, payload, { ephemeral: eph.privateKey, crypto: ctx.crypto })
    eph.privateKey.destroy()
    setEntry(
      entries,
      NO_INSTALLATION_ID,
      create(EncryptedMessageProtocolSchema, { DHHeader: dh.header, payload: dh.payload }),
    )
    targets.push(NO_INSTALLATION_ID)
    pfs = false
  }
  for (const inst of installations) {
    try {
      const entry = ctx.store.transaction(() =>
        encryptFor(ctx, their, inst.installationId, payload, nowNs),
      )
      setEntry(entries, inst.installationId, entry)
      targets.push(inst.installationId)
    } catch (e) {
      // Only protocol errors are per-installation; anything else is a bug and propagates.
      if (!isPfsError(e)) throw e
      failures.push({ installationId: inst.installationId, error: e })
    }
  }
  const message = create(ProtocolMessageSchema, {
    installationId: ctx.installationId,
    bundles: [bundle],
    encryptedMessage: entries,
  })
  const agreed = agree(ctx, their, targets)
  return { message, targets, failures, pfs: pfs && targets.length > 0, agreed }
}

/**
 * §11.4 `Agreed`: records the secret with our own installation id (so that we listen on its topic
 * from our first message on, as the reference does), then tells whether every target installation
 * (`"none"` aside) had agreed.
 */
function agree(ctx: Context, their: Uint8Array, targets: readonly string[]): boolean {
  const { secret, agreed } = recordAgreement(ctx, their, ctx.installationId)
  secret.fill(0)
  const ids = targets.filter((t) => t !== NO_INSTALLATION_ID)
  return ids.length > 0 && ids.every((id) => agreed.includes(id))
}

function encryptFor(
  ctx: Context,
  their: Uint8Array,
  installationId: string,
  payload: Uint8Array,
  nowNs: bigint,
): EncryptedMessageProtocol {
  let session = sendingSession(ctx, their, installationId, toMs(nowNs))
  if (session === undefined) {
    const b = ctx.store.getActiveBundle(their, installationId)
    if (b === undefined) {
      throw new PfsError('INVALID_STATE', 'no signed prekey known for the installation')
    }
    session = createInitiatorSession(ctx, their, installationId, b.signedPreKey, nowNs)
  }
  const sent = ratchetEncrypt(loadState(ctx, session), payload)
  saveState(ctx, session.id, sent.state)
  const x3dh = pendingX3dhHeader(session)
  return create(EncryptedMessageProtocolSchema, {
    ...(x3dh === undefined
      ? {}
      : {
          X3DHHeader: create(X3DHHeaderSchema, {
            key: x3dh.key,
            id: session.bundleId,
            // Our extension (one-time-prekeys.ts); left empty it is not written at all.
            ...(x3dh.oneTimePreKey === undefined ? {} : { oneTimePreKey: x3dh.oneTimePreKey }),
          }),
        }),
    DRHeader: create(DRHeaderSchema, {
      key: sent.header.dh,
      n: sent.header.n,
      pn: sent.header.pn,
      id: session.bundleId,
    }),
    payload: sent.ciphertext,
  })
}

/** Map keys from the network or callers may be `__proto__`: define, never assign. */
function setEntry<V>(map: Record<string, V>, key: string, value: V): void {
  Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true })
}
