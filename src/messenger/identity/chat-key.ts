/**
 * The chat key from a recovery phrase, exactly as Status derives it (identity README §1): BIP-39
 * seed with the empty passphrase, plain BIP-32 from `"Bitcoin seed"`, path
 * `m/43'/60'/1581'/0'/0` (EIP-1581, key type `0'` = chat). Also the other paths of status-go's
 * `api/defaults.go`, with its path parser's quirk, and the profile's `key_uid`.
 *
 * @module
 */
import { HDKey } from '@scure/bip32'
import { defaultProvider, toHex, wipe } from '../../crypto/index.ts'
import type { CryptoProvider, SecretKey, UncompressedPublicKey } from '../../crypto/index.ts'
import { PfsError } from '../../errors.ts'
import { seedFromPhrase } from './phrase.ts'

/** A secp256k1 key pair; `publicKey` is the 65-byte `04‖X‖Y` form Status uses as the chat ID. */
export interface ChatKey {
  readonly privateKey: SecretKey
  readonly publicKey: UncompressedPublicKey
}

/** The paths status-go derives for a new profile (`api/defaults.go`), as it writes them. */
export const STATUS_PATHS = Object.freeze({
  walletRoot: "m/44'/60'/0'/0",
  /** Really derives `m/43'/60'`: see `decodeStatusPath`. */
  eip1581Root: "m/43'/60'/1581'",
  chat: "m/43'/60'/1581'/0'/0",
  defaultWallet: "m/44'/60'/0'/0/0",
  /** Keycard profiles use this key's public key as the database password. */
  encryption: "m/43'/60'/1581'/1'/0",
})

const HARDENED = 0x80000000
const SEGMENT = /^(\d{1,10})('?)$/

/**
 * The child indices status-go's `decodePath` yields for `path`, including its quirk: a final
 * hardened segment is silently dropped (`m/43'/60'/1581'` → `[43', 60']`, `m/0'` → `[]`). Paths
 * ending in a normal index, like the chat path, are unaffected. Throws `INVALID_ARGUMENT` for a
 * path that is not `m` followed by `/n` or `/n'` segments below 2^31.
 */
export function decodeStatusPath(path: string): number[] {
  const parts = path.split('/')
  if (parts[0] !== 'm')
    throw new PfsError('INVALID_ARGUMENT', 'derivation path must start with "m"')
  const indices: number[] = []
  let lastHardened = false
  for (const part of parts.slice(1)) {
    const m = SEGMENT.exec(part)
    const n = m === null ? NaN : Number(m[1])
    if (m === null || !(n < HARDENED)) {
      throw new PfsError(
        'INVALID_ARGUMENT',
        "derivation path segment must be n or n' with n < 2^31",
      )
    }
    lastHardened = m[2] === "'"
    indices.push(lastHardened ? n + HARDENED : n)
  }
  if (lastHardened) indices.pop()
  return indices
}

/**
 * The key at `path` below the BIP-32 master of `seed`, as status-go's generator derives it
 * (`decodeStatusPath` semantics). `seed` stays the caller's; intermediate nodes are wiped.
 */
export function deriveKeyFromSeed(
  seed: Uint8Array,
  path: string,
  crypto: CryptoProvider = defaultProvider(),
): ChatKey {
  const indices = decodeStatusPath(path)
  const nodes = [HDKey.fromMasterSeed(seed)]
  try {
    for (const i of indices) nodes.push(nodes[nodes.length - 1]!.deriveChild(i))
    const raw = nodes[nodes.length - 1]!.privateKey!
    try {
      const privateKey = crypto.secp256k1PrivateKey(raw)
      const publicKey = crypto.secp256k1PublicKey(privateKey, false) as UncompressedPublicKey
      return { privateKey, publicKey }
    } finally {
      wipe(raw)
    }
  } finally {
    for (const n of nodes) n.wipePrivateData()
  }
}

/** The chat key (`m/43'/60'/1581'/0'/0`) of a BIP-39 seed. */
export function chatKeyFromSeed(
  seed: Uint8Array,
  crypto: CryptoProvider = defaultProvider(),
): ChatKey {
  return deriveKeyFromSeed(seed, STATUS_PATHS.chat, crypto)
}

/**
 * The chat key of a recovery phrase: validated (BIP-39 checksum; `INVALID_ARGUMENT` otherwise),
 * words joined by single spaces, seed with the empty passphrase. The same phrase gives the same
 * identity as the Status apps.
 */
export function chatKeyFromPhrase(
  phrase: string,
  crypto: CryptoProvider = defaultProvider(),
): ChatKey {
  const seed = seedFromPhrase(phrase)
  try {
    return chatKeyFromSeed(seed, crypto)
  } finally {
    wipe(seed)
  }
}

/**
 * The profile's `key_uid`: sha256 of the BIP-32 master public key (65-byte form), lowercase hex
 * without `0x` (status-go shows it with `0x`). It names the profile, not the chat key.
 */
export function keyUidFromSeed(
  seed: Uint8Array,
  crypto: CryptoProvider = defaultProvider(),
): string {
  const master = deriveKeyFromSeed(seed, 'm', crypto)
  try {
    return toHex(crypto.sha256(master.publicKey))
  } finally {
    master.privateKey.destroy()
  }
}
