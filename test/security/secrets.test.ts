/**
 * Secrets never show (issue 10 "Attack tests"; DESIGN.md "Errors"; STYLE.md §6): after a
 * conversation and a series of failures (tampered, replayed, forged, skipped too far, corrupt
 * state, wrong transport key), no secret appears in anything logged, in any error thrown (with its
 * `cause` chain), or in `util.inspect` / `JSON.stringify` / `String()` of any object the library
 * returned or threw, or of the library's own objects (`Protocol`, `MemoryStore`, `SecretKey`,
 * `RatchetState`, `Receiver`).
 *
 * Secrets scanned: both identity private keys, every signed-prekey private key, every session's
 * X3DH key SK, root and chain keys, the next message keys of each chain, and the transport's
 * symmetric topic key. The static shared secret of §11.4 is returned on purpose
 * (`DecryptResult.sharedSecret`, for the negotiated topic); it is checked separately (todo).
 *
 * @module
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { SecretKey, utf8 } from '../../src/crypto/index.ts'
import { _kdf, _stateSecrets, deserialize } from '../../src/ratchet/index.ts'
import {
  ManualClock,
  Receiver,
  createEnvelope,
  open,
  sealSymmetric,
  topicFromHex,
} from '../../src/transport/index.ts'
import { BundleSchema, ProtocolMessageSchema, clone } from '../../src/wire/index.ts'
import { identityKey } from '../fuzz/protocol-fixture.ts'
import { conversation, crypto } from './helpers.ts'
import type { Party } from './helpers.ts'
import type { NamedSecret } from './secret-scan.ts'
import { findSecrets } from './secret-scan.ts'

/** Every secret a device holds, read from its store. */
function secretsOf(p: Party, peers: readonly Party[]): NamedSecret[] {
  const out: NamedSecret[] = [{ name: `${p.name} identity key`, bytes: p.identity.exportBytes() }]
  for (const spk of p.store.listSignedPreKeys({ includeExpired: true })) {
    out.push({ name: `${p.name} SPK v${String(spk.version)} private`, bytes: spk.privateKey })
  }
  for (const peer of peers) {
    for (const inst of p.store.listInstallations(peer.publicKey)) {
      for (const s of p.store.listSessionsFor(peer.publicKey, inst.installationId)) {
        const tag = `${p.name}→${inst.installationId}`
        out.push({ name: `${tag} SK`, bytes: s.sk })
        const st = _stateSecrets(deserialize(s.state, { crypto }))
        out.push({ name: `${tag} root key`, bytes: st.rootKey })
        for (const [chain, ck] of [
          ['sending', st.sendingChainKey],
          ['receiving', st.receivingChainKey],
        ] as const) {
          if (ck.length === 0) continue
          out.push({ name: `${tag} ${chain} chain key`, bytes: ck })
          let key = ck
          for (let i = 0; i < 3; i++) {
            const step = _kdf.kdfCk(crypto, key)
            out.push({ name: `${tag} ${chain} message key +${String(i)}`, bytes: step.messageKey })
            key = step.chainKey
          }
        }
      }
    }
  }
  return out
}

interface Captured {
  readonly seen: unknown[]
  readonly logs: string[]
}

/** Runs `fn` with console and stdio captured; every value and error it reports is kept. */
function capture(fn: (keep: (v: unknown) => void) => void): Captured {
  const seen: unknown[] = []
  const logs: string[] = []
  const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const
  const saved = methods.map((m) => Reflect.get(console, m) as unknown)
  const out = process.stdout.write.bind(process.stdout)
  const err = process.stderr.write.bind(process.stderr)
  for (const m of methods)
    console[m] = (...args: unknown[]) => void logs.push(args.map(String).join(' '))
  process.stdout.write = (chunk: string | Uint8Array) => {
    logs.push(String(chunk))
    return true
  }
  process.stderr.write = (chunk: string | Uint8Array) => {
    logs.push(String(chunk))
    return true
  }
  try {
    fn((v) => seen.push(v))
  } finally {
    methods.forEach((m, i) => Reflect.set(console, m, saved[i]))
    process.stdout.write = out
    process.stderr.write = err
  }
  return { seen, logs }
}

/** Calls `f`, keeping its result or what it threw. */
function attempt(keep: (v: unknown) => void, f: () => unknown): void {
  try {
    keep(f())
  } catch (e) {
    keep(e)
  }
}

