/**
 * In-memory memos of one `Protocol`, so that the steady state of a conversation does not redo
 * work whose result is already known (issue 9: no re-derivation of known keys, no re-encoding in
 * hot paths):
 *
 * - **pure results** — a public key's compressed form, a bundle's verification (keyed by every
 *   field `verifyBundle` reads, so a changed byte is a miss), `X(IK_me · IK_peer)` (§11.4). They
 *   depend on their inputs only, so a rolled-back transaction cannot make them wrong;
 * - **decoded ratchet states**, per session, valid only while the store holds exactly the bytes
 *   they were decoded from or encoded to: a rollback restores other bytes, the next load sees the
 *   mismatch and decodes again (DESIGN.md "Storage": a failed handle leaves the store unchanged,
 *   and this memo never changes what is read from it);
 * - **our signed bundle**, reused while the signed content (entries, identity) is unchanged and
 *   it is younger than the re-sign interval (see prekeys.ts).
 *
 * Every map is bounded (oldest entry dropped first). Secrets held here (shared secrets, ratchet
 * states) are the same ones the store and the ratchet already hold in memory; keys of the maps
 * are public data only (STYLE.md §6: secrets never become strings).
 *
 * @module
 */
import { bytesEqual, bytesKey, wipe } from '../crypto/index.ts'
import type { RatchetState } from '../ratchet/index.ts'
import type { Bundle } from '../wire/index.ts'

/** A `Map` that forgets its oldest entry beyond `max` entries. */
export class BoundedMap<K, V> {
  readonly #map = new Map<K, V>()
  readonly #max: number
  readonly #onEvict: ((v: V) => void) | undefined

  constructor(max: number, onEvict?: (v: V) => void) {
    this.#max = max
    this.#onEvict = onEvict
  }

  get(key: K): V | undefined {
    return this.#map.get(key)
  }

  set(key: K, value: V): void {
    const old = this.#map.get(key)
    // A replaced entry keeps its place: eviction is oldest-inserted first, which is enough for a
    // bound and saves a delete and re-insert on every update.
    if (old !== undefined && old !== value) this.#onEvict?.(old)
    this.#map.set(key, value)
    if (this.#map.size > this.#max) {
      const oldest = this.#map.entries().next().value
      if (oldest !== undefined) {
        this.#map.delete(oldest[0])
        this.#onEvict?.(oldest[1])
      }
    }
  }

  delete(key: K): void {
    const old = this.#map.get(key)
    if (old === undefined) return
    this.#map.delete(key)
    this.#onEvict?.(old)
  }

  get size(): number {
    return this.#map.size
  }
}

/** A decoded ratchet state and the stored bytes it corresponds to. */
interface CachedState {
  readonly bytes: Uint8Array
  readonly state: RatchetState
}

/** Our last signed bundle and what it was signed over. */
export interface CachedBundle {
  /** The signed content: entries and identity, as a string of public data. */
  readonly key: string
  readonly bundle: Bundle
}

/** A bundle signature's length (65-byte recoverable ECDSA, PROTOCOL.md §2): others are not kept. */
const SIGNATURE = 65

/** Bounds of the memos: generous for a device's working set, small in memory. */
const MAX_BUNDLES = 512
const MAX_SECRETS = 1024
const MAX_STATES = 1024

/** The memos of one `Protocol` (one identity, one store). */
export class ProtocolCache {
  /** By the bundle's signature (`bytesKey`); a hit is used only when every field is equal. */
  readonly #verified = new BoundedMap<string, VerifiedBundle>(MAX_BUNDLES)
  readonly #secrets = new BoundedMap<string, Uint8Array>(MAX_SECRETS, (s) => {
    wipe(s)
  })
  readonly #states = new BoundedMap<string, CachedState>(MAX_STATES, (s) => {
    wipe(s.bytes)
  })
  /** Our last signed bundle (prekeys.ts). */
  ourBundle: CachedBundle | undefined

  /** The identity `b` verified to before, when every field `verifyBundle` reads is equal. */
  verifiedBundle(b: Bundle): Uint8Array | undefined {
    const key = verifiedKey(b)
    const seen = key === undefined ? undefined : this.#verified.get(key)
    return seen !== undefined && sameBundle(seen, b) ? seen.verified.slice() : undefined
  }

  /** Remembers that `b` verified to `identity` (nothing for a bundle of unexpected shape). */
  rememberVerifiedBundle(b: Bundle, identity: Uint8Array): void {
    const key = verifiedKey(b)
    const seen = key === undefined ? undefined : snapshot(b, identity)
    if (key !== undefined && seen !== undefined) this.#verified.set(key, seen)
  }

  /** `derive()` memoized by the peer identity (public); the returned copy is the caller's. */
  sharedSecret(peer: Uint8Array, derive: () => Uint8Array): Uint8Array {
    const h = bytesKey(peer)
    let s = this.#secrets.get(h)
    if (s === undefined) {
      s = derive()
      this.#secrets.set(h, s.slice())
    }
    return s.slice()
  }

  /** The decoded state of session `id` when `stored` is exactly what it was decoded from. */
  state(id: Uint8Array, stored: Uint8Array): RatchetState | undefined {
    const c = this.#states.get(bytesKey(id))
    return c !== undefined && bytesEqual(c.bytes, stored) ? c.state : undefined
  }

  /** Records `state` as the decoding of `bytes` for session `id`; takes ownership of `bytes`. */
  rememberState(id: Uint8Array, bytes: Uint8Array, state: RatchetState): void {
    this.#states.set(bytesKey(id), { bytes, state })
  }
}

