/**
 * `SyncOpener` (src/messenger/sync-open-pool.ts): batches come out in order, each exactly once,
 * and what the worker opened ahead is exactly what `open` computes on the main thread — payload,
 * signer, padding and signature for good envelopes, the same error code for bad ones — while a
 * main-thread `open` of a pre-opened envelope does no decryption of its own.
 *
 * @module
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { SecretKey, providers, utf8 } from '../../src/crypto/index.ts'
import type { CryptoProvider } from '../../src/crypto/index.ts'
import { isPfsError } from '../../src/errors.ts'
import {
  RecoveredSignatures,
  unwrapApplicationMessage,
  wrapApplicationMessage,
} from '../../src/messenger/app-message.ts'
import { SyncOpener } from '../../src/messenger/sync-open-pool.ts'
import type { SessionSnapshot } from '../../src/messenger/sync-open-pool.ts'
import { encrypt, initiator, responder, serialize } from '../../src/ratchet/index.ts'
import type { RatchetState } from '../../src/ratchet/index.ts'
import { open, sealAsymmetric, sealSymmetric } from '../../src/transport/index.ts'
import type { Envelope, OpenKey, OpenedPayload } from '../../src/transport/index.ts'
import {
  DRHeaderSchema,
  EncryptedMessageProtocolSchema,
  ProtocolMessageSchema,
  create,
  encodeProtocolMessage,
} from '../../src/wire/index.ts'

const crypto = providers.native
const me = crypto.generateKeyPair()
const sender = crypto.generateKeyPair()
const symKey = SecretKey.fromBytes(crypto.randomBytes(32))
const ASYM: OpenKey = { privateKey: me.privateKey }
const SYM: OpenKey = { symKey }

/** An envelope as the opener sees it: only `data` and `topic` are read. */
function envelope(data: Uint8Array, sym: boolean): Envelope {
  return { data, topic: Uint8Array.of(sym ? 1 : 0, 0, 0, 0) } as unknown as Envelope
}

/** 60 good envelopes (both kinds), one tampered, one for someone else, one unsigned. */
function envelopes(): Envelope[] {
  const out: Envelope[] = []
  for (let i = 0; i < 60; i++) {
    const payload = crypto.randomBytes(50 + i)
    const sym = i % 3 === 0
    const data = sym
      ? sealSymmetric(payload, symKey, sender.privateKey, { provider: crypto })
      : sealAsymmetric(payload, me.publicKey, sender.privateKey, { provider: crypto })
    out.push(envelope(data, sym))
  }
  const tampered = sealAsymmetric(Uint8Array.of(1), me.publicKey, sender.privateKey)
  tampered[tampered.length - 1]! ^= 1
  out.push(envelope(tampered, false))
  out.push(envelope(sealAsymmetric(Uint8Array.of(2), sender.publicKey, sender.privateKey), false))
  out.push(envelope(sealAsymmetric(Uint8Array.of(3), me.publicKey, undefined), false))
  return out
}

const keyOf = (e: Envelope): OpenKey => (e.topic[0] === 1 ? SYM : ASYM)

/** Waits (up to 20 s, for a loaded machine) until the opener's worker takes batches. */
async function ready(opener: SyncOpener): Promise<void> {
  for (let t = 0; t < 400 && !opener.workerReady; t++) await sleep(50)
  assert.ok(opener.workerReady, 'worker did not start')
}

type Outcome = OpenedPayload | string

function openWith(e: Envelope, provider: CryptoProvider): Outcome {
  try {
    return open(e.data, keyOf(e), { provider })
  } catch (err) {
    assert.ok(isPfsError(err))
    return err.code
  }
}

/** A provider that counts the decryptions it is asked for (and does them). */
function counting(): { provider: CryptoProvider; calls: () => number } {
  let n = 0
  const provider: CryptoProvider = {
    ...crypto,
    eciesDecrypt: (k, d) => (n++, crypto.eciesDecrypt(k, d)),
    decryptSymmetric: (k, d) => (n++, crypto.decryptSymmetric(k, d)),
  }
  return { provider, calls: () => n }
}

