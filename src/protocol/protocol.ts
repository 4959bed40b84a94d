/**
 * `Protocol`: the encryption layer's entry point (PROTOCOL.md §8-§10; DESIGN.md "Data flow").
 * Every public call runs in one store transaction, so a failure leaves the store unchanged.
 *
 * ```ts
 * const alice = new Protocol({ store, identity, installationId })
 * alice.processBundle(bobBundle)
 * const { message } = alice.encrypt(bobPublic, payload)   // wrap in an envelope signed by Alice
 * const got = bob.decrypt(alicePublic, message)            // alicePublic = the envelope signer
 * ```
 *
 * @module
 */
import type { Bundle, ProtocolMessage } from '../wire/index.ts'
import type { Context, ProtocolOptions } from './context.ts'
import { makeContext } from './context.ts'
import type { ProcessedBundle } from './bundles.ts'
import { processBundle } from './bundles.ts'
import { buildOurBundle } from './prekeys.ts'
import type { DecryptResult } from './receive.ts'
import { decryptMessage } from './receive.ts'
import type { EncryptResult } from './send.ts'
import { encryptMessage } from './send.ts'

/** One device's end of the 1:1 encryption protocol. */
export class Protocol {
  readonly #ctx: Context

  constructor(options: ProtocolOptions) {
    this.#ctx = makeContext(options)
  }

  /** Our compressed identity public key. */
  get identityPublicKey(): Uint8Array {
    return this.#ctx.identityPublic.slice()
  }

  get installationId(): string {
    return this.#ctx.installationId
  }

  /**
   * Our bundle, freshly signed with the clock's timestamp: this device's current signed prekey
   * (created or rotated first when needed) plus our enabled paired devices (§4.1, §10).
   */
  ourBundle(): Bundle {
    const ctx = this.#ctx
    return ctx.store.transaction(() => buildOurBundle(ctx, ctx.nowNs()))
  }

  /**
   * Verifies and stores a bundle received out of band (contact code, QR) or attached to a
   * message. With `signer`, the bundle must be that identity's.
   *
   * @throws {PfsError} `BUNDLE_SIGNATURE`, `WIRE_MALFORMED`; nothing is stored then.
   */
  processBundle(bundle: Bundle, signer?: Uint8Array): ProcessedBundle {
    const ctx = this.#ctx
    return ctx.store.transaction(() => processBundle(ctx, bundle, signer))
  }

  /** Encrypts `payload` for every target installation of `theirIdentity` (§8.1). */
  encrypt(theirIdentity: Uint8Array, payload: Uint8Array): EncryptResult {
    const ctx = this.#ctx
    return ctx.store.transaction(() => encryptMessage(ctx, theirIdentity, payload))
  }

  /**
   * Decrypts a message from `sender`, the identity recovered from the envelope signature (§8.2).
   *
   * @returns undefined for our own message echoed back to this device.
   * @throws {PfsError} `SESSION_NOT_FOUND`, `DEVICE_NOT_FOUND`, `NOT_PAIRED_DEVICE`,
   *   `BUNDLE_SIGNATURE`, `MAC_MISMATCH`, `DUPLICATE`, … — and the store is unchanged.
   */
  decrypt(sender: Uint8Array, message: ProtocolMessage): DecryptResult | undefined {
    const ctx = this.#ctx
    return ctx.store.transaction(() => decryptMessage(ctx, sender, message))
  }

  /** Confirms a pending own device (pairing, whitepaper §4.1); false when unknown. */
  enableDevice(installationId: string): boolean {
    const ctx = this.#ctx
    return ctx.store.transaction(() =>
      ctx.store.setInstallationEnabled(ctx.identityPublic, installationId, true),
    )
  }
}