/** The memo's key of `b`: its signature, when it has a signature's length (else not kept). */
function verifiedKey(b: Bundle): string | undefined {
  return b.signature instanceof Uint8Array && b.signature.length === SIGNATURE
    ? bytesKey(b.signature)
    : undefined
}

/** What `verifyBundle` reads of one signed-prekey entry, copied. */
interface SeenEntry {
  readonly id: string
  readonly signedPreKey: Uint8Array
  readonly version: number
  readonly protocolVersion: number
}

/**
 * Every field `verifyBundle` reads of a bundle that verified, copied, with the identity it
 * verified to. A bundle equal to it in all of them, entries in the same order, verifies the same
 * way (issue 9: compared field by field, ~10× cheaper than building and hashing a string key of
 * them on every message).
 */
interface VerifiedBundle {
  readonly identity: Uint8Array
  readonly signature: Uint8Array
  readonly timestamp: bigint
  readonly entries: readonly SeenEntry[]
  readonly verified: Uint8Array
}

/**
 * The fields `verifyBundle` reads, copied, or undefined for a bundle of unexpected shape (which
 * then goes through the full check and is not cached).
 */
function snapshot(b: Bundle, verified: Uint8Array): VerifiedBundle | undefined {
  const entries = entriesOf(b)
  if (entries === undefined) return undefined
  return {
    identity: b.identity.slice(),
    signature: b.signature.slice(),
    timestamp: b.timestamp,
    entries: entries.map((e) => ({ ...e, signedPreKey: e.signedPreKey.slice() })),
    verified: verified.slice(),
  }
}

/** The entries of a well-shaped bundle (views, not copies), or undefined. */
function entriesOf(b: Bundle): SeenEntry[] | undefined {
  if (
    typeof b !== 'object' ||
    !(b.identity instanceof Uint8Array) ||
    !(b.signature instanceof Uint8Array) ||
    typeof b.timestamp !== 'bigint' ||
    typeof b.signedPreKeys !== 'object'
  ) {
    return undefined
  }
  const entries: SeenEntry[] = []
  for (const id of Object.keys(b.signedPreKeys)) {
    const spk = b.signedPreKeys[id] as Bundle['signedPreKeys'][string] | undefined | null
    if (
      typeof spk !== 'object' ||
      spk === null ||
      !(spk.signedPreKey instanceof Uint8Array) ||
      typeof spk.version !== 'number' ||
      typeof spk.protocolVersion !== 'number'
    ) {
      return undefined
    }
    entries.push({
      id,
      signedPreKey: spk.signedPreKey,
      version: spk.version,
      protocolVersion: spk.protocolVersion,
    })
  }
  return entries
}

/** True when `b` equals `seen` in every field `verifyBundle` reads. */
function sameBundle(seen: VerifiedBundle, b: Bundle): boolean {
  if (
    !bytesEqual(seen.signature, b.signature) ||
    !bytesEqual(seen.identity, b.identity) ||
    seen.timestamp !== b.timestamp
  ) {
    return false
  }
  const entries = entriesOf(b)
  if (entries?.length !== seen.entries.length) return false
  return entries.every((e, i) => {
    const s = seen.entries[i]!
    return (
      e.id === s.id &&
      e.version === s.version &&
      e.protocolVersion === s.protocolVersion &&
      bytesEqual(e.signedPreKey, s.signedPreKey)
    )
  })
}
