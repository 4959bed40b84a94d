/**
 * Whisper v6 proof of work, final form (geth ≥ 1.9 after PRs #19330 and #19753; status-go
 * `waku/common/envelope.go`), TRANSPORT.md §1.3:
 *
 * ```
 * short   = RLP([Expiry, TTL, Topic, Data])
 * powHash = keccak256(short ‖ uint64_be(Nonce))
 * PoW     = 2^leadingZeroBits(powHash) / len(short) / TTL
 * target bits for Seal(p) = max(1, ceil(log2(p · size() · TTL))),  size() = 20 + len(Data)
 * ```
 *
 * The pre-2019 variant (trailing zeros of `keccak(short) ‖ 24 zero bytes ‖ nonce`) is not
 * implemented: its values are incompatible.
 *
 * @module
 */
import { defaultProvider } from '../crypto/index.ts'
import type { CryptoProvider } from '../crypto/index.ts'
import { PfsError } from '../errors.ts'
import { encodeEnvelopeWithoutNonce, envelopeSize, withNonce } from './envelope.ts'
import type { Envelope } from './envelope.ts'
import { DEFAULT_POW_MAX_ITERATIONS } from './limits.ts'

/** Number of leading zero bits of a big-endian byte string (`256 − bitlen` for 32 bytes). */
export function leadingZeroBits(hash: Uint8Array): number {
  let n = 0
  for (const b of hash) {
    if (b === 0) {
      n += 8
      continue
    }
    return n + Math.clz32(b) - 24
  }
  return n
}

function powBuffer(envelope: Envelope): { buf: Uint8Array; view: DataView; at: number } {
  const short = encodeEnvelopeWithoutNonce(envelope)
  const buf = new Uint8Array(short.length + 8)
  buf.set(short)
  return { buf, view: new DataView(buf.buffer), at: short.length }
}

function writeNonce(view: DataView, at: number, nonce: bigint): void {
  view.setUint32(at, Number(nonce >> 32n))
  view.setUint32(at + 4, Number(nonce & 0xffffffffn))
}

/**
 * The envelope's PoW as geth computes it. `extraTtl` is added to TTL for envelopes dated slightly
 * in the future (geth `add()`: `TTL + (sent − now + 1)`).
 */
export function powOf(
  envelope: Envelope,
  provider: CryptoProvider = defaultProvider(),
  extraTtl = 0,
): number {
  const { buf, view, at } = powBuffer(envelope)
  writeNonce(view, at, envelope.nonce)
  const lz = leadingZeroBits(provider.keccak256(buf))
  return 2 ** lz / at / (envelope.ttl + extraTtl)
}

/** geth `powToFirstBit`: leading zero bits needed to reach `pow` for this envelope. */
export function targetBits(envelope: Envelope, pow: number): number {
  const bits = Math.ceil(Math.log2(pow * envelopeSize(envelope) * envelope.ttl))
  return Math.max(1, bits)
}

export interface SealOptions {
  readonly provider?: CryptoProvider
  /** Nonces to try before failing; default 2^22. */
  readonly maxIterations?: number
}

/**
 * Finds the first nonce (from 0, as geth `Seal`) whose hash has the target's leading zero bits and
 * whose PoW is at least `minPow`, and returns the envelope with it. `minPow ≤ 0` returns the
 * envelope unchanged (geth: "PoW is not required").
 *
 * The extra `powOf ≥ minPow` condition matters only when `len(short) > size()`, which geth ignores;
 * it guarantees a sealed envelope passes a receiver requiring the same minimum.
 *
 * @throws {PfsError} code=POW_TOO_LOW when no nonce within `maxIterations` reaches the target
 */
export function seal(envelope: Envelope, minPow: number, options: SealOptions = {}): Envelope {
  if (!(minPow > 0)) return envelope
  if (!Number.isFinite(minPow)) throw new PfsError('INVALID_ARGUMENT', '"minPow" must be finite')
  const provider = options.provider ?? defaultProvider()
  const maxIterations = Math.min(options.maxIterations ?? DEFAULT_POW_MAX_ITERATIONS, 2 ** 32)
  const bits = targetBits(envelope, minPow)
  if (bits > 256) throw new PfsError('POW_TOO_LOW', 'PoW target unreachable', { bits })
  const { buf, view, at } = powBuffer(envelope)
  const scale = at * envelope.ttl
  view.setUint32(at, 0)
  for (let i = 0; i < maxIterations; i++) {
    // Nonces stay below 2^32 (maxIterations is clamped), so the high word stays 0.
    view.setUint32(at + 4, i)
    const lz = leadingZeroBits(provider.keccak256(buf))
    if (lz >= bits && 2 ** lz / scale >= minPow) return withNonce(envelope, BigInt(i))
  }
  throw new PfsError('POW_TOO_LOW', 'PoW target not reached within the iteration bound', {
    bits,
    iterations: maxIterations,
  })
}
