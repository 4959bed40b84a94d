/**
 * The account pieces the bundle-distribution modules (public chats, directory, push) need, read
 * from the account's store: the identity key and this installation. The `Messenger` keeps its
 * keys private, so these modules take the same `store` (and `network`) the messenger was built
 * with, and sign with the same identity.
 *
 * @module
 */
import { defaultProvider, toHex } from '../../crypto/index.ts'
import type { CryptoProvider, SecretKey } from '../../crypto/index.ts'
import { Protocol } from '../../protocol/index.ts'
import type { Store } from '../../store/index.ts'
import { messengerError } from '../errors.ts'

/** The options every module here takes: those of `Messenger.create` / `open` fit. */
export interface AccountOptions {
  readonly store: Store
  readonly crypto?: CryptoProvider
  /** ms since the epoch; default `Date.now`. */
  readonly clock?: () => number
}

/** The account's keys, loaded once. */
export interface AccountKeys {
  readonly identity: SecretKey
  /** Compressed, 33 bytes. */
  readonly publicKey: Uint8Array
  /** Uncompressed, 65 bytes. */
  readonly publicKeyFull: Uint8Array
  /** `0x04…`. */
  readonly chatKey: string
  readonly installationId: string
  readonly crypto: CryptoProvider
  readonly clock: () => number
}

/**
 * Loads the account held in `opts.store`.
 * @throws {PfsError} `NO_ACCOUNT` when the store holds none
 */
export function accountKeys(opts: AccountOptions): AccountKeys {
  const crypto = opts.crypto ?? defaultProvider()
  const account = opts.store.getAccount()
  if (account === undefined) throw messengerError('NO_ACCOUNT', 'the store holds no account')
  const identity = crypto.secp256k1PrivateKey(account.identityPrivateKey)
  const publicKeyFull = crypto.decompressPublicKey(account.identityPublicKey)
  return {
    identity,
    publicKey: crypto.compressPublicKey(account.identityPublicKey),
    publicKeyFull,
    chatKey: `0x${toHex(publicKeyFull)}`,
    installationId: account.installationId,
    crypto,
    clock: opts.clock ?? Date.now,
  }
}

/**
 * A `Protocol` over the account's store. It shares every bit of state with the messenger's own
 * (the protocol keeps nothing outside the store), so bundles it stores are the ones the
 * messenger's next `encrypt` uses.
 */
export function accountProtocol(store: Store, keys: AccountKeys): Protocol {
  return new Protocol({
    store,
    identity: keys.identity,
    installationId: keys.installationId,
    crypto: keys.crypto,
    clock: () => BigInt(Math.floor(keys.clock())) * 1_000_000n,
  })
}
