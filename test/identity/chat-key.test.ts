/**
 * Recovery phrase → chat key (identity README §1): every case of chat_key_derivation.json — seed,
 * master (xprv, key_uid, address), all five status-go paths with the parser quirk, the chat
 * identity — plus our stricter phrase handling (normalised spaces, refused checksum failures).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { HDKey } from '@scure/bip32'
import { pbkdf2Sync } from 'node:crypto'
import { fromHex, providers, toHex } from '../../src/crypto/index.ts'
import { isPfsError } from '../../src/errors.ts'
import {
  STATUS_PATHS,
  chatIdentity,
  chatKeyFromPhrase,
  chatKeyFromSeed,
  decodeStatusPath,
  deriveKeyFromSeed,
  ethereumAddress,
  keyUidFromSeed,
  seedFromPhrase,
  validatePhrase,
} from '../../src/messenger/identity/index.ts'
import vectors from '../../../shared/identity/chat_key_derivation.json' with { type: 'json' }

function exactSeed(mnemonic: string, passphrase: string): Uint8Array {
  const salt = `mnemonic${passphrase}`.normalize('NFKD')
  return new Uint8Array(pbkdf2Sync(mnemonic.normalize('NFKD'), salt, 2048, 64, 'sha512'))
}

const byLabel = new Map(vectors.cases.map((c) => [c.label, c]))

test('decoded_paths: decodeStatusPath reproduces status-go decodePath, quirk included', () => {
  for (const v of vectors.decoded_paths) {
    assert.deepEqual(decodeStatusPath(v.path), v.indices, v.path)
  }
})

test('paths: STATUS_PATHS is the api/defaults.go list', () => {
  assert.deepEqual(Object.values(STATUS_PATHS).sort(), Object.values(vectors.paths).sort())
  assert.equal(STATUS_PATHS.chat, vectors.paths.chat)
})

test('decodeStatusPath refuses malformed paths', () => {
  for (const p of ['', 'n/0', 'm/', 'm//1', "m/1''", 'm/x', 'm/2147483648', 'm/-1', "m/0'/a"]) {
    assert.throws(
      () => decodeStatusPath(p),
      (e) => isPfsError(e, 'INVALID_ARGUMENT'),
      p,
    )
  }
})

for (const [providerName, crypto] of Object.entries(providers)) {
  for (const c of vectors.cases) {
    test(`${c.label} (${providerName}): seed, master, every derived path, chat identity`, () => {
      // The seed of the phrase exactly as given (status-go's MnemonicSeed: no clean-up), by the
      // README's formula; @scure/bip39 itself refuses the double space.
      const seed = exactSeed(c.mnemonic, c.bip39_passphrase)
      assert.equal(toHex(seed), c.seed)

      const master = HDKey.fromMasterSeed(seed)
      assert.equal(master.privateExtendedKey, c.master.xprv)
      const m = deriveKeyFromSeed(seed, 'm', crypto)
      assert.equal(toHex(m.privateKey.exportBytes()), c.master.private_key)
      assert.equal(toHex(m.publicKey), c.master.public_key)
      assert.equal(ethereumAddress(m.publicKey, crypto), c.master.address_eip55)
      assert.equal(ethereumAddress(m.publicKey, crypto).toLowerCase(), `0x${c.master.address}`)
      assert.equal(keyUidFromSeed(seed, crypto), c.master.key_uid)

      for (const [path, d] of Object.entries(c.derived)) {
        const k = deriveKeyFromSeed(seed, path, crypto)
        assert.equal(toHex(k.privateKey.exportBytes()), d.private_key, path)
        assert.equal(toHex(k.publicKey), d.public_key, path)
        assert.equal(toHex(crypto.compressPublicKey(k.publicKey)), d.public_key_compressed, path)
        assert.equal(ethereumAddress(k.publicKey, crypto), d.address_eip55, path)
        // The effective path, derived literally (plain BIP-32), gives the same key: the quirk.
        const literal = master.derive(d.effective_path).publicKey!
        assert.equal(toHex(literal), d.public_key_compressed, d.effective_path)
      }

      const chat = chatKeyFromSeed(seed, crypto)
      assert.equal(toHex(chat.privateKey.exportBytes()), c.chat_private_key)
      assert.equal(toHex(chat.publicKey), c.chat_public_key)
      const wallet = deriveKeyFromSeed(seed, STATUS_PATHS.defaultWallet, crypto)
      assert.equal(toHex(wallet.privateKey.exportBytes()), c.wallet_private_key)
      assert.equal(toHex(wallet.publicKey), c.wallet_public_key)

      const ci = c.chat_identity
      assert.equal(ci.path, STATUS_PATHS.chat)
      assert.equal(ci.public_key, c.chat_public_key)
      const shown = chatIdentity(chat.publicKey, crypto)
      assert.equal(shown.chatId, `0x${c.chat_public_key}`)
      assert.equal(shown.alias, ci.alias)
      assert.equal(shown.compressedKey, ci.compressed_key)
      assert.equal(shown.compressedKeyShort, ci.compressed_key_short)
      assert.deepEqual(shown.emojiHash, ci.emoji_hash)
      assert.deepEqual(shown.colorHash, ci.color_hash)
      assert.equal(shown.colorId, ci.color_id)
      assert.equal(shown.shareUrl, `https://status.app/u#${ci.compressed_key}`)
    })
  }
}

test('status_go_json agrees with the decoded fields', () => {
  for (const c of vectors.cases) {
    const json = JSON.stringify(c.status_go_json)
    assert.ok(json.includes(`0x${c.chat_public_key}`), c.label)
    assert.ok(json.includes(c.chat_identity.compressed_key), c.label)
    assert.ok(json.includes(`0x${c.master.key_uid}`), c.label)
  }
})

test('chatKeyFromPhrase: valid phrases give the status-go chat key', () => {
  for (const c of vectors.cases.filter((v) => v.checksum_valid)) {
    const k = chatKeyFromPhrase(c.mnemonic)
    // Spaces are normalised, so the extra-space phrase gives the single-space identity.
    const expected = c.label === 'abandon_about_extra_spaces' ? byLabel.get('abandon_about_12')! : c
    assert.equal(toHex(k.publicKey), expected.chat_public_key, c.label)
    assert.equal(toHex(k.privateKey.exportBytes()), expected.chat_private_key, c.label)
  }
})

test('abandon_about_extra_spaces: status-go hashes the double space; we normalise it', () => {
  const extra = byLabel.get('abandon_about_extra_spaces')!
  const single = byLabel.get('abandon_about_12')!
  assert.notEqual(extra.seed, single.seed)
  assert.notEqual(extra.chat_public_key, single.chat_public_key)
  assert.equal(toHex(seedFromPhrase(extra.mnemonic)), single.seed)
  for (const variant of [
    `  ${single.mnemonic}\n`,
    single.mnemonic.replaceAll(' ', '\t  '),
    extra.mnemonic,
  ]) {
    assert.equal(toHex(chatKeyFromPhrase(variant).publicKey), single.chat_public_key)
  }
})

test('test_x12_bad_checksum: status-go derives a key; we refuse the phrase', () => {
  const bad = byLabel.get('test_x12_bad_checksum')!
  assert.equal(bad.checksum_valid, false)
  assert.equal(bad.validate_mnemonic_error, 'checksum for mnemonic seed is invalid')
  for (const f of [() => chatKeyFromPhrase(bad.mnemonic), () => validatePhrase(bad.mnemonic)]) {
    assert.throws(f, (e) => {
      assert.ok(isPfsError(e, 'INVALID_ARGUMENT'))
      assert.equal(e.details['reason'], 'checksum')
      assert.doesNotMatch(e.message, /\btest\b/i)
      return true
    })
  }
  // What status-go would have made of it, through the seed-level API.
  const k = chatKeyFromSeed(fromHex(bad.seed))
  assert.equal(toHex(k.publicKey), bad.chat_public_key)
})

test('every case records validation as status-go does', () => {
  for (const c of vectors.cases) {
    assert.equal(c.checksum_valid, c.validate_mnemonic_error === null, c.label)
    assert.equal(
      (() => {
        try {
          validatePhrase(c.mnemonic)
          return true
        } catch {
          return false
        }
      })(),
      c.checksum_valid,
      c.label,
    )
  }
})
