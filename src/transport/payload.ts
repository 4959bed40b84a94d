/**
 * Whisper v6 / Waku v1 "version 1" payloads (TRANSPORT.md §1.5–1.7, PROTOCOL.md §11.1;
 * 26/WAKU2-PAYLOAD), byte-compatible with status-go `waku/common/message.go`:
 *
 * ```
 * raw  = flags(1) ‖ size(N, little-endian) ‖ payload ‖ padding ‖ [signature(65)]
 * flags: bits 0-1 = N (1..4), 0x04 = signed
 * padding: given bytes verbatim, else random (not all zero), 256 − (rawSize mod 256) bytes,
 *          rawSize = 1 + N + len(payload) + (signed ? 65 : 0)
 * signature = Sign(keccak256(flags ‖ size ‖ payload ‖ padding)), flag 0x04 already set; r ‖ s ‖ v
 * symmetric:  data = AES-256-GCM(key, nonce, raw) ‖ nonce(12)
 * asymmetric: data = geth ECIES(recipient, raw) = R(65) ‖ IV(16) ‖ AES-128-CTR ‖ HMAC(32)
 * ```
 *
 * `open` returns the recovered signer: the sender identity the protocol layer trusts. Unsigned
 * payloads are refused unless the caller opts in, because status-go rejects them for 1:1 traffic
 * (PROTOCOL.md §11.1, `HandleTransportLayer`).
 *
 * @module
 */
import { concatBytes, defaultProvider } from '../crypto/index.ts'
import type { CryptoProvider, SecretKey, UncompressedPublicKey } from '../crypto/index.ts'
import { PfsError, WireError } from '../errors.ts'
import {
  FLAG_SIGNED,
  FLAG_SIZE_MASK,
  MAX_ENVELOPE_SIZE,
  PADDING_BLOCK,
  SIGNATURE_LENGTH,
} from './limits.ts'

export interface PayloadOptions {
  readonly provider?: CryptoProvider
  /** Padding used verbatim (as geth `MessageParams.Padding`); default random to a 256 multiple. */
  readonly padding?: Uint8Array
}

export interface SymmetricSealOptions extends PayloadOptions {
  /** AES-GCM nonce (12 bytes); default random. For test vectors only. */
  readonly nonce?: Uint8Array
}

export interface AsymmetricSealOptions extends PayloadOptions {
  /** ECIES ephemeral key; default random. For test vectors only. */
  readonly ephemeral?: SecretKey
  /** ECIES IV (16 bytes); default random. For test vectors only. */
  readonly iv?: Uint8Array
}

/** What `open` returns. `payload` and `padding` are fresh copies. */
export interface OpenedPayload {
  readonly payload: Uint8Array
  /** The signer's uncompressed 65-byte public key, or undefined for an unsigned payload. */
  readonly signer: UncompressedPublicKey | undefined
  readonly padding: Uint8Array
  /** The signature (65 bytes) when signed. */
  readonly signature: Uint8Array | undefined
}

export type OpenKey = { readonly symKey: SecretKey } | { readonly privateKey: SecretKey }

export interface OpenOptions {
  readonly provider?: CryptoProvider
  /** Accept payloads without a signature (never for 1:1 traffic). Default false. */
  readonly allowUnsigned?: boolean
}

/** geth `getSizeOfPayloadSizeField`: bytes needed for `length` in little-endian. */
export function sizeFieldLength(length: number): number {
  let n = 1
  for (let i = length; i >= 256; i = Math.floor(i / 256)) n++
  return n
}

function randomPadding(provider: CryptoProvider, length: number): Uint8Array {
  // geth `validateDataIntegrity` refuses all-zero padding; redraw in the (1/256 for one byte) case.
  for (;;) {
    const pad = provider.randomBytes(length)
    if (pad.some((b) => b !== 0)) return pad
  }
}

/**
 * Builds the plaintext `raw` (signed when `signer` is given). Exposed for vectors and interop.
 * @throws {PfsError} code=INVALID_ARGUMENT when the payload is too large
 */