describe('SyncOpener', () => {
  test('opens ahead in a worker, byte for byte what open computes, batches in order', async () => {
    const all = envelopes()
    const expected = all.map((e) => openWith(e, crypto))
    const opener = new SyncOpener({ provider: crypto, keyOf })
    const spy = counting()
    const seen: Envelope[] = []
    const got: Outcome[] = []
    const flush = (batch: readonly Envelope[]): void => {
      for (const e of batch) {
        seen.push(e)
        got.push(openWith(e, spy.provider))
      }
    }
    try {
      for (let i = 0; i < all.length; i += 7) {
        await opener.push(all.slice(i, i + 7), flush)
        // Give the worker time to start, so that later batches are opened there.
        if (i === 0) await ready(opener)
        else await sleep(20)
      }
      await opener.drain(flush)
    } finally {
      await opener.close()
    }
    assert.deepEqual(seen, all)
    assert.deepEqual(got, expected)
    assert.ok(expected.includes('MAC_MISMATCH'))
    assert.ok(expected.includes('UNSIGNED_PAYLOAD'))
    // The worker opened most of them: the main thread decrypted only the first batches.
    assert.ok(spy.calls() < all.length / 2, `main thread decrypted ${String(spy.calls())}`)
  })

  test('a pre-opened result is only used with the very key object it was opened with', async () => {
    const all = envelopes().slice(0, 30)
    const opener = new SyncOpener({ provider: crypto, keyOf })
    const spy = counting()
    let n = 0
    const flush = (batch: readonly Envelope[]): void => {
      for (const e of batch) {
        // An equal key in another object: the main thread must decrypt itself.
        const k = keyOf(e)
        const other: OpenKey = 'symKey' in k ? { symKey } : { privateKey: me.privateKey }
        assert.deepEqual(open(e.data, other, { provider: spy.provider }), open(e.data, k))
        n++
      }
    }
    try {
      for (let i = 0; i < all.length; i += 5) {
        await opener.push(all.slice(i, i + 5), flush)
        if (i === 0) await ready(opener)
        else await sleep(20)
      }
      await opener.drain(flush)
    } finally {
      await opener.close()
    }
    assert.equal(n, all.length)
    assert.equal(spy.calls(), all.length)
  })

  test('without the native provider no worker starts, and every batch still comes out', async () => {
    const all = envelopes().slice(0, 20)
    const opener = new SyncOpener({ provider: providers.portable, keyOf })
    const seen: Envelope[] = []
    for (let i = 0; i < all.length; i += 3) {
      await opener.push(all.slice(i, i + 3), (b) => seen.push(...b))
    }
    await opener.drain((b) => seen.push(...b))
    assert.equal(opener.workerReady, false)
    await opener.close()
    assert.deepEqual(seen, all)
  })
})

