/**
 * What a push server keeps (status-go `pushnotificationserver` persistence): one registration per
 * (hashed identity, installation). By construction it holds no contact list: the allowed senders
 * are SHA-256 hashes of per-contact access tokens (`tokens.ts`), and the owner is known only by
 * the hash of its key. `MemoryPushStorage` for tests and embedded use, `FilePushStorage` (one
 * JSON file, rewritten atomically) for `status-pfs node --push`.
 *
 * @module
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { PfsError } from '../../errors.ts'

/** One stored registration; every field is what the server needs to deliver, nothing more. */
export interface StoredRegistration {
  /** Hex SHA-256 of the owner's compressed key. */
  readonly hashedPublicKey: string
  readonly installationId: string
  readonly tokenType: number
  /** The APNs/FCM device token (the server must have it to deliver). */
  readonly deviceToken: string
  /** Decimal string (uint64). */
  readonly version: string
  readonly enabled: boolean
  readonly allowFromContactsOnly: boolean
  /** Hex SHA-256 of each allowed contact's access token. */
  readonly allowedTokenHashes: readonly string[]
}

export interface PushServerStorage {
  get(hashedPublicKey: string, installationId: string): StoredRegistration | undefined
  /** Every installation of one owner. */
  list(hashedPublicKey: string): StoredRegistration[]
  put(r: StoredRegistration): void
  delete(hashedPublicKey: string, installationId: string): void
  /** Everything, for inspection and backup. */
  all(): StoredRegistration[]
}

export class MemoryPushStorage implements PushServerStorage {
  readonly #rows = new Map<string, StoredRegistration>()

  get(h: string, installationId: string): StoredRegistration | undefined {
    return this.#rows.get(key(h, installationId))
  }

  list(h: string): StoredRegistration[] {
    return [...this.#rows.values()].filter((r) => r.hashedPublicKey === h)
  }

  put(r: StoredRegistration): void {
    this.#rows.set(key(r.hashedPublicKey, r.installationId), { ...r })
  }

  delete(h: string, installationId: string): void {
    this.#rows.delete(key(h, installationId))
  }

  all(): StoredRegistration[] {
    return [...this.#rows.values()]
  }
}

/** A `MemoryPushStorage` saved to `file` (write to a temporary file, then rename) on every change. */
export class FilePushStorage extends MemoryPushStorage {
  readonly #file: string

  constructor(file: string) {
    super()
    this.#file = file
    let text: string | undefined
    try {
      text = readFileSync(file, 'utf8')
    } catch {
      text = undefined
    }
    if (text !== undefined) {
      const doc = JSON.parse(text) as { version?: unknown; registrations?: StoredRegistration[] }
      if (doc.version !== 1)
        throw new PfsError('UNKNOWN_VERSION', 'push storage of an unknown version')
      for (const r of doc.registrations ?? []) super.put(r)
    }
  }

  override put(r: StoredRegistration): void {
    super.put(r)
    this.#save()
  }

  override delete(h: string, installationId: string): void {
    super.delete(h, installationId)
    this.#save()
  }

  #save(): void {
    const tmp = `${this.#file}.tmp`
    writeFileSync(tmp, JSON.stringify({ version: 1, registrations: this.all() }))
    renameSync(tmp, this.#file)
  }
}

function key(h: string, installationId: string): string {
  return `${h}/${installationId}`
}
