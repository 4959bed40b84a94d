/**
 * The one interface every implementation under comparison implements (`bench/compare.ts`). Each
 * adapter drives its library through the library's own public API, the way an application would:
 * messages leave `encrypt` as the bytes (or string) the library puts on the wire and enter
 * `decrypt` as those bytes, so wire encoding is part of every figure.
 *
 * Calls may return a promise (the Signal libraries are async) or a value; the harness awaits only
 * promises, so synchronous libraries pay no microtask per call.
 */

export type MaybePromise<T> = T | Promise<T>

/** A message as one library puts it on the wire; opaque to the harness. */
export type WireMessage = unknown

/** Two ends of one established 1:1 session: side 0 = the initiator (Alice), 1 = Bob. */
export interface SessionPair {
  /** Encrypts `plaintext` from side `from` to the other side. */
  encrypt(from: 0 | 1, plaintext: Uint8Array): MaybePromise<WireMessage>
  /** Decrypts on side `to` a message the other side sent. Throws when it cannot. */
  decrypt(to: 0 | 1, message: WireMessage): MaybePromise<Uint8Array>
  /** The serialized state side `side` keeps for this session (bytes at rest). */
  serializedBytes(side: 0 | 1): MaybePromise<number>
}

export interface Adapter {
  /** Row label, e.g. `status-pfs secp256k1/native`. */
  readonly name: string
  /** True for the rows whose ratio to every anchor is printed. */
  readonly ours: boolean
  /**
   * One session establishment: the initiator processes the responder's published keys (made
   * once, outside the timing), runs X3DH and encrypts the first message; the responder runs X3DH
   * and decrypts it.
   */
  establish(plaintext: Uint8Array): MaybePromise<void>
  /** An established pair: as `establish`, plus one reply so both sides have a full session. */
  newSession(): MaybePromise<SessionPair>
  /** Frees native or wasm resources, if the library has any. */
  close?(): void
}
