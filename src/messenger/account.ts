/**
 * Accounts (whitepaper §1.5.1, identity README §1): a new 12-word BIP-39 phrase, the chat key
 * derived from it exactly as Status does, and a UUIDv4 installation id per device. Recovering
 * from the phrase gives the same identity on a new installation (whitepaper §4.4).
 *
 * @module
 */
import { entropyToMnemonic } from '@scure/bip39'
import { wordlist } from '@scure/bip39/wordlists/english.js'
import { toHex, wipe } from '../crypto/index.ts'
import type { CryptoProvider } from '../crypto/index.ts'
import { isPfsError } from '../errors.ts'
import type { AccountRecord } from '../store/index.ts'
import { messengerError } from './errors.ts'
import { chatKeyFromPhrase, validatePhrase } from './identity/index.ts'

/** A fresh 12-word phrase from 128 bits of `random`. */
export function newPhrase(random: (n: number) => Uint8Array): string {
  const entropy = random(16)
  try {
    return entropyToMnemonic(entropy, wordlist)
  } finally {
    wipe(entropy)
  }
}

/** RFC 4122 version-4 UUID from 16 random bytes (status-go installation ids are UUIDv4). */
export function uuidV4(random: (n: number) => Uint8Array): string {
  const b = random(16)
  b[6] = (b[6]! & 0x0f) | 0x40
  b[8] = (b[8]! & 0x3f) | 0x80
  const h = toHex(b)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

/**
 * The account record of `phrase` on a new installation.
 * @throws {PfsError} `INVALID_PHRASE` for a phrase that fails BIP-39 validation (details.reason)
 */
export function accountFromPhrase(
  phrase: string,
  installationId: string,
  now: number,
  crypto: CryptoProvider,
  device: { readonly name?: string; readonly deviceType?: string },
): AccountRecord {
  let normalized: string
  try {
    normalized = validatePhrase(phrase)
  } catch (e) {
    if (!isPfsError(e)) throw e
    throw messengerError('INVALID_PHRASE', e.message, e.details, { cause: e })
  }
  const key = chatKeyFromPhrase(normalized, crypto)
  try {
    const identityPrivateKey = key.privateKey.use((k) => k.slice())
    return {
      identityPublicKey: crypto.compressPublicKey(key.publicKey),
      identityPrivateKey,
      installationId,
      ...(device.name === undefined ? {} : { name: device.name }),
      ...(device.deviceType === undefined ? {} : { deviceType: device.deviceType }),
      createdAt: now,
    }
  } finally {
    key.privateKey.destroy()
  }
}
