/**
 * `status-pfs/protocol`: sessions, multi-device fan-out and message handling on top of X3DH, the
 * Double Ratchet and the store (PROTOCOL.md §8-§10, whitepaper §3-§4). Imports only `crypto`,
 * `wire`, `x3dh`, `ratchet`, `store` and the errors.
 *
 * @module
 */
export { Protocol } from './protocol.ts'
export {
  DEFAULT_BUNDLE_REPLY_INTERVAL_MS,
  DEFAULT_MAX_INSTALLATIONS,
  DEFAULT_SESSION_RETENTION_MS,
  DEFAULT_SIGNED_PRE_KEY_ROTATION_MS,
  DEFAULT_STALE_DEVICE_MS,
} from './context.ts'
export type { KeyPurpose, ProtocolOptions } from './context.ts'
export type { ProcessedBundle } from './bundles.ts'
export type { DeviceRecord } from './devices.ts'
export type { EncryptResult, SendFailure } from './send.ts'
export type { DecryptResult, HandleOptions, HandleResult } from './receive.ts'
export type { PruneResult } from './prune.ts'
export { sessionId } from './sessions.ts'
export { MAX_ARCHIVED } from './archive.ts'
