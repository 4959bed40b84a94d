/**
 * The local session id (PROTOCOL.md §9): `bundleId ‖ UTF-8(installationId)`, the reference's key
 * of a session in its store.
 *
 * @module
 */
import { concatBytes, utf8 } from '../crypto/index.ts'

export function sessionId(bundleId: Uint8Array, installationId: string): Uint8Array {
  return concatBytes(bundleId, utf8(installationId))
}