function scenario() {
  const { alice, bob, mallory, clock } = conversation()
  const symKey = SecretKey.fromBytes(crypto.sha256(utf8('negotiated topic key')))
  const captured = capture((keep) => {
    const m1 = alice.protocol.encrypt(bob.publicKey, utf8('one'))
    keep(m1)
    const m2 = alice.protocol.encrypt(bob.publicKey, utf8('two'))
    keep(m2)
    attempt(keep, () => bob.protocol.decrypt(alice.publicKey, m2.message))
    attempt(keep, () => bob.protocol.decrypt(alice.publicKey, m1.message))
    attempt(keep, () => bob.protocol.decrypt(alice.publicKey, m1.message)) // DUPLICATE
    const tampered = clone(
      ProtocolMessageSchema,
      alice.protocol.encrypt(bob.publicKey, utf8('3')).message,
    )
    tampered.encryptedMessage['bob-1']!.payload[20]! ^= 1
    attempt(keep, () => bob.protocol.decrypt(alice.publicKey, tampered)) // MAC_MISMATCH
    const far = clone(ProtocolMessageSchema, tampered)
    far.encryptedMessage['bob-1']!.DRHeader!.n = 0xffffffff
    attempt(keep, () => bob.protocol.decrypt(alice.publicKey, far)) // TOO_MANY_SKIPPED
    const forged = clone(BundleSchema, alice.protocol.ourBundle())
    forged.timestamp += 1n
    attempt(keep, () => bob.protocol.processBundle(forged)) // BUNDLE_SIGNATURE
    attempt(keep, () => bob.protocol.processBundle(mallory.protocol.ourBundle(), alice.publicKey))
    attempt(keep, () => bob.protocol.processBundle(alice.protocol.ourBundle()))
    attempt(keep, () => bob.protocol.ourBundle())
    attempt(keep, () => mallory.protocol.decrypt(alice.publicKey, m1.message)) // not for Mallory
    const back = bob.protocol.encrypt(alice.publicKey, utf8('back'))
    keep(back)
    attempt(keep, () => alice.protocol.decrypt(bob.publicKey, back.message))
    // A corrupt stored state: its error must not quote the state.
    const session = bob.store.listSessionsFor(alice.publicKey, 'alice-1')[0]!
    const corrupt = Uint8Array.from(session.state)
    corrupt[corrupt.length - 3]! ^= 0xff
    attempt(keep, () => deserialize(corrupt.subarray(0, corrupt.length - 5), { crypto }))
    attempt(keep, () => deserialize(corrupt, { crypto }))
    const state = deserialize(session.state, { crypto })
    keep(state)
    // Transport: open with the wrong key, a tampered envelope, the right key.
    const now = 1_767_225_600
    const data = sealSymmetric(utf8('payload'), symKey, alice.identity, { provider: crypto })
    const env = createEnvelope({ topic: topicFromHex('0x01020304'), data, now })
    const wrong = SecretKey.fromBytes(crypto.sha256(utf8('wrong')))
    attempt(keep, () => open(env.data, { symKey: wrong }, { provider: crypto }))
    attempt(keep, () => open(env.data, { privateKey: bob.identity }, { provider: crypto }))
    attempt(keep, () => open(env.data, { symKey }, { provider: crypto }))
    const receiver = new Receiver({ clock: new ManualClock(now * 1000), minPow: 0 })
    attempt(keep, () => receiver.accept(env))
    keep(receiver)
    for (const p of [alice, bob, mallory]) {
      keep(p.protocol)
      keep(p.store)
      keep(p.identity)
    }
    keep(symKey)
    clock.now += 1n
  })
  const secrets = [
    ...secretsOf(alice, [bob, mallory]),
    ...secretsOf(bob, [alice, mallory]),
    ...secretsOf(mallory, [alice, bob]),
    { name: 'topic key', bytes: symKey.exportBytes() },
    { name: 'identity key (fresh copy)', bytes: identityKey('alice').exportBytes() },
  ]
  return { alice, bob, captured, secrets }
}

/** The §11.4 shared secret is a designed output; scan everything else. */
function withoutSharedSecret(v: unknown): unknown {
  if (typeof v !== 'object' || v === null || !('sharedSecret' in v)) return v
  const { sharedSecret: _omit, ...rest } = v as Record<string, unknown>
  return rest
}

describe('secrets never leak', () => {
  test('not in logs, errors, util.inspect, JSON or reachable bytes of anything returned', () => {
    const { captured, secrets } = scenario()
    assert.ok(secrets.length > 20, `only ${String(secrets.length)} secrets collected`)
    assert.ok(captured.seen.filter((v) => v instanceof Error).length >= 8, 'failures not reached')
    const leaks: string[] = []
    captured.seen.forEach((v, i) => {
      for (const f of findSecrets(withoutSharedSecret(v), secrets)) leaks.push(`#${String(i)} ${f}`)
    })
    for (const f of findSecrets(captured.logs.join('\n'), secrets)) leaks.push(`log: ${f}`)
    assert.deepEqual(leaks, [])
  })

  test('the scanner finds a secret when one is there (the test can fail)', () => {
    const { secrets } = scenario()
    const sk = secrets.find((s) => s.name.endsWith(' SK'))!
    assert.ok(findSecrets({ nested: { bytes: sk.bytes.slice() } }, [sk]).length > 0)
    assert.ok(
      findSecrets(new Error(`key ${Buffer.from(sk.bytes).toString('hex')}`), [sk]).length > 0,
    )
    assert.ok(findSecrets({ b64: Buffer.from(sk.bytes).toString('base64') }, [sk]).length > 0)
  })

  test('DecryptResult.sharedSecret does not print (non-enumerable), yet is there for the caller', () => {
    const { alice, bob } = conversation()
    const got = bob.protocol.decrypt(
      alice.publicKey,
      alice.protocol.encrypt(bob.publicKey, utf8('x')).message,
    )
    const secret = crypto.secp256k1Ecdh(bob.identity, alice.publicKey)
    assert.ok(got?.sharedSecret !== undefined, 'no shared secret recorded')
    assert.deepEqual(got.sharedSecret, secret)
    assert.deepEqual(findSecrets(got, [{ name: 'shared secret', bytes: secret }]), [])
  })
})
