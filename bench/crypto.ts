/**
 * `npm run bench -- crypto [--quick]`: ops/s of every primitive under both crypto providers (median
 * of 5 rounds), with the ratio native/portable, plus the secp256k1 backend comparison behind the
 * native provider's choice (libsecp256k1 addon vs node:crypto's OpenSSL ECDH vs @noble/curves).
 * Prints Markdown tables and writes them, with the machine line, to bench/results/crypto.md.
 */
import crypto from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { SecretKey, providers, utf8 } from '../src/crypto/index.ts'
import type { CryptoProvider } from '../src/crypto/index.ts'
import { nativeSecp256k1Available } from '../src/crypto/native.ts'
import { fmt, machine, opsPerSecond, printTable } from './harness.ts'

/** Iterations per round so that one round takes about `targetMs`. */
function calibrate(fn: () => void, targetMs: number): number {
  let n = 0
  const t0 = process.hrtime.bigint()
  let elapsed = 0
  while (elapsed < targetMs / 4) {
    fn()
    n++
    elapsed = Number(process.hrtime.bigint() - t0) / 1e6
  }
  return Math.max(1, Math.round((n * targetMs) / elapsed))
}

function rate(fn: () => void, targetMs: number): number {
  return opsPerSecond(fn, calibrate(fn, targetMs), 5)
}

type Op = readonly [label: string, make: (c: CryptoProvider) => () => void]

function operations(): Op[] {
  const seed = (s: string) => providers.portable.sha256(utf8(s))
  const aliceBytes = seed('alice')
  const bobBytes = seed('bob')
  const digest = seed('digest')
  const k32 = seed('k32')
  const iv = k32.subarray(0, 16)
  const nonce = k32.subarray(0, 12)
  const small = new Uint8Array(32).fill(1)
  const kib = new Uint8Array(1024).fill(2)
  const info = utf8('rsZUpEuXUqqwXBvSy3EcievAh4cMj6QL')
  const payload = new Uint8Array(200).fill(3)
  // Fixed inputs per provider, built outside the timed closures.
  const setup = (c: CryptoProvider) => {
    const alice = c.secp256k1PrivateKey(aliceBytes)
    const bob = c.secp256k1PrivateKey(bobBytes)
    const bobPub = c.secp256k1PublicKey(bob, true)
    const sig = c.secp256k1SignRecoverable(digest, alice)
    const xa = SecretKey.fromBytes(aliceBytes)
    const xbPub = c.x25519PublicKey(SecretKey.fromBytes(bobBytes))
    const sealed = c.aesGcmSeal(k32, nonce, kib)
    const ecies = c.eciesEncrypt(bobPub, payload)
    return { alice, bob, bobPub, sig, xa, xbPub, sealed, ecies }
  }
  type S = ReturnType<typeof setup>
  const withSetup = (label: string, f: (c: CryptoProvider, s: S) => () => void): Op => [
    label,
    (c) => f(c, setup(c)),
  ]
  return [
    ['randomBytes(32)', (c) => () => c.randomBytes(32)],
    withSetup(
      'secp256k1 public key (compressed)',
      (c, s) => () => c.secp256k1PublicKey(s.alice, true),
    ),
    // One key over and over: the providers' conversion memo answers (the receive path's case).
    withSetup(
      'secp256k1 decompress public key (memoized)',
      (c, s) => () => c.decompressPublicKey(s.bobPub),
    ),
    withSetup('secp256k1 ECDH (raw X)', (c, s) => () => c.secp256k1Ecdh(s.alice, s.bobPub)),
    withSetup(
      'secp256k1 sign (RFC 6979, recoverable)',
      (c, s) => () => c.secp256k1SignRecoverable(digest, s.alice),
    ),
    withSetup('secp256k1 recover', (c, s) => () => c.secp256k1Recover(digest, s.sig, false)),
    withSetup('X25519 public key', (c, s) => () => c.x25519PublicKey(s.xa)),
    withSetup('X25519 DH', (c, s) => () => c.x25519(s.xa, s.xbPub)),
    ['SHA-256, 32 B', (c) => () => c.sha256(small)],
    ['SHA-256, 1 KiB', (c) => () => c.sha256(kib)],
    ['Keccak-256, 32 B', (c) => () => c.keccak256(small)],
    ['Keccak-256, 1 KiB', (c) => () => c.keccak256(kib)],
    ['HMAC-SHA256, 1 B (KdfCK half)', (c) => () => c.hmacSha256(k32, Uint8Array.of(0x0f))],
    ['HMAC-SHA256, 1 KiB', (c) => () => c.hmacSha256(k32, kib)],
    ['HKDF-SHA256, 96 B (KdfRK)', (c) => () => c.hkdfSha256(small, k32, info, 96)],
    [
      'PBKDF2-SHA256, 65356 iterations (§11.4)',
      (c) => () => c.pbkdf2Sha256(small, new Uint8Array(0), 65356, 32),
    ],
    ['AES-256-CTR, 1 KiB', (c) => () => c.aesCtr(k32, iv, kib)],
    ['AES-256-GCM seal, 1 KiB', (c) => () => c.aesGcmSeal(k32, nonce, kib)],
    withSetup('AES-256-GCM open, 1 KiB', (c, s) => () => c.aesGcmOpen(k32, nonce, s.sealed)),
    withSetup('ECIES encrypt, 200 B', (c, s) => () => c.eciesEncrypt(s.bobPub, payload)),
    withSetup('ECIES decrypt, 200 B', (c, s) => () => c.eciesDecrypt(s.bob, s.ecies)),
    withSetup('signKeccak, 200 B', (c, s) => () => c.signKeccak(payload, s.alice)),
  ]
}