describe('SyncOpener: application signatures recovered ahead in a shadow session', () => {
  const OURS = 'bob-1'
  const THEIRS = 'alice-1'
  const senderFull = crypto.decompressPublicKey(sender.publicKey)
  const spk = crypto.generateKeyPair()

  /** `n` Double Ratchet messages from `sender` to us, each with the application bytes inside. */
  function conversation(n: number): {
    envelopes: Envelope[]
    apps: Uint8Array[]
    ours: RatchetState
  } {
    const sk = crypto.randomBytes(32)
    let theirs = initiator(sk, spk.publicKey, { crypto })
    const ours = responder(sk, spk, { crypto })
    const envelopes: Envelope[] = []
    const apps: Uint8Array[] = []
    for (let i = 0; i < n; i++) {
      const app = wrapApplicationMessage(
        1,
        utf8(`m${String(i)}`),
        sender.privateKey,
        senderFull,
        crypto,
      )
      const sent = encrypt(theirs, app.bytes)
      theirs = sent.state
      const message = create(ProtocolMessageSchema, {
        installationId: THEIRS,
        encryptedMessage: {
          [OURS]: create(EncryptedMessageProtocolSchema, {
            DRHeader: create(DRHeaderSchema, {
              key: sent.header.dh,
              n: sent.header.n,
              pn: sent.header.pn,
              id: spk.publicKey,
            }),
            payload: sent.ciphertext,
          }),
        },
      })
      const data = sealAsymmetric(encodeProtocolMessage(message), me.publicKey, sender.privateKey, {
        provider: crypto,
      })
      envelopes.push(envelope(data, false))
      apps.push(app.bytes)
    }
    return { envelopes, apps, ours }
  }

  /** Runs the opener over `envelopes` and unwraps each message with the memo, as a sync does. */
  async function run(
    envelopes: readonly Envelope[],
    apps: readonly Uint8Array[],
    sessions: SessionSnapshot[] | undefined,
  ): Promise<{ hits: number; same: boolean }> {
    const recovered = new RecoveredSignatures()
    const opener = new SyncOpener({
      provider: crypto,
      keyOf,
      recovered,
      ...(sessions === undefined ? {} : { sessions: () => ({ installationId: OURS, sessions }) }),
    })
    let same = true
    let i = 0
    const flush = (batch: readonly Envelope[]): void => {
      for (const e of batch) {
        open(e.data, keyOf(e), { provider: crypto })
        const bytes = apps[envelopes.indexOf(e)]!
        const withMemo = unwrapApplicationMessage(bytes, sender.publicKey, crypto, recovered)
        const without = unwrapApplicationMessage(bytes, sender.publicKey, crypto)
        same &&= withMemo.id === without.id && withMemo.type === without.type
        i++
      }
    }
    try {
      for (let j = 0; j < envelopes.length; j += 10) {
        await opener.push(envelopes.slice(j, j + 10), flush)
        if (j === 0) await ready(opener)
        // A main thread busy with the store: the worker gets ahead.
        else await sleep(30)
      }
      await opener.drain(flush)
    } finally {
      await opener.close()
    }
    assert.equal(i, envelopes.length)
    return { hits: recovered.hits, same }
  }

  const snapshot = (
    state: RatchetState,
    bundleId: Uint8Array = spk.publicKey,
  ): SessionSnapshot => ({
    identity: sender.publicKey,
    installationId: THEIRS,
    bundleId,
    state: serialize(state),
  })

  test('signers come from the worker for the batches it decrypts ahead; results unchanged', async () => {
    const { envelopes, apps, ours } = conversation(60)
    const session = snapshot(ours)
    const { hits, same } = await run(envelopes, apps, [session])
    assert.ok(same)
    // The first batch is handled before the worker is ready; most of the rest come from it.
    assert.ok(hits >= 30, `${String(hits)} hits`)
    assert.ok(hits <= 50)
    // The pool took the snapshot over: its copy went to the worker, the bytes here are wiped.
    assert.ok(session.state.length > 0 && session.state.every((b) => b === 0))
  })

  test('no snapshot, another session, or the session under another name: no hits, same results', async () => {
    const { envelopes, apps, ours } = conversation(40)
    const other = conversation(1).ours
    for (const sessions of [
      undefined,
      [],
      // A shadow session that is not the sender's: every MAC fails, nothing is recovered.
      [snapshot(other)],
      // The right state under another bundle id, installation or identity: never looked up.
      [snapshot(ours, crypto.generateKeyPair().publicKey)],
      [{ ...snapshot(ours), installationId: 'alice-2' }],
      [{ ...snapshot(ours), identity: me.publicKey }],
    ]) {
      const { hits, same } = await run(envelopes, apps, sessions)
      assert.ok(same)
      assert.equal(hits, 0)
    }
  })
})
