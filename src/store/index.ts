/**
 * `status-pfs/store`: persistence behind one `Store` interface (DESIGN.md "Storage"), with a
 * durable `SqliteStore` (better-sqlite3@12, WAL, numbered migrations, optional encryption at rest)
 * and an in-memory `MemoryStore` of identical semantics.
 *
 * @module
 */
export type {
  AccountRecord,
  BundleRecord,
  ContactRecord,
  ContactRequestRecord,
  ContactRequestState,
  DeliveryRecord,
  DeliveryState,
  Direction,
  InstallationRecord,
  ListContactRequestsOptions,
  ListMessagesOptions,
  ListSignedPreKeysOptions,
  MessageRecord,
  OneTimePreKeyRecord,
  SessionRecord,
  SharedSecretRecord,
  SignedPreKeyRecord,
  SkippedKeyRecord,
  Store,
  SyncCursorRecord,
} from './types.ts'
export { MemoryStore } from './memory.ts'
export { SqliteStore } from './sqlite/store.ts'
export type { SqliteStoreOptions } from './sqlite/store.ts'
export { SCHEMA_VERSION } from './sqlite/migrations.ts'
export { DEFAULT_KDF_ITERATIONS, MIN_KDF_ITERATIONS } from './at-rest.ts'
