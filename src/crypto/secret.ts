/**
 * Opaque secret-key containers (STYLE.md §6): the bytes live in a private field, never print, never
 * serialize to JSON, and can be wiped. Only crypto providers and stores read them, through `use`.
 *
 * @module
 */
import { wipe } from './bytes.ts'

const REDACTED = 'SecretKey(<redacted>)'

/** A 32-byte secret scalar or symmetric key, opaque to everything but `use`. */
export class SecretKey {
  readonly #bytes: Uint8Array
  #destroyed = false

  private constructor(bytes: Uint8Array) {
    this.#bytes = bytes
  }

  /** Takes ownership of `bytes` (the caller must not keep or reuse the array). */
  static fromBytesUnsafe(bytes: Uint8Array): SecretKey {
    return new SecretKey(bytes)
  }

  /** Copies `bytes`; the caller may wipe its array afterwards. */
  static fromBytes(bytes: Uint8Array): SecretKey {
    return new SecretKey(Uint8Array.from(bytes))
  }

  get length(): number {
    return this.#bytes.length
  }

  /** @internal Lends the bytes to `fn`; `fn` must not return or keep them. */
  use<T>(fn: (raw: Uint8Array) => T): T {
    if (this.#destroyed) throw new TypeError('SecretKey was destroyed')
    return fn(this.#bytes)
  }

  /** A copy of the bytes, for stores that must persist the key. The caller wipes it after use. */
  exportBytes(): Uint8Array {
    return this.use((b) => Uint8Array.from(b))
  }

  /** Zeroes the bytes; any later `use` throws. */
  destroy(): void {
    wipe(this.#bytes)
    this.#destroyed = true
  }

  get destroyed(): boolean {
    return this.#destroyed
  }

  toJSON(): never {
    throw new TypeError('SecretKey is not JSON-serializable; use the store codec')
  }

  toString(): string {
    return REDACTED
  }

  static {
    Object.defineProperty(this.prototype, Symbol.for('nodejs.util.inspect.custom'), {
      value: () => REDACTED,
    })
  }
}
