/**
 * The browser's durable `Store`: `IndexedDbStore`, a `MemoryStore` with a redo journal in
 * IndexedDB (see store.ts for the durability model).
 *
 * @module
 */
export { IndexedDbStore, INDEXEDDB_JOURNAL_VERSION } from './store.ts'
export type { IndexedDbStoreOptions } from './store.ts'
export type { IdbDurability, IdbFactory } from './idb.ts'
