/**
 * The skipped-message-key store of one session (DR `MKSKIPPED`; PROTOCOL.md §7.5 `skip`, pruning in
 * `applyChanges`): message keys of messages not yet received, indexed by (sender ratchet key, N),
 * each with its sequence number `seq` (the reference's `seq_num`, a per-session `KeysCount`).
 *
 * Immutable and copy-on-write: a state shares its store with the state it came from until a
 * decrypt adds keys, which copies the map (at most `MAX_MESSAGE_KEYS_PER_SESSION` entries); using
 * a key only adds a tombstone to a small set (see `MAX_TOMBSTONES`). In-order traffic never
 * touches the store, so the hot path pays nothing. A Map keeps
 * insertion order, and keys are only ever appended with increasing `seq`, so iteration order is
 * `seq` order and pruning the oldest is deleting from the front.
 *
 * Differences from the reference, both local (nothing changes on the wire):
 * - the store is per session, not global (the reference keys it by (ratchet key, N) across all
 *   sessions, and only prunes per session);
 * - the key of a decrypted message is never stored, and a skipped key is removed when it is used
 *   (forward secrecy); the reference keeps both until the app confirms the message.
 *
 * Superseded keys are not wiped here: an older state value may still hold them. Dropping old
 * states (and the store overwriting its record) is what deletes them.
 *
 * @module
 */
import { MAX_KEEP, MAX_MESSAGE_KEYS_PER_SESSION } from './consts.ts'

/** One stored key. `dh` is shared by all keys of a chain and never mutated. */
export interface SkippedKey {
  /** The sender's ratchet public key of the chain. */
  readonly dh: Uint8Array
  /** N of the message this key decrypts. */
  readonly n: number
  /** The message key (32 bytes). */
  readonly mk: Uint8Array
  /** Sequence number: strictly increasing in derivation order. */
  readonly seq: number
}

/** A compact map key for a ratchet public key: one char per byte (fixed length per DH function). */
export function chainId(dh: Uint8Array): string {
  return String.fromCharCode.apply(null, dh as unknown as number[])
}

function entryKey(id: string, n: number): string {
  return `${id}/${n}`
}

/**
 * How many deletions a store records as tombstones over a shared map before it copies the map
 * without them: using stored keys costs O(tombstones) each plus one O(size) copy per this many,
 * instead of an O(size) copy each (1,000 shuffled messages would copy ~500,000 entries).
 */
const MAX_TOMBSTONES = 64

const NO_TOMBSTONES: ReadonlySet<string> = new Set()

/** The immutable store. */
export class SkippedKeys {
  static readonly EMPTY: SkippedKeys = new SkippedKeys(new Map(), NO_TOMBSTONES)

  /** Shared, never mutated once a store holds it; may still hold keys listed in `#removed`. */
  readonly #map: ReadonlyMap<string, SkippedKey>
  /** Keys deleted from `#map` (used or pruned), not yet compacted away. */
  readonly #removed: ReadonlySet<string>
  /** `seq` of the oldest live key, +∞ when empty: makes the MaxKeep check O(1). */
  readonly #oldestSeq: number

  private constructor(map: ReadonlyMap<string, SkippedKey>, removed: ReadonlySet<string>) {
    this.#map = map
    this.#removed = removed
    let oldest = Number.POSITIVE_INFINITY
    for (const [key, k] of map) {
      if (removed.has(key)) continue
      oldest = k.seq
      break
    }
    this.#oldestSeq = oldest
  }

  /** Builds a store from keys already in `seq` order with unique (dh, n) (deserialize checks). */
  static fromOrdered(keys: Iterable<SkippedKey>): SkippedKeys {
    const map = new Map<string, SkippedKey>()
    for (const k of keys) map.set(entryKey(chainId(k.dh), k.n), k)
    return map.size === 0 ? SkippedKeys.EMPTY : new SkippedKeys(map, NO_TOMBSTONES)
  }

  get size(): number {
    return this.#map.size - this.#removed.size
  }

  /** The key for (dh, n), if stored. */
  get(dh: Uint8Array, n: number): SkippedKey | undefined {
    if (this.size === 0) return undefined
    const key = entryKey(chainId(dh), n)
    return this.#removed.has(key) ? undefined : this.#map.get(key)
  }

  /** Keys in `seq` order. */
  *values(): IterableIterator<SkippedKey> {
    for (const [key, k] of this.#map) if (!this.#removed.has(key)) yield k
  }

  /** The store without `key` (used: deleted for forward secrecy). */
  without(key: SkippedKey): SkippedKeys {
    const id = entryKey(chainId(key.dh), key.n)
    if (this.size <= 1) return SkippedKeys.EMPTY
    if (this.#removed.size < MAX_TOMBSTONES) {
      return new SkippedKeys(this.#map, new Set(this.#removed).add(id))
    }
    const map = this.#live()
    map.delete(id)
    return new SkippedKeys(map, NO_TOMBSTONES)
  }

  /**
   * The store with `added` appended (each with a `seq` above every stored one), then pruned as
   * the reference prunes after a decrypt: keys with `seq ≤ keysCount − MAX_KEEP` go, then the
   * oldest until at most `MAX_MESSAGE_KEYS_PER_SESSION` remain.
   */
  withAdded(added: readonly SkippedKey[], keysCount: number): SkippedKeys {
    if (added.length === 0) return this.pruned(keysCount)
    const map = this.#live()
    let id = ''
    let lastDh: Uint8Array | undefined
    for (const k of added) {
      if (k.dh !== lastDh) {
        lastDh = k.dh
        id = chainId(k.dh)
      }
      map.set(entryKey(id, k.n), k)
    }
    prune(map, keysCount)
    return new SkippedKeys(map, NO_TOMBSTONES)
  }

  /** The store after the MaxKeep rule for `keysCount`; `this` when nothing expires (no copy). */
  pruned(keysCount: number): SkippedKeys {
    if (this.#oldestSeq > keysCount - MAX_KEEP) return this
    const map = this.#live()
    prune(map, keysCount)
    return map.size === 0 ? SkippedKeys.EMPTY : new SkippedKeys(map, NO_TOMBSTONES)
  }

  /**
   * The store with only its `max` newest keys (highest `seq`); `this` when it holds no more. For
   * a throwaway copy of a state (the sync worker's shadow sessions), never for a stored one: the
   * keys dropped are messages that copy can no longer read.
   */
  newest(max: number): SkippedKeys {
    const drop = this.size - max
    if (drop <= 0) return this
    const map = new Map<string, SkippedKey>()
    let seen = 0
    for (const [key, k] of this.#map) {
      if (this.#removed.has(key)) continue
      if (seen++ >= drop) map.set(key, k)
    }
    return map.size === 0 ? SkippedKeys.EMPTY : new SkippedKeys(map, NO_TOMBSTONES)
  }

  /** A fresh, mutable copy of the live entries (tombstones dropped), in `seq` order. */
  #live(): Map<string, SkippedKey> {
    if (this.#removed.size === 0) return new Map(this.#map)
    const map = new Map<string, SkippedKey>()
    for (const [key, k] of this.#map) if (!this.#removed.has(key)) map.set(key, k)
    return map
  }
}

function prune(map: Map<string, SkippedKey>, keysCount: number): void {
  const expired = keysCount - MAX_KEEP
  for (const [key, k] of map) {
    if (k.seq > expired && map.size <= MAX_MESSAGE_KEYS_PER_SESSION) break
    map.delete(key)
  }
}
