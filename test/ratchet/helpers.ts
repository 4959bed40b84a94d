/**
 * Shared helpers of the ratchet tests: session pairs for either DH function, a provider that counts
 * KDF/DH calls, error-code capture, and the fast-check seed every property test records.
 */
import assert from 'node:assert/strict'
import { providers, toHex } from '../../src/crypto/index.ts'
import type { CryptoProvider } from '../../src/crypto/index.ts'
import { PfsError } from '../../src/errors.ts'
import { initiator, responder, serialize } from '../../src/ratchet/index.ts'
import type { DhName, RatchetKeyPair, RatchetState } from '../../src/ratchet/index.ts'

export const DH_NAMES: readonly DhName[] = ['secp256k1', 'x25519']

/**
 * The seed of this run: `FC_SEED` when set (to replay a failure), else the clock. Every property
 * passes it to `fc.assert` and prints it, so a failure can be replayed with the `path` fast-check
 * reports.
 */
export const SEED: number =
  process.env['FC_SEED'] === undefined ? Date.now() : Number(process.env['FC_SEED'])

export function generateKeyPair(dh: DhName, crypto: CryptoProvider): RatchetKeyPair {
  if (dh === 'secp256k1') return crypto.generateKeyPair()
  const privateKey = crypto.x25519GeneratePrivateKey()
  return { privateKey, publicKey: crypto.x25519PublicKey(privateKey) }
}

/** A fresh session: Alice initiator, Bob responder on his "signed prekey". */
export function newPair(
  dh: DhName,
  crypto: CryptoProvider = providers.portable,
): { alice: RatchetState; bob: RatchetState; sk: Uint8Array } {
  const sk = crypto.randomBytes(32)
  const spk = generateKeyPair(dh, crypto)
  return {
    alice: initiator(sk, spk.publicKey, { dh, crypto }),
    bob: responder(sk, spk, { dh, crypto }),
    sk,
  }
}

/** The `PfsError` code `fn` throws; fails the test on success or on any other exception. */
export function codeOf(fn: () => unknown): string {
  try {
    fn()
  } catch (e) {
    assert.ok(e instanceof PfsError, `expected PfsError, got ${String(e)}`)
    return e.code
  }
  assert.fail('expected an error')
}

export function stateHex(state: RatchetState): string {
  return toHex(serialize(state))
}

/** Call counts of the provider's KDF and DH primitives. */
export interface Counts {
  hmac: number
  hkdf: number
  dh: number
}

/** `base` with its HMAC, HKDF and DH primitives counted into the returned `counts`. */
export function countingProvider(base: CryptoProvider = providers.portable): {
  crypto: CryptoProvider
  counts: Counts
} {
  const counts: Counts = { hmac: 0, hkdf: 0, dh: 0 }
  const crypto: CryptoProvider = {
    ...base,
    hmacSha256: (k, d) => (counts.hmac++, base.hmacSha256(k, d)),
    hkdfSha256: (i, s, n, l) => (counts.hkdf++, base.hkdfSha256(i, s, n, l)),
    secp256k1Ecdh: (p, q) => (counts.dh++, base.secp256k1Ecdh(p, q)),
    x25519: (p, q) => (counts.dh++, base.x25519(p, q)),
  }
  return { crypto, counts }
}

export function resetCounts(c: Counts): void {
  c.hmac = 0
  c.hkdf = 0
  c.dh = 0
}
