/**
 * The network bundle directory (PROTOCOL.md §13.7 "contact-code advertisement"; TRANSPORT.md §1.8
 * contact-code row): an identity's bundle is advertised, as a `ProtocolMessage` carrying only the
 * bundle, on its contact-code topic `"0x" + hex(65 B key) + "-contact-code"`, sealed with
 * PBKDF2(topic name) and signed by the identity. The `Messenger` does this every 6 h and whenever
 * its bundle changes; `publish` here does it once on demand.
 *
 * `resolve(chatKey)` looks in what it heard live (`watch`) and asks store nodes for the topic's
 * history, keeps only bundles that verify *and* belong to the envelope signer *and* to the key
 * asked for, and returns the newest (by its signed timestamp). Someone added by chat key alone
 * can thus be reached with X3DH on the first message (whitepaper §1.5.2 case 1 upgraded).
 *
 * @module
 */
import { bytesEqual, defaultProvider, fromHex, toHex } from '../../crypto/index.ts'
import type { CryptoProvider, SecretKey } from '../../crypto/index.ts'
import { PfsError, isPfsError } from '../../errors.ts'
import {
  contactCodeKey,
  contactCodeTopic,
  createEnvelope,
  open,
  seal,
  sealSymmetric,
} from '../../transport/portable.ts'
import type { Envelope, Network, Topic, Unsubscribe } from '../../transport/portable.ts'
import {
  ProtocolMessageSchema,
  create,
  decodeProtocolMessage,
  encodeProtocolMessage,
} from '../../wire/index.ts'
import type { Bundle } from '../../wire/index.ts'
import { encodeContactCode, parseContactCode } from '../contact-code.ts'
import { verifiedIdentity } from './claims.ts'
import type { BundleDirectory, PublishOptions, ResolvedBundle } from './types.ts'

/** An advertisement lives until the next one is due (6 h) plus slack, so store nodes keep it. */
export const ADVERTISEMENT_TTL_SECONDS = 6 * 3600 + 600
const DEFAULT_LOOKBACK_SECONDS = 7 * 24 * 3600
const DEFAULT_MIN_POW = 0.002
const MAX_HISTORY_PAGES = 20

export interface NetworkDirectoryOptions {
  readonly network: Network
  readonly crypto?: CryptoProvider
  /** ms since the epoch; default `Date.now`. */
  readonly clock?: () => number
  /** Our identity key: needed by `publish` only. Not copied: the caller keeps it alive. */
  readonly identity?: SecretKey
  /** Our installation id, put in the advertisement (`ProtocolMessage.installation_id`). */
  readonly installationId?: string
  /** How far back to ask store nodes; default 7 days. */
  readonly lookbackSeconds?: number
  readonly minPow?: number
  /** TTL of published advertisements; default 6 h 10 min. */
  readonly ttl?: number
}

interface Candidate {
  readonly bundle: Bundle
  readonly source: 'network' | 'store-node'
}

export class NetworkDirectory implements BundleDirectory {
  readonly #opts: NetworkDirectoryOptions
  readonly #crypto: CryptoProvider
  readonly #clock: () => number
  readonly #live = new Map<string, Bundle>()
  readonly #keys = new Map<string, SecretKey>()
  readonly #watches = new Set<Unsubscribe>()

  constructor(opts: NetworkDirectoryOptions) {
    this.#opts = opts
    this.#crypto = opts.crypto ?? defaultProvider()
    this.#clock = opts.clock ?? Date.now
  }

  /** Advertises `bundle` (ours) on our contact-code topic. */
  async publish(bundle: Bundle, _options?: PublishOptions): Promise<void> {
    const identity = this.#opts.identity
    if (identity === undefined) {
      throw new PfsError('INVALID_STATE', 'publishing needs the identity key')
    }
    const crypto = this.#crypto
    const owner = crypto.secp256k1PublicKey(identity, false)
    verifiedIdentity(bundle, crypto, owner)
    const message = create(ProtocolMessageSchema, {
      installationId: this.#opts.installationId ?? Object.keys(bundle.signedPreKeys)[0] ?? '',
      bundles: [bundle],
    })
    const data = sealSymmetric(encodeProtocolMessage(message), this.#key(owner), identity, {
      provider: crypto,
    })
    const envelope = seal(
      createEnvelope({
        topic: contactCodeTopic(owner, crypto),
        data,
        ttl: this.#opts.ttl ?? ADVERTISEMENT_TTL_SECONDS,
        now: Math.floor(this.#clock() / 1000),
      }),
      this.#opts.minPow ?? DEFAULT_MIN_POW,
      { provider: crypto },
    )
    await this.#opts.network.publish(envelope)
  }

