/**
 * The slicing shared by the emoji hash and the color hash (identity README §3 step 2, status-go
 * `identity.Slices`): the 66-digit hex of the compressed key is cut into
 * `h[0:3] | h[3:43] | h[43:63] | h[63:66]`; the 160-bit middle feeds the emoji hash and the next
 * 80 bits the color hash. Also the base conversion both use (`identity.ToBigBase`).
 *
 * @module
 */
import { toHex } from '../../crypto/index.ts'
import type { CryptoProvider } from '../../crypto/index.ts'
import { uncompressedKey } from './public-key.ts'
import type { PublicKeyInput } from './public-key.ts'

export interface HashSlices {
  /** `int(h[3:43], 16)`, 160 bits, for the emoji hash. */
  readonly emoji: bigint
  /** `int(h[43:63], 16)`, 80 bits, for the color hash. */
  readonly color: bigint
}

export function hashSlices(publicKey: PublicKeyInput, crypto: CryptoProvider): HashSlices {
  const h = toHex(crypto.compressPublicKey(uncompressedKey(publicKey, crypto)))
  return { emoji: BigInt(`0x${h.slice(3, 43)}`), color: BigInt(`0x${h.slice(43, 63)}`) }
}

/** `value` in base `base`, most significant digit first, no leading zeros; 0 gives `[0]`. */
export function toBigBase(value: bigint, base: number): number[] {
  const b = BigInt(base)
  const digits: number[] = []
  let v = value
  do {
    digits.unshift(Number(v % b))
    v /= b
  } while (v > 0n)
  return digits
}