export function encodeRawPayload(
  payload: Uint8Array,
  signer: SecretKey | undefined,
  options: PayloadOptions = {},
): Uint8Array {
  if (payload.length > MAX_ENVELOPE_SIZE) {
    throw new PfsError('INVALID_ARGUMENT', 'payload too large', { length: payload.length })
  }
  const provider = options.provider ?? defaultProvider()
  const n = sizeFieldLength(payload.length)
  const signed = signer !== undefined
  const header = new Uint8Array(1 + n)
  header[0] = n | (signed ? FLAG_SIGNED : 0)
  for (let i = 0, v = payload.length; i < n; i++, v = Math.floor(v / 256)) header[1 + i] = v & 0xff
  let padding = options.padding
  if (padding === undefined || padding.length === 0) {
    const rawSize = 1 + n + payload.length + (signed ? SIGNATURE_LENGTH : 0)
    padding = randomPadding(provider, PADDING_BLOCK - (rawSize % PADDING_BLOCK))
  }
  const body = concatBytes(header, payload, padding)
  if (!signed) return body
  return concatBytes(body, provider.signKeccak(body, signer))
}

/** The fields of a `raw` plaintext, as sub-views of it (no signature check). */
export interface RawPayloadFields {
  readonly flags: number
  readonly payload: Uint8Array
  readonly padding: Uint8Array
  /** The signed part `flags ‖ size ‖ payload ‖ padding`. */
  readonly signedPart: Uint8Array
  readonly signature: Uint8Array | undefined
}

/**
 * Splits `raw` (geth `ValidateAndParse`/`extractPadding`), stricter than geth: the size field and
 * the payload must both fit before the signature.
 * @throws {WireError} code=WIRE_MALFORMED
 */
export function decodeRawPayload(raw: Uint8Array): RawPayloadFields {
  if (raw.length < 1) throw new WireError('payload empty')
  const flags = raw[0]!
  let end = raw.length
  let signature: Uint8Array | undefined
  if ((flags & FLAG_SIGNED) !== 0) {
    end -= SIGNATURE_LENGTH
    if (end <= 1) throw new WireError('signed payload too short', { length: raw.length })
    signature = raw.subarray(end)
  }
  const n = flags & FLAG_SIZE_MASK
  let beg = 1
  let size = 0
  if (n !== 0) {
    if (beg + n > end) throw new WireError('payload size field truncated')
    for (let i = n - 1; i >= 0; i--) size = size * 256 + raw[beg + i]!
    beg += n
    if (beg + size > end) throw new WireError('payload size exceeds data', { length: raw.length })
  }
  return {
    flags,
    payload: raw.subarray(beg, beg + size),
    padding: raw.subarray(beg + size, end),
    signedPart: raw.subarray(0, end),
    signature,
  }
}

/**
 * Seals `payload` with AES-256-GCM under a symmetric topic key, signed by `signer`.
 * @throws {PfsError} code=INVALID_ARGUMENT when the payload is too large
 */
export function sealSymmetric(
  payload: Uint8Array,
  key: SecretKey,
  signer: SecretKey | undefined,
  options: SymmetricSealOptions = {},
): Uint8Array {
  const provider = options.provider ?? defaultProvider()
  const raw = encodeRawPayload(payload, signer, options)
  return key.use((k) => provider.encryptSymmetric(k, raw, options.nonce))
}

/**
 * Seals `payload` with geth ECIES to `recipientPublic` (33 or 65 bytes), signed by `signer`.
 * @throws {PfsError} code=INVALID_KEY for a bad recipient key, INVALID_ARGUMENT when too large
 */
export function sealAsymmetric(
  payload: Uint8Array,
  recipientPublic: Uint8Array,
  signer: SecretKey | undefined,
  options: AsymmetricSealOptions = {},
): Uint8Array {
  const provider = options.provider ?? defaultProvider()
  const recipient = provider.decompressPublicKey(recipientPublic)
  const raw = encodeRawPayload(payload, signer, options)
  const ecies = {
    ...(options.ephemeral !== undefined && { ephemeral: options.ephemeral }),
    ...(options.iv !== undefined && { iv: options.iv }),
  }
  return provider.eciesEncrypt(recipient, raw, ecies)
}

