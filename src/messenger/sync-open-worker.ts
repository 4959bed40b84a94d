/**
 * The worker side of {@link SyncOpener} (`sync-open-pool.ts`): opens store-node envelopes with
 * the transport's own `open` (ECIES or AES-GCM decryption, payload parsing, signature recovery
 * over Keccak-256; PROTOCOL.md §11.1) on the `native` provider, and posts the results back. The
 * topic keys it is sent are wiped when the pool closes; nothing here logs.
 *
 * Speculative shadow ratchet (issue 9 catch-up): the pool may also send a snapshot of our
 * sessions' ratchet states. For each envelope it opened, the worker then decrypts our entry of
 * the `ProtocolMessage` in a private copy of the session its Double Ratchet header names,
 * parses the `ApplicationMetadataMessage` inside and recovers the application signature's signer
 * (PROTOCOL.md §1 item 6), which the main thread would otherwise recover itself
 * (`unwrapApplicationMessage`). Only public values come back — `{ signature, digest, signer }`,
 * for the main thread's `RecoveredSignatures` memo, used only on an exact (signature, digest)
 * match. Nothing the worker decrypts is trusted or stored: the main thread still decrypts every
 * message in the stored sessions and runs every check. Any failure here (no session, MAC,
 * duplicate, too many skipped, malformed) only means no entry for that envelope. Plaintexts and
 * ratchet states never leave the worker; the shadow states are dropped (their serialized bytes
 * wiped) when the pool closes.
 *
 * Opening comes first, this second: a batch's `opened` reply goes as soon as its envelopes are
 * open (the main thread waits for it), and the shadow work runs afterwards in small slices,
 * between which newer requests are opened first. Work for a batch the main thread has already
 * reached (`STALE_AFTER` requests later) is dropped: its result would come too late to save anything, and
 * the worker, not the main thread, would become the bottleneck of the sync (measured: recovering
 * every signature here made the worker the slower thread). The shadow then skips those messages
 * (kept as skipped keys, within the ratchet's usual limits, like any gap).
 *
 * Protocol (structured clone over the worker's port):
 * - in: `{ t: 'key', id, sym, bytes }` (bytes transferred), `{ t: 'sessions', installationId,
 *   sessions }` (at most once, before the first batch; state bytes transferred),
 *   `{ t: 'open', id, data, ends, keys }` (one batch, transferred), `{ t: 'close' }`;
 * - out: `{ t: 'ready' }` once loaded, `{ t: 'opened', id, results }` per `open` request, in order,
 *   `{ t: 'apps', entries }` (packed `RecoveredApp`s, sync-app-entries.ts; transferred) whenever
 *   the shadow work has some.
 *
 * @module
 */
import { parentPort } from 'node:worker_threads'
import type { MessagePort } from 'node:worker_threads'
// Narrow imports (not the layer indexes): the worker starts while a sync is already running.
import { toHex, wipe } from '../crypto/bytes.ts'
import { providers } from '../crypto/providers.ts'
import { SecretKey } from '../crypto/secret.ts'
import { isPfsError } from '../errors.ts'
import { decrypt } from '../ratchet/decrypt.ts'
import { deserialize } from '../ratchet/serialize.ts'
import { _keepNewestSkipped } from '../ratchet/state.ts'
import type { RatchetState } from '../ratchet/state.ts'
import { open } from '../transport/payload.ts'
import type { OpenKey, OpenedPayload, PreopenedResult } from '../transport/payload.ts'
import { decodeApplicationMetadataMessage } from '../wire/application.ts'
import { decodeProtocolMessage } from '../wire/codec.ts'
import { packApps } from './sync-app-entries.ts'
import type { RecoveredApp } from './sync-app-entries.ts'

/** One stored session, as the pool sends it (`SessionRecord` fields; `state` is secret). */
export interface SessionSnapshot {
  /** The peer's compressed identity key, 33 bytes. */
  readonly identity: Uint8Array
  readonly installationId: string
  /** The signed prekey the X3DH ran against: what a Double Ratchet header names (`DRHeader.id`). */
  readonly bundleId: Uint8Array
  /** The serialized ratchet state, as stored in `SessionRecord.state` (a copy: it is wiped here). */
  readonly state: Uint8Array
}

/**
 * Skipped message keys a shadow session keeps: enough for the reordering within a store node's
 * page, not for the batches dropped as stale (which the shadow never reads). Each skip copies the
 * skipped-key map, so a shadow left to fill up to the ratchet's limit spent 4 % of the worker on
 * copies (catch-up profile).
 */
const SHADOW_SKIPPED = 64

/** Envelopes of shadow work between two looks at the worker's message queue. */
const SLICE = 8
/** Shadow work for request `id` is dropped once request `id + STALE_AFTER` has come in. */
const STALE_AFTER = 4

