/**
 * The wire format of the application signatures the sync worker recovers ahead (issue 9
 * catch-up, sync-open-worker.ts → sync-open-pool.ts): `signature(65) ‖ digest(32) ‖ signer(65)`
 * back to back in one buffer, moved in one message instead of three small arrays each. Public
 * values only. No Node imports: the pool, which reads these, is in the browser bundle.
 *
 * @module
 */

/** An application signature recovered in the worker: public values only. */
export interface RecoveredApp {
  /** The `ApplicationMetadataMessage` signature, 65 bytes. */
  readonly signature: Uint8Array
  /** keccak256 of its payload, 32 bytes. */
  readonly digest: Uint8Array
  /** The uncompressed (65-byte) key recovered from (signature, digest). */
  readonly signer: Uint8Array
}

/** Sizes of the three fields of a `RecoveredApp`. */
export const SIGNATURE = 65
export const DIGEST = 32
export const SIGNER = 65
/** Bytes per packed entry. */
export const APP_ENTRY_LENGTH = SIGNATURE + DIGEST + SIGNER

/** Packs entries of the right sizes (others are left out). */
export function packApps(entries: readonly RecoveredApp[]): Uint8Array {
  const ok = entries.filter(
    (e) =>
      e.signature.length === SIGNATURE && e.digest.length === DIGEST && e.signer.length === SIGNER,
  )
  const out = new Uint8Array(ok.length * APP_ENTRY_LENGTH)
  ok.forEach((e, i) => {
    const at = i * APP_ENTRY_LENGTH
    out.set(e.signature, at)
    out.set(e.digest, at + SIGNATURE)
    out.set(e.signer, at + SIGNATURE + DIGEST)
  })
  return out
}

/** Calls `fn` with views of each packed entry (a trailing partial entry is ignored). */
export function forEachApp(packed: Uint8Array, fn: (entry: RecoveredApp) => void): void {
  for (let at = 0; at + APP_ENTRY_LENGTH <= packed.length; at += APP_ENTRY_LENGTH) {
    fn({
      signature: packed.subarray(at, at + SIGNATURE),
      digest: packed.subarray(at + SIGNATURE, at + SIGNATURE + DIGEST),
      signer: packed.subarray(at + SIGNATURE + DIGEST, at + APP_ENTRY_LENGTH),
    })
  }
}
