/**
 * Shared helpers of the protocol tests: both stores, devices with a fake clock, and a dump of
 * everything the protocol writes (to check that a failed handle changed nothing).
 *
 * @module
 */
import { defaultProvider, toHex, utf8 } from '../../src/crypto/index.ts'
import type { SecretKey } from '../../src/crypto/index.ts'
import { Protocol } from '../../src/protocol/index.ts'
import { MemoryStore, SqliteStore } from '../../src/store/index.ts'
import type { Store } from '../../src/store/index.ts'

export const crypto = defaultProvider()

/** Both stores, by name: every scenario runs on each. */
export const STORES: readonly (readonly [string, () => Store])[] = [
  ['MemoryStore', () => new MemoryStore()],
  ['SqliteStore', () => SqliteStore.open(':memory:')],
]

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
): Device {
  const store = makeStore()
  const identity = identityKey(name)
  const protocol = new Protocol({ store, identity, installationId, clock: () => clock.now })
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
