/**
 * The slice of the IndexedDB and Web Locks APIs that `IndexedDbStore` uses, typed here so the store
 * compiles under the project's `lib: es2022` (no DOM types), plus promise wrappers for requests.
 *
 * Owns: reaching `indexedDB` and `navigator.locks` on `globalThis`. Does not own: what is stored.
 *
 * @module
 */
import { PfsError } from '../../errors.ts'

/** What the browser puts in `event.target.error` / `request.error`: a DOMException or null. */
interface IdbError {
  readonly name: string
  readonly message: string
}

export interface IdbRequest<T> {
  readonly result: T
  readonly error: IdbError | null
  onsuccess: ((this: unknown, ev: unknown) => unknown) | null
  onerror: ((this: unknown, ev: unknown) => unknown) | null
}

export interface IdbOpenRequest extends IdbRequest<IdbDatabase> {
  onupgradeneeded: ((this: unknown, ev: { readonly oldVersion: number }) => unknown) | null
  onblocked: ((this: unknown, ev: unknown) => unknown) | null
}

export interface IdbObjectStore {
  add(value: unknown): IdbRequest<unknown>
  put(value: unknown, key?: string): IdbRequest<unknown>
  get(key: string): IdbRequest<unknown>
  getAll(): IdbRequest<unknown[]>
  clear(): IdbRequest<undefined>
}

export interface IdbTransaction {
  objectStore(name: string): IdbObjectStore
  readonly error: IdbError | null
  oncomplete: ((this: unknown, ev: unknown) => unknown) | null
  onerror: ((this: unknown, ev: unknown) => unknown) | null
  onabort: ((this: unknown, ev: unknown) => unknown) | null
}

/** `durability` of IDBTransactionOptions: `strict` waits for the OS to report the data on disk. */
export type IdbDurability = 'default' | 'strict' | 'relaxed'

export interface IdbDatabase {
  readonly objectStoreNames: { contains(name: string): boolean }
  createObjectStore(name: string, options?: { autoIncrement?: boolean }): IdbObjectStore
  transaction(
    stores: string[],
    mode: 'readonly' | 'readwrite',
    options?: { durability: IdbDurability },
  ): IdbTransaction
  close(): void
  onversionchange: ((this: unknown, ev: unknown) => unknown) | null
}

export interface IdbFactory {
  open(name: string, version: number): IdbOpenRequest
  deleteDatabase(name: string): IdbRequest<undefined> & {
    onblocked: ((this: unknown, ev: unknown) => unknown) | null
  }
}

/** Web Locks (navigator.locks): one tab at a time may hold a store's lock. */
export interface LockManager {
  request(
    name: string,
    options: { mode: 'exclusive'; ifAvailable: true },
    callback: (lock: object | null) => Promise<void> | undefined,
  ): Promise<unknown>
}

/** `globalThis.indexedDB`, or `UNSUPPORTED` where there is none (Node, some private modes). */
export function defaultFactory(): IdbFactory {
  const f = (globalThis as unknown as { indexedDB?: IdbFactory }).indexedDB
  if (f === undefined) throw new PfsError('UNSUPPORTED', 'IndexedDB is not available here')
  return f
}

/** `navigator.locks` when the platform has it. */
export function lockManager(): LockManager | undefined {
  return (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks
}

/** A `STORE_FAILURE` naming the engine's error class (never stored data). */
export function idbFailure(what: string, error: IdbError | null | undefined): PfsError {
  return new PfsError('STORE_FAILURE', `IndexedDB ${what} failed`, {
    error: error?.name ?? 'unknown',
  })
}

/** Resolves with the request's result, rejects with `STORE_FAILURE`. */
export function requestResult<T>(request: IdbRequest<T>, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => {
      resolve(request.result)
    }
    request.onerror = () => {
      reject(idbFailure(what, request.error))
    }
  })
}

/** Resolves when the transaction commits, rejects with `STORE_FAILURE` when it aborts. */
export function transactionDone(tx: IdbTransaction, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => {
      resolve()
    }
    tx.onabort = () => {
      reject(idbFailure(what, tx.error))
    }
  })
}
