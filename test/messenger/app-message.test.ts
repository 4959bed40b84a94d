import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { concatBytes, defaultProvider, toHex, utf8 } from '../../src/crypto/index.ts'
import type { CryptoProvider } from '../../src/crypto/index.ts'
import { isPfsError } from '../../src/errors.ts'
import { RECOVERED_SIGNATURES_LIMIT, RecoveredSignatures } from '../../src/messenger/app-message.ts'
import {
  messageId,
  unwrapApplicationMessage,
  wrapApplicationMessage,
} from '../../src/messenger/index.ts'
import {
  ApplicationMetadataMessageSchema,
  ApplicationType,
  ChatMessageSchema,
  ContentType,
  MessageType,
  create,
  decodeApplicationMetadataMessage,
  decodeChatMessage,
  encodeApplicationMetadataMessage,
  encodeChatMessage,
} from '../../src/wire/index.ts'

const crypto = defaultProvider()

test('ChatMessage uses status-go field numbers', () => {
  const bytes = encodeChatMessage(
    create(ChatMessageSchema, {
      clock: 5n,
      timestamp: 7n,
      text: 'a',
      chatId: 'b',
      messageType: MessageType.OneToOne,
      contentType: ContentType.TextPlain,
    }),
  )
  // clock=1, timestamp=2, text=3, chat_id=6, message_type=7, content_type=8 (chat_message.proto).
  assert.equal(toHex(bytes), '0805' + '1007' + '1a0161' + '320162' + '3801' + '4001')
  const back = decodeChatMessage(bytes)
  assert.equal(back.text, 'a')
  assert.equal(back.clock, 5n)
  assert.equal(ContentType.ContactRequest, 11)
})

test('ApplicationMetadataMessage: signature=1, payload=2, type=3; id over sender key and bytes', () => {
  const pair = crypto.generateKeyPair()
  const sender = crypto.decompressPublicKey(pair.publicKey)
  const payload = utf8('payload')
  const wrapped = wrapApplicationMessage(
    ApplicationType.ChatMessage,
    payload,
    pair.privateKey,
    sender,
    crypto,
  )
  assert.equal(wrapped.bytes[0], 0x0a) // field 1, bytes
  assert.equal(wrapped.bytes[1], 65)
  assert.equal(wrapped.bytes[67], 0x12) // field 2, bytes
  assert.equal(wrapped.bytes[wrapped.bytes.length - 2], 0x18) // field 3, varint
  assert.equal(wrapped.bytes[wrapped.bytes.length - 1], 1)
  const amm = decodeApplicationMetadataMessage(wrapped.bytes)
  assert.ok(crypto.verifyKeccak(payload, amm.signature, sender))
  assert.equal(wrapped.id, `0x${toHex(crypto.keccak256(concatBytes(sender, wrapped.bytes)))}`)
  assert.equal(messageId(pair.publicKey, wrapped.bytes, crypto), wrapped.id)
  const got = unwrapApplicationMessage(wrapped.bytes, pair.publicKey, crypto)
  assert.equal(got.id, wrapped.id)
  assert.equal(got.type, ApplicationType.ChatMessage)
  assert.deepEqual(got.payload, payload)
})

test('an application message signed by someone else, or malformed, is refused', () => {
  const a = crypto.generateKeyPair()
  const b = crypto.generateKeyPair()
  const wrapped = wrapApplicationMessage(1, utf8('x'), a.privateKey, a.publicKey, crypto)
  assert.throws(
    () => unwrapApplicationMessage(wrapped.bytes, b.publicKey, crypto),
    (e) => isPfsError(e, 'INVALID_SIGNATURE'),
  )
  for (const bad of [
    Uint8Array.of(0x0a, 0x05, 1),
    Uint8Array.of(0x0a, 0x02, 1, 2),
    Uint8Array.of(0xff),
  ]) {
    assert.throws(
      () => unwrapApplicationMessage(bad, a.publicKey, crypto),
      (e) => isPfsError(e, 'WIRE_MALFORMED') || isPfsError(e, 'INVALID_SIGNATURE'),
    )
  }
  assert.throws(
    () => unwrapApplicationMessage(new Uint8Array(2 * 1024 * 1024), a.publicKey, crypto),
    (e) => isPfsError(e, 'WIRE_MALFORMED'),
  )
})

