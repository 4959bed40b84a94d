/**
 * The worker side of {@link SyncOpener} (`sync-open-pool.ts`): opens store-node envelopes with
 * the transport's own `open` (ECIES or AES-GCM decryption, payload parsing, signature recovery
 * over Keccak-256; PROTOCOL.md §11.1) on the `native` provider, and posts the results back. The
 * topic keys it is sent are wiped when the pool closes; nothing here logs.
 *
 * Protocol (structured clone over the worker's port):
 * - in: `{ t: 'key', id, sym, bytes }` (bytes transferred), `{ t: 'open', id, data, ends, keys }`
 *   (one batch, transferred), `{ t: 'close' }`;
 * - out: `{ t: 'ready' }` once loaded, `{ t: 'opened', id, results }` per `open` request, in order.
 *
 * @module
 */
import { parentPort } from 'node:worker_threads'
import type { MessagePort } from 'node:worker_threads'
// Narrow imports (not the layer indexes): the worker starts while a sync is already running.
import { providers } from '../crypto/providers.ts'
import { SecretKey } from '../crypto/secret.ts'
import { isPfsError } from '../errors.ts'
import { open } from '../transport/payload.ts'
import type { OpenKey, PreopenedResult } from '../transport/payload.ts'

/** What the pool sends. */
export type ToWorker =
  | { readonly t: 'key'; readonly id: number; readonly sym: boolean; readonly bytes: Uint8Array }
  | {
      readonly t: 'open'
      readonly id: number
      /** The batch's envelope data, back to back; envelope j ends at `ends[j]`. */
      readonly data: Uint8Array
      readonly ends: Uint32Array
      /** The key id of each envelope; -1: not opened here. */
      readonly keys: Int32Array
    }
  | { readonly t: 'close' }

/** What the worker sends back. */
export type FromWorker =
  | { readonly t: 'ready' }
  | {
      readonly t: 'opened'
      readonly id: number
      /** null: not opened here (the main thread opens it itself). */
      readonly results: readonly (PreopenedResult | null)[]
    }

function openOne(data: Uint8Array, key: OpenKey | undefined): PreopenedResult | null {
  if (key === undefined) return null
  try {
    // allowUnsigned: the main thread's `open` applies its caller's choice to the result.
    const opened = open(data, key, { provider: providers.native, allowUnsigned: true })
    return { ok: true, opened }
  } catch (e) {
    if (isPfsError(e)) return { ok: false, code: e.code, message: e.message }
    return { ok: false, code: 'WIRE_MALFORMED', message: 'payload could not be opened' }
  }
}

function serve(port: MessagePort): void {
  const keys = new Map<number, OpenKey>()
  port.on('message', (m: ToWorker) => {
    if (m.t === 'key') {
      const secret = SecretKey.fromBytesUnsafe(m.bytes)
      keys.set(m.id, m.sym ? { symKey: secret } : { privateKey: secret })
    } else if (m.t === 'open') {
      const results: (PreopenedResult | null)[] = []
      for (let j = 0, start = 0; j < m.ends.length; start = m.ends[j]!, j++) {
        results.push(openOne(m.data.slice(start, m.ends[j]), keys.get(m.keys[j]!)))
      }
      port.postMessage({ t: 'opened', id: m.id, results } satisfies FromWorker)
    } else {
      for (const k of keys.values()) ('symKey' in k ? k.symKey : k.privateKey).destroy()
      keys.clear()
      port.close()
    }
  })
  port.postMessage({ t: 'ready' } satisfies FromWorker)
}

if (parentPort !== null) serve(parentPort)