interface Secp256k1Addon {
  ecdh(
    pub: Uint8Array,
    sk: Uint8Array,
    o: { hashfn: (x: Uint8Array) => Uint8Array },
    out: Uint8Array,
  ): Uint8Array
  ecdsaSign(d: Uint8Array, sk: Uint8Array): { signature: Uint8Array; recid: number }
  ecdsaRecover(s: Uint8Array, recid: number, d: Uint8Array, compressed: boolean): Uint8Array
  publicKeyCreate(sk: Uint8Array, compressed: boolean): Uint8Array
}

/** The three secp256k1 backends the native provider could use, on identical inputs. */
function backendRows(targetMs: number): string[][] {
  const sk = providers.portable.sha256(utf8('alice'))
  const peer = secp256k1.getPublicKey(providers.portable.sha256(utf8('bob')), true)
  const digest = providers.portable.sha256(utf8('digest'))
  const rows: string[][] = []
  const row = (op: string, backend: string, fn: () => void, note = '') =>
    rows.push([op, backend, fmt(rate(fn, targetMs)), note])

  let addon: Secp256k1Addon | undefined
  try {
    addon = createRequire(import.meta.url)('secp256k1/bindings') as Secp256k1Addon
  } catch {
    addon = undefined
  }
  const x = (a: Uint8Array) => a
  const expected = secp256k1.getSharedSecret(sk, peer, true).slice(1)
  const viaNode = () => {
    const e = crypto.createECDH('secp256k1')
    e.setPrivateKey(sk)
    return e.computeSecret(peer)
  }
  const same = (a: Uint8Array) =>
    Buffer.from(a).equals(Buffer.from(expected)) ? 'same bytes' : 'DIFFERENT'
  if (addon !== undefined) {
    const a = addon
    row(
      'ECDH',
      'libsecp256k1 addon',
      () => a.ecdh(peer, sk, { hashfn: x }, new Uint8Array(32)),
      same(a.ecdh(peer, sk, { hashfn: x }, new Uint8Array(32))),
    )
  }
  row('ECDH', 'node:crypto (OpenSSL)', () => viaNode(), same(viaNode()))
  row('ECDH', '@noble/curves', () => secp256k1.getSharedSecret(sk, peer, true), same(expected))
  if (addon !== undefined) {
    const a = addon
    row('sign', 'libsecp256k1 addon', () => a.ecdsaSign(digest, sk))
  }
  row(
    'sign',
    'node:crypto (OpenSSL)',
    () => crypto.sign(null, digest, { key: nodeKey(sk), dsaEncoding: 'ieee-p1363' }),
    'random nonce, no recid: unusable',
  )
  row('sign', '@noble/curves', () =>
    secp256k1.sign(digest, sk, { prehash: false, format: 'recovered' }),
  )
  if (addon !== undefined) {
    const a = addon
    const s = a.ecdsaSign(digest, sk)
    row('recover', 'libsecp256k1 addon', () => a.ecdsaRecover(s.signature, s.recid, digest, false))
  }
  rows.push(['recover', 'node:crypto (OpenSSL)', '—', 'not available'])
  const rec = secp256k1.sign(digest, sk, { prehash: false, format: 'recovered' })
  row('recover', '@noble/curves', () => secp256k1.recoverPublicKey(rec, digest, { prehash: false }))
  return rows
}

/** A secp256k1 KeyObject for node:crypto's sign (JWK needs the public point too). */
function nodeKey(sk: Uint8Array): crypto.KeyObject {
  const pub = secp256k1.getPublicKey(sk, false)
  const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url')
  return crypto.createPrivateKey({
    key: {
      kty: 'EC',
      crv: 'secp256k1',
      d: b64(sk),
      x: b64(pub.subarray(1, 33)),
      y: b64(pub.subarray(33)),
    },
    format: 'jwk',
  })
}

function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)]
}

export default async function main(args: string[]): Promise<void> {
  const targetMs = args.includes('--quick') ? 20 : 100
  const rows: string[][] = []
  for (const [label, make] of operations()) {
    const p = rate(make(providers.portable), targetMs)
    const n = rate(make(providers.native), targetMs)
    rows.push([label, fmt(p), fmt(n), `${(n / p).toFixed(2)}×`])
  }
  const header = ['operation', 'portable ops/s', 'native ops/s', 'native/portable']
  printTable(header, rows)

  const backendHeader = ['secp256k1 op', 'backend', 'ops/s', 'note']
  const backends = backendRows(targetMs)
  console.log('')
  printTable(backendHeader, backends)

  const m = machine()
  const secp = nativeSecp256k1Available ? 'libsecp256k1 addon' : 'portable fallback (addon missing)'
  console.log(`\nnative secp256k1: ${secp}\nmachine: ${m}`)
  const md = [
    '# Crypto benchmarks',
    '',
    'Generated by `npm run bench -- crypto`. Each figure is the median of 5 rounds of ~100 ms after a',
    'warm-up, on one core, single-threaded, inputs fixed per operation. `native` = node:crypto +',
    `libsecp256k1 addon (here: ${secp}); \`portable\` = @noble/*. Keccak-256: @noble/hashes (portable), ` +
      '`src/crypto/keccak.ts` (native).',
    '',
    ...markdownTable(header, rows),
    '',
    '## secp256k1 backends (why `native` uses the addon)',
    '',
    'Same key, peer and digest for every backend. node:crypto signs with a random nonce and',
    'returns no recovery id, and has no public-key recovery, so only its ECDH could be used.',
    '',
    ...markdownTable(backendHeader, backends),
    '',
    `Machine: ${m}`,
    '',
  ].join('\n')
  const out = fileURLToPath(new URL('./results/', import.meta.url))
  mkdirSync(out, { recursive: true })
  writeFileSync(join(out, 'crypto.md'), md)
  await Promise.resolve()
}