describe('RecoveredSignatures (issue 9: signers recovered ahead by the sync worker)', () => {
  const pair = crypto.generateKeyPair()
  const signerFull = crypto.decompressPublicKey(pair.publicKey)
  const payload = utf8('hello')
  const signature = crypto.signKeccak(payload, pair.privateKey)
  const digest = crypto.keccak256(payload)

  test('a hit needs the same signature and the same digest, and is taken once', () => {
    const memo = new RecoveredSignatures()
    memo.remember(signature, digest, signerFull)
    assert.equal(memo.size, 1)
    const otherDigest = crypto.keccak256(utf8('hellO'))
    assert.equal(memo.take(signature, otherDigest), undefined)
    const otherSig = signature.slice()
    otherSig[10]! ^= 1
    assert.equal(memo.take(otherSig, digest), undefined)
    assert.equal(memo.hits, 0)
    assert.equal(memo.size, 1, 'a miss leaves the entry')
    assert.deepEqual(memo.take(signature, digest), signerFull)
    assert.equal(memo.hits, 1)
    assert.equal(memo.size, 0)
    assert.equal(memo.take(signature, digest), undefined, 'taken entries are gone')
  })

  test('copies what it is given, and ignores values of the wrong length', () => {
    const memo = new RecoveredSignatures()
    const sig = signature.slice()
    const d = digest.slice()
    const s = signerFull.slice()
    memo.remember(sig, d, s)
    d.fill(0)
    s.fill(0)
    assert.deepEqual(memo.take(signature, digest), signerFull)
    memo.remember(signature.subarray(0, 64), digest, signerFull)
    memo.remember(signature, digest.subarray(1), signerFull)
    memo.remember(signature, digest, pair.publicKey)
    assert.equal(memo.size, 0)
  })

  test('is bounded: the oldest entries go first', () => {
    const memo = new RecoveredSignatures(3)
    const sigs = [0, 1, 2, 3, 4].map((i) => {
      const s = new Uint8Array(65)
      s[0] = i
      return s
    })
    for (const s of sigs) memo.remember(s, digest, signerFull)
    assert.equal(memo.size, 3)
    assert.equal(memo.take(sigs[0]!, digest), undefined)
    assert.equal(memo.take(sigs[1]!, digest), undefined)
    for (const s of sigs.slice(2)) assert.deepEqual(memo.take(s, digest), signerFull)
    const big = new RecoveredSignatures()
    for (let i = 0; i < RECOVERED_SIGNATURES_LIMIT + 10; i++) {
      const s = new Uint8Array(65)
      new DataView(s.buffer).setUint32(0, i)
      big.remember(s, digest, signerFull)
    }
    assert.equal(big.size, RECOVERED_SIGNATURES_LIMIT)
  })

  test('unwrap with a memo gives what unwrap without one gives, and uses the memo', () => {
    const wrapped = wrapApplicationMessage(1, payload, pair.privateKey, signerFull, crypto)
    const plain = unwrapApplicationMessage(wrapped.bytes, pair.publicKey, crypto)
    const miss = new RecoveredSignatures()
    assert.deepEqual(unwrapApplicationMessage(wrapped.bytes, pair.publicKey, crypto, miss), plain)
    assert.equal(miss.hits, 0)
    const memo = new RecoveredSignatures()
    memo.remember(signature, digest, signerFull)
    // A recovery on this path would fail: the hit must come from the memo.
    const noRecovery: CryptoProvider = {
      ...crypto,
      recoverKeccak: () => assert.fail('recoverKeccak called'),
      secp256k1Recover: () => assert.fail('secp256k1Recover called'),
    }
    assert.deepEqual(
      unwrapApplicationMessage(wrapped.bytes, pair.publicKey, noRecovery, memo),
      plain,
    )
    assert.equal(memo.hits, 1)
  })

  test('a memo entry never makes a forged or misattributed message pass', () => {
    const mallory = crypto.generateKeyPair()
    const malloryFull = crypto.decompressPublicKey(mallory.publicKey)
    // Mallory's message claims to come from `pair` (the envelope signer); the memo says its
    // signature recovers to `pair` — but for another digest: ignored, the real recovery says
    // Mallory, and the message is refused.
    const forged = wrapApplicationMessage(
      1,
      utf8('forged'),
      mallory.privateKey,
      malloryFull,
      crypto,
    )
    const forgedSig = decodeApplicationMetadataMessage(forged.bytes).signature
    const memo = new RecoveredSignatures()
    memo.remember(forgedSig, digest, signerFull)
    assert.throws(
      () => unwrapApplicationMessage(forged.bytes, pair.publicKey, crypto, memo),
      (e) => isPfsError(e, 'INVALID_SIGNATURE'),
    )
    assert.equal(memo.hits, 0)
    // A payload changed after signing: its digest differs from the remembered one.
    const good = wrapApplicationMessage(1, payload, pair.privateKey, signerFull, crypto)
    const amm = decodeApplicationMetadataMessage(good.bytes)
    const tampered = encodeApplicationMetadataMessage(
      create(ApplicationMetadataMessageSchema, {
        signature: amm.signature,
        payload: utf8('hellp'),
        type: amm.type,
      }),
    )
    memo.remember(amm.signature, digest, signerFull)
    assert.throws(
      () => unwrapApplicationMessage(tampered, pair.publicKey, crypto, memo),
      (e) => isPfsError(e, 'INVALID_SIGNATURE'),
    )
    assert.equal(memo.hits, 0)
    // A wrong signer in an exactly matching entry still fails the signer check (and an unsigned
    // message fails before the memo is looked at).
    memo.remember(forgedSig, crypto.keccak256(utf8('forged')), signerFull)
    assert.throws(
      () => unwrapApplicationMessage(forged.bytes, mallory.publicKey, crypto, memo),
      (e) => isPfsError(e, 'INVALID_SIGNATURE'),
    )
  })
})
