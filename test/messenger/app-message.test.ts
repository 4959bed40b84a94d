import assert from 'node:assert/strict'
import { test } from 'node:test'
import { concatBytes, defaultProvider, toHex, utf8 } from '../../src/crypto/index.ts'
import { isPfsError } from '../../src/errors.ts'
import {
  messageId,
  unwrapApplicationMessage,
  wrapApplicationMessage,
} from '../../src/messenger/index.ts'
import {
  ApplicationType,
  ChatMessageSchema,
  ContentType,
  MessageType,
  create,
  decodeApplicationMetadataMessage,
  decodeChatMessage,
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