/** An `open` already done elsewhere: its result, or the code and message of its failure. */
export type PreopenedResult =
  | { readonly ok: true; readonly opened: OpenedPayload }
  | { readonly ok: false; readonly code: PfsError['code']; readonly message: string }

/** Results of `rememberOpened`, by the identity of the `data` array (used once, then dropped). */
const preopened = new WeakMap<Uint8Array, { key: OpenKey; result: PreopenedResult }>()

/**
 * Hands `open` the result of opening this very `data` array with this very `key` object, computed
 * ahead of time by the same code (a store-node sync opens envelopes in a worker thread of this
 * process while the main thread runs the protocol: issue 9). The next `open(data, key)` returns it
 * (or throws its error) instead of decrypting again and forgets it; any other key object makes
 * `open` do the work itself. Whoever calls this vouches that `result` is `open`'s own output with
 * `allowUnsigned: true` (signature recovered and checked); `open` still applies `allowUnsigned`.
 * Entries die with their `data` array.
 */
export function rememberOpened(data: Uint8Array, key: OpenKey, result: PreopenedResult): void {
  preopened.set(data, { key, result })
}

/** The result `rememberOpened` left for `data` and `key`, taken out; undefined when none. */
function takePreopened(
  data: Uint8Array,
  key: OpenKey,
  options: OpenOptions,
): OpenedPayload | undefined {
  const pre = preopened.get(data)
  if (pre === undefined) return undefined
  preopened.delete(data)
  if (pre.key !== key) return undefined
  const r = pre.result
  if (!r.ok) {
    throw r.code === 'WIRE_MALFORMED' ? new WireError(r.message) : new PfsError(r.code, r.message)
  }
  if (r.opened.signer === undefined && options.allowUnsigned !== true) {
    throw new PfsError('UNSIGNED_PAYLOAD', 'payload is not signed')
  }
  return r.opened
}

/**
 * Decrypts `data` with the symmetric key or the private key, parses it and recovers the signer.
 * @throws {PfsError} code=MAC_MISMATCH (wrong key or tampered), WIRE_MALFORMED, INVALID_SIGNATURE,
 *   UNSIGNED_PAYLOAD (no signature and `allowUnsigned` not set)
 */
export function open(data: Uint8Array, key: OpenKey, options: OpenOptions = {}): OpenedPayload {
  const pre = takePreopened(data, key, options)
  if (pre !== undefined) return pre
  const provider = options.provider ?? defaultProvider()
  if (!(data instanceof Uint8Array)) throw new WireError('payload must be bytes')
  if (data.length > MAX_ENVELOPE_SIZE) {
    throw new WireError('encrypted payload too large', { length: data.length })
  }
  if ('symKey' in key && key.symKey.length !== 32) {
    throw new TypeError('"symKey" expected 32 bytes')
  }
  const raw = guard(() =>
    'symKey' in key
      ? key.symKey.use((k) => provider.decryptSymmetric(k, data))
      : provider.eciesDecrypt(key.privateKey, data),
  )
  const fields = decodeRawPayload(raw)
  let signer: UncompressedPublicKey | undefined
  if (fields.signature === undefined) {
    if (options.allowUnsigned !== true) {
      throw new PfsError('UNSIGNED_PAYLOAD', 'payload is not signed')
    }
  } else {
    const sig = fields.signature
    signer = guard(() => provider.recoverKeccak(fields.signedPart, sig), 'INVALID_SIGNATURE')
  }
  return {
    payload: fields.payload.slice(),
    signer,
    padding: fields.padding.slice(),
    signature: fields.signature?.slice(),
  }
}

/** Keeps hostile input from surfacing as anything but a `PfsError` (DESIGN.md "Errors"). */
function guard<T>(fn: () => T, code: 'WIRE_MALFORMED' | 'INVALID_SIGNATURE' = 'WIRE_MALFORMED'): T {
  try {
    return fn()
  } catch (e) {
    if (e instanceof PfsError) throw e
    throw new PfsError(code, 'payload could not be opened', {}, { cause: e })
  }
}
