/**
 * Shared helpers of the protocol tests: both stores, devices with a fake clock, and a dump of
 * everything the protocol writes (to check that a failed handle changed nothing).
 *
 * @module
 */
import { defaultProvider, toHex, utf8 } from '../../src/crypto/index.ts'
import type { SecretKey } from '../../src/crypto/index.ts'
import { Protocol } from '../../src/protocol/index.ts'
import type { ProtocolOptions } from '../../src/protocol/index.ts'
import { MemoryStore, SqliteStore } from '../../src/store/index.ts'
import type { Store } from '../../src/store/index.ts'
import { join } from 'node:path'
import { tempDir } from '../store/helpers.ts'

export const crypto = defaultProvider()

/** Both stores, by name: every scenario runs on each. */
export const STORES: readonly (readonly [string, () => Store])[] = [
  ['MemoryStore', () => new MemoryStore()],
  ['SqliteStore', () => SqliteStore.open(':memory:')],
]

let tmp: { dir: string; remove(): void } | undefined
let fileCount = 0
const paths = new WeakMap<Store, string>()

/** A `SqliteStore` on a fresh file in a temporary directory removed when the process exits. */
export function sqliteFileStore(): Store {
  if (tmp === undefined) {
    const t = tempDir('pfs-protocol-')
    tmp = t
    process.once('exit', () => {
      t.remove()
    })
  }
  const path = join(tmp.dir, `store-${String(++fileCount)}.sqlite`)
  const store = SqliteStore.open(path)
  paths.set(store, path)
  return store
}

/** The scenario stores of issue 5: MemoryStore and SqliteStore on a temporary file. */
export const SCENARIO_STORES: readonly (readonly [string, () => Store])[] = [
  ['MemoryStore', () => new MemoryStore()],
  ['SqliteStore', sqliteFileStore],
]

/**
 * "Restarts" a store: a file-backed `SqliteStore` is closed and opened again from its file; a
 * `MemoryStore` (whose life is the process) is returned as is.
 */
export function reopen(store: Store): Store {
  const path = paths.get(store)
  if (path === undefined) return store
  store.close()
  const again = SqliteStore.open(path)
  paths.set(again, path)
  return again
}

/** A new `Protocol` for an existing device over `store` (same identity and installation). */
export function restart(d: Device, store: Store, clock: { now: bigint }, name: string): Device {
  const protocol = new Protocol({
    store,
    identity: identityKey(name),
    installationId: d.installationId,
    clock: () => clock.now,
  })
  return { ...d, protocol, store }
}

/** A deterministic identity key from a name. */
export function identityKey(name: string): SecretKey {
  return crypto.secp256k1PrivateKey(crypto.sha256(utf8(`identity:${name}`)))
}

export interface Device {
  readonly protocol: Protocol
  readonly store: Store
  readonly publicKey: Uint8Array
  readonly installationId: string
}

/** Start of the fake clock: 2026-01-01 in ns. */
export const T0 = 1_767_225_600_000_000_000n

/** A device of identity `name` on a fresh store, its clock at `clock.now`. */
export function device(
  makeStore: () => Store,
  name: string,
  installationId: string,
  clock: { now: bigint } = { now: T0 },
  options: Partial<ProtocolOptions> = {},
): Device {
  const store = makeStore()
  const identity = identityKey(name)
  const protocol = new Protocol({
    store,
    identity,
    installationId,
    clock: () => clock.now,
    ...options,
  })
  return {
    protocol,
    store,
    publicKey: crypto.secp256k1PublicKey(identity, true),
    installationId,
  }
}

function json(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v instanceof Uint8Array) return toHex(v)
    if (typeof v === 'bigint') return v.toString()
    return v
  })
}

/** Everything the protocol may write about `identities`, as one comparable string. */
export function dump(store: Store, identities: readonly Uint8Array[]): string {
  const parts: unknown[] = [
    store.getAccount(),
    store.listSignedPreKeys({ includeExpired: true }),
    store.listSharedSecrets(),
  ]
  for (const id of identities) {
    const installations = store.listInstallations(id)
    parts.push(installations, store.listBundles(id))
    for (const inst of installations) {
      const sessions = store.listSessionsFor(id, inst.installationId)
      parts.push(
        sessions,
        sessions.map((s) => store.countSkippedKeys(s.id)),
      )
    }
  }
  return json(parts)
}