/** What the pool sends. */
export type ToWorker =
  | { readonly t: 'key'; readonly id: number; readonly sym: boolean; readonly bytes: Uint8Array }
  | {
      readonly t: 'sessions'
      /** Our installation id: the key of our entry in `ProtocolMessage.encryptedMessage`. */
      readonly installationId: string
      readonly sessions: readonly SessionSnapshot[]
    }
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
  | {
      readonly t: 'apps'
      /** Packed `RecoveredApp`s (sync-app-entries.ts). */
      readonly entries: Uint8Array
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

/** The shadow map's key: the triple `findSession` looks a session up by. */
function sessionKey(bundleId: Uint8Array, identity: Uint8Array, installationId: string): string {
  return `${toHex(bundleId)}/${toHex(identity)}/${installationId}`
}

/** The 33-byte form of a recovered (hence valid) 65-byte key, without another curve operation. */
function compress(uncompressed: Uint8Array): Uint8Array {
  const out = new Uint8Array(33)
  out[0] = 0x02 | (uncompressed[64]! & 1)
  out.set(uncompressed.subarray(1, 33), 1)
  return out
}

/**
 * Private copies of our ratchet sessions, advanced by the messages this worker opens, in the
 * order it opens them (the main thread handles the same envelopes in the same order; batches
 * the worker never sees are skipped message keys here, as for any gap).
 */
class ShadowSessions {
  readonly #states = new Map<string, RatchetState>()
  readonly #installationId: string

  constructor(installationId: string, sessions: readonly SessionSnapshot[]) {
    this.#installationId = installationId
    for (const s of sessions) {
      try {
        const identity = providers.native.compressPublicKey(s.identity)
        const key = sessionKey(s.bundleId, identity, s.installationId)
        // `listSessionsFor` is newest first; the store holds one session per key anyway.
        if (!this.#states.has(key)) {
          this.#states.set(key, deserialize(s.state, { crypto: providers.native }))
        }
      } catch {
        // A state this code cannot load: that session's messages are recovered on the main thread.
      } finally {
        wipe(s.state)
      }
    }
  }

  /**
   * The application signature inside `opened` (a payload this worker opened, with its signer),
   * after decrypting our entry in the shadow session; undefined on any failure.
   */
  recover(opened: OpenedPayload): RecoveredApp | undefined {
    const signer = opened.signer
    if (signer === undefined) return undefined
    let plaintext: Uint8Array | undefined
    try {
      const message = decodeProtocolMessage(opened.payload)
      const map = message.encryptedMessage
      if (!Object.hasOwn(map, this.#installationId)) return undefined
      const entry = map[this.#installationId]
      const dr = entry?.DRHeader
      if (entry === undefined || dr === undefined) return undefined
      const key = sessionKey(dr.id, compress(signer), message.installationId)
      const state = this.#states.get(key)
      if (state === undefined) return undefined
      // The default MaxSkip: no catch-up allowance here (a miss only costs a main-thread recovery).
      const got = decrypt(state, { dh: dr.key, n: dr.n, pn: dr.pn }, entry.payload)
      this.#states.set(key, _keepNewestSkipped(got.state, SHADOW_SKIPPED))
      plaintext = got.plaintext
      const app = decodeApplicationMetadataMessage(plaintext)
      if (app.signature.length === 0) return undefined
      const signature = app.signature.slice()
      const digest = providers.native.keccak256(app.payload)
      const recovered = providers.native.secp256k1Recover(digest, signature, false)
      return { signature, digest, signer: recovered }
    } catch {
      return undefined
    } finally {
      if (plaintext !== undefined) wipe(plaintext)
    }
  }

  /** Drops every state (a `RatchetState` offers no wipe of its own; its bytes were wiped). */
  clear(): void {
    this.#states.clear()
  }
}

/** The shadow work of one `open` request: its opened, signed payloads, in envelope order. */
interface ShadowJob {
  readonly id: number
  readonly payloads: OpenedPayload[]
  next: number
}

function serve(port: MessagePort): void {
  const keys = new Map<number, OpenKey>()
  let shadow: ShadowSessions | undefined
  const jobs: ShadowJob[] = []
  let latest = 0
  let scheduled = false
  let found: RecoveredApp[] = []

  const post = (): void => {
    if (found.length === 0) return
    const entries = packApps(found)
    found = []
    port.postMessage({ t: 'apps', entries } satisfies FromWorker, [entries.buffer as ArrayBuffer])
  }
  // One slice per turn of the event loop: requests that came in meanwhile are opened first.
  const work = (): void => {
    scheduled = false
    const s = shadow
    while (jobs.length > 0 && jobs[0]!.id + STALE_AFTER <= latest) jobs.shift()
    const job = jobs[0]
    if (s === undefined || job === undefined) return
    const end = Math.min(job.next + SLICE, job.payloads.length)
    for (; job.next < end; job.next++) {
      const app = s.recover(job.payloads[job.next]!)
      if (app !== undefined) found.push(app)
    }
    // Each slice's entries at once: the main thread takes what has come when a batch is due.
    post()
    if (job.next >= job.payloads.length) jobs.shift()
    schedule()
  }
  const schedule = (): void => {
    if (scheduled || jobs.length === 0) return
    scheduled = true
    setImmediate(work)
  }

  port.on('message', (m: ToWorker) => {
    if (m.t === 'key') {
      const secret = SecretKey.fromBytesUnsafe(m.bytes)
      keys.set(m.id, m.sym ? { symKey: secret } : { privateKey: secret })
    } else if (m.t === 'sessions') {
      shadow?.clear()
      shadow = new ShadowSessions(m.installationId, m.sessions)
    } else if (m.t === 'open') {
      const results: (PreopenedResult | null)[] = []
      const payloads: OpenedPayload[] = []
      for (let j = 0, start = 0; j < m.ends.length; start = m.ends[j]!, j++) {
        const result = openOne(m.data.slice(start, m.ends[j]), keys.get(m.keys[j]!))
        results.push(result)
        if (result?.ok === true && result.opened.signer !== undefined) payloads.push(result.opened)
      }
      port.postMessage({ t: 'opened', id: m.id, results } satisfies FromWorker)
      latest = Math.max(latest, m.id)
      if (shadow !== undefined && payloads.length > 0) {
        jobs.push({ id: m.id, payloads, next: 0 })
        schedule()
      }
    } else {
      for (const k of keys.values()) ('symKey' in k ? k.symKey : k.privateKey).destroy()
      keys.clear()
      jobs.length = 0
      found = []
      shadow?.clear()
      shadow = undefined
      port.close()
    }
  })
  port.postMessage({ t: 'ready' } satisfies FromWorker)
}

if (parentPort !== null) serve(parentPort)
