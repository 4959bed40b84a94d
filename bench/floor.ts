/**
 * The primitives' floor of `compare.ts`: the rate a message would reach if it cost exactly the
 * primitives it needs and nothing else (issue 9), on the fastest provider measured in this run.
 *
 * - one-way, per message (sender and receiver each): KDF_CK (2 × HMAC-SHA256 of 1 byte), the
 *   message keys (HKDF-SHA256 to 80 bytes), AES-256-CTR over the 100-byte body, and the tag
 *   (HMAC-SHA256 over AD ‖ IV ‖ body, 8 + 33 + 16 + 100 bytes).
 * - ping-pong adds the DH ratchet step the receiver takes on every message: a key pair
 *   (private key + public key), 2 DH and 2 × KDF_RK (HKDF-SHA256 to 96 bytes).
 */
import { providers } from '../src/crypto/index.ts'
import type { CryptoProvider } from '../src/crypto/index.ts'
import { opsPerSecond } from './harness.ts'

export interface Floor {
  readonly provider: string
  readonly oneWay: number
  readonly pingPong: number
}

function costs(crypto: CryptoProvider, dh: 'secp256k1' | 'x25519', quick: boolean) {
  const n = quick ? 2_000 : 10_000
  const key = crypto.randomBytes(32)
  const one = Uint8Array.of(0x0f)
  const info = new Uint8Array(32).fill(0x70)
  const body = new Uint8Array(100)
  const macInput = new Uint8Array(8 + 33 + 16 + 100)
  const iv = crypto.randomBytes(16)
  const us = (rate: number): number => 1e6 / rate
  const hmac1 = us(opsPerSecond(() => crypto.hmacSha256(key, one), n, 3))
  const hkdf80 = us(opsPerSecond(() => crypto.hkdfSha256(key, key, info, 80), n, 3))
  const hkdf96 = us(opsPerSecond(() => crypto.hkdfSha256(key, key, info, 96), n, 3))
  const ctr = us(opsPerSecond(() => crypto.aesCtr(key, iv, body), n, 3))
  const tag = us(opsPerSecond(() => crypto.hmacSha256(key, macInput), n, 3))
  let keygen: number
  let agree: number
  const m = quick ? 100 : 500
  if (dh === 'secp256k1') {
    const peer = crypto.generateKeyPair().publicKey
    const own = crypto.generateKeyPair().privateKey
    keygen = us(opsPerSecond(() => crypto.generateKeyPair(), m, 3))
    agree = us(opsPerSecond(() => crypto.secp256k1Ecdh(own, peer), m, 3))
  } else {
    const peer = crypto.x25519PublicKey(crypto.x25519GeneratePrivateKey())
    const own = crypto.x25519GeneratePrivateKey()
    keygen = us(opsPerSecond(() => crypto.x25519PublicKey(crypto.x25519GeneratePrivateKey()), m, 3))
    agree = us(opsPerSecond(() => crypto.x25519(own, peer), m, 3))
  }
  const message = 2 * (2 * hmac1 + hkdf80 + ctr + tag)
  const step = keygen + 2 * agree + 2 * hkdf96
  return { oneWay: 1e6 / message, pingPong: 1e6 / (message + step) }
}

/** The floor of each DH function: the best provider for each rate. */
export function floors(quick: boolean): Record<'secp256k1' | 'x25519', Floor> {
  const out = {} as Record<'secp256k1' | 'x25519', Floor>
  for (const dh of ['secp256k1', 'x25519'] as const) {
    let best: Floor | undefined
    for (const [name, crypto] of Object.entries(providers)) {
      const c = costs(crypto, dh, quick)
      if (best === undefined || c.pingPong > best.pingPong) {
        best = {
          provider: name,
          oneWay: Math.max(c.oneWay, best?.oneWay ?? 0),
          pingPong: c.pingPong,
        }
      } else {
        best = { ...best, oneWay: Math.max(c.oneWay, best.oneWay) }
      }
    }
    out[dh] = best!
  }
  return out
}