  /**
   * The newest verified advertisement of a chat key, heard live or kept by a store node. Names
   * are not resolved here (undefined).
   * @throws {PfsError} `NETWORK_FAILURE` when no store node answered and nothing was heard live
   */
  async resolve(chatKeyOrName: string): Promise<ResolvedBundle | undefined> {
    const owner = this.#parse(chatKeyOrName)
    if (owner === undefined) return undefined
    const crypto = this.#crypto
    const candidates: Candidate[] = []
    const heard = this.#live.get(chatKeyHex(owner, crypto))
    if (heard !== undefined) candidates.push({ bundle: heard, source: 'network' })
    let failure: PfsError | undefined
    try {
      for (const b of await this.#history(owner)) {
        candidates.push({ bundle: b, source: 'store-node' })
      }
    } catch (e) {
      if (!isPfsError(e, 'NETWORK_FAILURE')) throw e
      failure = e
    }
    if (candidates.length === 0) {
      if (failure !== undefined) throw failure
      return undefined
    }
    const best = candidates.reduce((a, b) => (b.bundle.timestamp > a.bundle.timestamp ? b : a))
    return {
      publicKey: chatKeyHex(owner, crypto),
      bundle: best.bundle,
      contactCode: encodeContactCode(best.bundle),
      source: best.source,
    }
  }

  /**
   * Listens to `chatKey`'s contact-code topic and remembers its newest advertisement, so a later
   * `resolve` needs no store node.
   */
  watch(chatKey: string): Unsubscribe {
    const owner = this.#parse(chatKey)
    if (owner === undefined) throw new PfsError('INVALID_ARGUMENT', 'not a chat key')
    const crypto = this.#crypto
    const topic: Topic = contactCodeTopic(owner, crypto)
    const stop = this.#opts.network.subscribe([topic], (env) => {
      const b = this.#bundleOf(env, owner)
      if (b === undefined) return
      const id = chatKeyHex(owner, crypto)
      const prev = this.#live.get(id)
      if (prev === undefined || b.timestamp > prev.timestamp) this.#live.set(id, b)
    })
    const un = (): void => {
      stop()
      this.#watches.delete(un)
    }
    this.#watches.add(un)
    return un
  }

  /** Stops every watch and wipes the derived topic keys. */
  close(): void {
    for (const un of [...this.#watches]) un()
    for (const k of this.#keys.values()) k.destroy()
    this.#keys.clear()
  }

  async #history(owner: Uint8Array): Promise<Bundle[]> {
    const crypto = this.#crypto
    const now = Math.floor(this.#clock() / 1000)
    const topics = [contactCodeTopic(owner, crypto)]
    const from = Math.max(0, now - (this.#opts.lookbackSeconds ?? DEFAULT_LOOKBACK_SECONDS))
    const out: Bundle[] = []
    let cursor: Uint8Array | undefined
    for (let page = 0; page < MAX_HISTORY_PAGES; page++) {
      const res = await this.#opts.network.history({
        topics,
        from,
        to: now + 60,
        ...(cursor === undefined ? {} : { cursor }),
      })
      for (const env of res.envelopes) {
        const b = this.#bundleOf(env, owner)
        if (b !== undefined) out.push(b)
      }
      cursor = res.cursor
      if (cursor === undefined) break
    }
    return out
  }

  /** The verified bundle of `owner` in an advertisement envelope, or undefined. Never throws. */
  #bundleOf(env: Envelope, owner: Uint8Array): Bundle | undefined {
    const crypto = this.#crypto
    try {
      const opened = open(env.data, { symKey: this.#key(owner) }, { provider: crypto })
      if (
        opened.signer === undefined ||
        !bytesEqual(opened.signer, crypto.decompressPublicKey(owner))
      ) {
        return undefined
      }
      const message = decodeProtocolMessage(opened.payload)
      let best: Bundle | undefined
      for (const b of message.bundles) {
        try {
          verifiedIdentity(b, crypto, owner)
        } catch {
          continue
        }
        if (best === undefined || b.timestamp > best.timestamp) best = b
      }
      return best
    } catch {
      return undefined
    }
  }

  #key(owner: Uint8Array): SecretKey {
    const id = chatKeyHex(owner, this.#crypto)
    let k = this.#keys.get(id)
    if (k === undefined) {
      k = contactCodeKey(this.#crypto.decompressPublicKey(owner), this.#crypto)
      this.#keys.set(id, k)
    }
    return k
  }

  /** A chat key (or contact code / share link) as 65 bytes; undefined for a name. */
  #parse(text: string): Uint8Array | undefined {
    let parsed
    try {
      parsed = parseContactCode(text, this.#crypto)
    } catch {
      return undefined
    }
    return this.#crypto.decompressPublicKey(fromHex(parsed.publicKey))
  }
}

function chatKeyHex(key: Uint8Array, crypto: CryptoProvider): string {
  return `0x${toHex(crypto.decompressPublicKey(key))}`
}
