/**
 * One-time prekeys for the static directory (whitepaper §2.3: a "user-specific second bundle"
 * the reference leaves "to be implemented"; our X3DH extension in x3dh/x3dh.ts). The private
 * halves go to the account's store (`putOneTimePreKey`, taken — and so deleted — on use); the
 * public halves, each signed by the identity, go to the directory, which hands each to one
 * requester only.
 *
 * @module
 */
import type { AccountOptions } from '../public/account-keys.ts'
import { accountKeys } from '../public/account-keys.ts'
import { PfsError } from '../../errors.ts'
import { signOneTimePreKey } from './claims.ts'
import type { OneTimePreKeyEntry } from './types.ts'

/** At most this many per call. */
export const MAX_ONE_TIME_PREKEYS = 1000

/**
 * Generates `count` one-time prekeys, stores their private halves in the account's store, and
 * returns the signed public halves to publish.
 * @throws {PfsError} `INVALID_ARGUMENT` for a count outside 1..1000, `NO_ACCOUNT`
 */
export function createOneTimePreKeys(opts: AccountOptions, count: number): OneTimePreKeyEntry[] {
  if (!Number.isInteger(count) || count < 1 || count > MAX_ONE_TIME_PREKEYS) {
    throw new PfsError('INVALID_ARGUMENT', 'count must be 1-1000', { max: MAX_ONE_TIME_PREKEYS })
  }
  const keys = accountKeys(opts)
  const { crypto } = keys
  const now = keys.clock()
  const out: OneTimePreKeyEntry[] = []
  try {
    opts.store.transaction(() => {
      for (let i = 0; i < count; i++) {
        const pair = crypto.generateKeyPair()
        try {
          pair.privateKey.use((raw) => {
            opts.store.putOneTimePreKey({
              publicKey: pair.publicKey,
              privateKey: raw.slice(),
              createdAt: now,
            })
          })
          out.push(signOneTimePreKey(pair.publicKey, keys.identity, crypto))
        } finally {
          pair.privateKey.destroy()
        }
      }
    })
  } finally {
    keys.identity.destroy()
  }
  return out
}
