/**
 * `status-pfs`: the package root. Re-exports the error type and the pieces of the application API
 * of DESIGN.md ("Public API"): the `Messenger`, stores and networks. Lower layers are subpath
 * exports (`status-pfs/crypto`, `/wire`, `/x3dh`, `/ratchet`, `/store`, `/transport`).
 *
 * @module
 */
export { ErrorCode, PfsError, WireError, BundleError, isPfsError } from './errors.ts'
export type { ErrorDetails } from './errors.ts'
export { MemoryStore, SqliteStore } from './store/index.ts'
export type { Store } from './store/index.ts'
export { MemoryNetwork, Libp2pNetwork } from './transport/index.ts'
export type { Network } from './transport/index.ts'
export { Messenger } from './messenger/index.ts'
export type {
  ChatMessageInfo,
  ContactInfo,
  ContactRequestInfo,
  DecryptionFailureReason,
  DeviceInfo,
  MessengerEvents,
  MessengerOptions,
  MessengerStats,
  RepairAction,
  SendResult,
  SyncProgress,
  SyncResult,
} from './messenger/index.ts'
