/**
 * The bytes a prekey bundle's signature covers, exactly as the reference builds them
 * (PROTOCOL.md §4.2, `buildSignatureMaterial`; the difference from the written spec is §15.3).
 *
 * For each installation id in ascending UTF-8 byte order: `utf8(id) ‖ spk(33) ‖ decimal(version)`,
 * then `decimal(timestamp)` when the timestamp is non-zero. No separators, no identity, and no
 * `protocol_version`: that field is not signed, so nothing derived from it may be trusted.
 *
 * @module
 */
import { compareBytes, concatBytes, utf8 } from '../crypto/index.ts'
import type { Bundle } from '../wire/index.ts'

/**
 * Installation ids of `bundle` in the order the signature covers them: byte-wise on UTF-8, as Go's
 * `sort.Strings`. JS's default sort compares UTF-16 code units, which differs for non-ASCII ids
 * (PROTOCOL.md §16).
 */
export function sortedInstallationIds(bundle: Bundle): string[] {
  return Object.keys(bundle.signedPreKeys)
    .map((id) => ({ id, bytes: utf8(id) }))
    .sort((a, b) => compareBytes(a.bytes, b.bytes))
    .map((e) => e.id)
}

/**
 * The signed bytes of `bundle` (PROTOCOL.md §4.2). Assumes a shape-checked bundle (as
 * `decodeBundle` or `verifyBundle` leave it); the signature and identity fields are ignored.
 */
export function signatureMaterial(bundle: Bundle): Uint8Array {
  const parts: Uint8Array[] = []
  for (const id of sortedInstallationIds(bundle)) {
    const spk = bundle.signedPreKeys[id]!
    parts.push(utf8(id), spk.signedPreKey, utf8(spk.version.toString(10)))
  }
  // Bundles signed before 2019 carry no timestamp; the reference then leaves it out entirely
  // rather than writing "0" (PROTOCOL.md §4.2), and still accepts them (bundle.json case 3).
  if (bundle.timestamp !== 0n) parts.push(utf8(bundle.timestamp.toString(10)))
  return concatBytes(...parts)
}
