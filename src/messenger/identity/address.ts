/**
 * The Ethereum address of a key (identity README §1, step 5): `keccak256(X‖Y)[12:32]`, written
 * with the EIP-55 mixed-case checksum, as status-go returns it for every derived account.
 *
 * @module
 */
import { defaultProvider, toHex, utf8 } from '../../crypto/index.ts'
import type { CryptoProvider } from '../../crypto/index.ts'
import { uncompressedKey } from './public-key.ts'
import type { PublicKeyInput } from './public-key.ts'

/** `0x` + 40 hex digits, EIP-55 checksummed. */
export function ethereumAddress(
  publicKey: PublicKeyInput,
  crypto: CryptoProvider = defaultProvider(),
): string {
  const key = uncompressedKey(publicKey, crypto)
  const lower = toHex(crypto.keccak256(key.subarray(1)).subarray(12))
  // EIP-55: upper-case a letter when the matching nibble of keccak256(lowercase hex) is ≥ 8.
  const hash = toHex(crypto.keccak256(utf8(lower)))
  let out = '0x'
  for (let i = 0; i < lower.length; i++) {
    const c = lower[i]!
    out += Number.parseInt(hash[i]!, 16) >= 8 ? c.toUpperCase() : c
  }
  return out
}
