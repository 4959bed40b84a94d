/**
 * `status-pfs/transport`: Whisper v6 payloads and envelopes, Status topics and topic keys,
 * de-duplication, the `Network` interface with the in-process `MemoryNetwork`, and store nodes
 * (mailservers) with their sync client. Spec: TRANSPORT.md §1, §4; PROTOCOL.md §1, §11.
 *
 * Everything that runs in a browser is in `./portable.ts`; this face adds the Node-only parts:
 * the SQLite mailserver archive (better-sqlite3) and the TCP+WebSocket `Libp2pNetwork`.
 *
 * @module
 */
export * from './portable.ts'
export { SqliteEnvelopeStore } from './mailserver/sqlite-store.ts'
export type { SqliteEnvelopeStoreOptions } from './mailserver/sqlite-store.ts'
export { SCHEMA_VERSION as MAILSERVER_SCHEMA_VERSION } from './mailserver/schema.ts'
export { Libp2pNetwork } from './libp2p/libp2p-network.ts'
export type { Libp2pNetworkOptions, Libp2pNetworkStats } from './libp2p/libp2p-network.ts'
