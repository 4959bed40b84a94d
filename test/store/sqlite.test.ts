/**
 * The `Store` contract against `SqliteStore` (plain and encrypted at rest), plus what only a file
 * can show: persistence across reopen, the engine settings (WAL, foreign keys, synchronous),
 * encryption at rest (wrong, missing or unexpected passphrase; no secret or plaintext in the
 * file bytes), and error wrapping.
 *
 * @module
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { toHex, utf8 } from '../../src/crypto/index.ts'
import { SqliteStore } from '../../src/store/index.ts'
import { MIN_KDF_ITERATIONS } from '../../src/store/at-rest.ts'
import { SCHEMA_VERSION } from '../../src/store/sqlite/migrations.ts'
import {
  ALICE,
  BOB,
  b,
  dump,
  expectCode,
  message,
  pk,
  populate,
  registerStoreContract,
  session,
} from './contract.ts'
import { tempDir } from './helpers.ts'

const FAST = { kdfIterations: MIN_KDF_ITERATIONS }

function fileFactory(options: Parameters<typeof SqliteStore.open>[1] = {}) {
  return {
    create() {
      const t = tempDir()
      const store = SqliteStore.open(join(t.dir, 'store.sqlite'), options)
      return {
        store,
        dispose: () => {
          store.close()
          t.remove()
        },
      }
    },
  }
}

registerStoreContract('SqliteStore (file)', fileFactory())
registerStoreContract(
  'SqliteStore (encrypted at rest)',
  fileFactory({ passphrase: 'correct horse', ...FAST }),
)
registerStoreContract('SqliteStore (:memory:, FULL)', {
  create() {
    const store = SqliteStore.open(':memory:', { synchronous: 'FULL' })
    return { store, dispose: () => store.close() }
  },
})

describe('SqliteStore: file behaviour', () => {
  test('data survives close and reopen', () => {
    const t = tempDir()
    try {
      const path = join(t.dir, 's.sqlite')
      const s1 = SqliteStore.open(path)
      populate(s1)
      const before = dump(s1)
      s1.close()
      const s2 = SqliteStore.open(path)
      assert.deepEqual(dump(s2), before)
      s2.close()
    } finally {
      t.remove()
    }
  })

  test('WAL, foreign keys, synchronous as asked, schema version and application id', () => {
    const t = tempDir()
    try {
      // synchronous is per connection; both values must be accepted and give a WAL file.
      for (const mode of ['NORMAL', 'FULL'] as const) {
        const path = join(t.dir, `${mode}.sqlite`)
        const s = SqliteStore.open(path, { synchronous: mode })
        // A second connection sees the file-level settings.
        const raw = new Database(path, { readonly: true })
        assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal')
        assert.equal(raw.pragma('user_version', { simple: true }), SCHEMA_VERSION)
        assert.equal(raw.pragma('application_id', { simple: true }), 0x50465331)
        raw.close()
        s.close()
      }
      expectCode(
        () => SqliteStore.open(join(t.dir, 'x.sqlite'), { synchronous: 'OFF' as 'FULL' }),
        'INVALID_ARGUMENT',
      )
    } finally {
      t.remove()
    }
  })

  test('foreign keys are enforced by the engine', () => {
    const s = SqliteStore.open(':memory:')
    expectCode(() => s.putSession(session(b(1), BOB, 'nope', pk(1))), 'INVALID_STATE')
    s.close()
  })

  test('a missing directory is STORE_FAILURE without the path in the message', () => {
    assert.throws(
      () => SqliteStore.open('/nonexistent-dir-for-pfs/secret-name.sqlite'),
      (e: unknown) => {
        assert.ok(e instanceof Error)
        assert.equal((e as { code?: string }).code, 'STORE_FAILURE')
        assert.equal(e.message.includes('secret-name'), false)
        return true
      },
    )
  })
})

describe('SqliteStore: encryption at rest', () => {
  const secretKey = new Uint8Array(32).fill(0x3c).map((x, i) => x ^ i)
  const secretText = 'meet me at the old mill at midnight'

  function writeSecrets(path: string, passphrase?: string): void {
    const s = SqliteStore.open(path, passphrase === undefined ? {} : { passphrase, ...FAST })
    s.putAccount({
      identityPublicKey: ALICE,
      identityPrivateKey: secretKey,
      installationId: 'alice-1',
      createdAt: 1,
    })
    s.putInstallation({
      identity: BOB,
      installationId: 'bob-1',
      enabled: true,
      version: 1,
      firstSeen: 1n,
      lastSeen: 1n,
      stale: false,
    })
    s.putSession(
      session(b(1), BOB, 'bob-1', pk(3), {
        sk: secretKey.map((x) => x ^ 1),
        state: secretKey.map((x) => x ^ 2),
      }),
    )
    s.putSkippedKey({
      sessionId: b(1),
      ratchetPublic: pk(4),
      n: 0,
      key: secretKey.map((x) => x ^ 3),
      storedAt: 1,
    })
    s.putSignedPreKey({
      publicKey: pk(5),
      privateKey: secretKey.map((x) => x ^ 4),
      version: 1,
      createdAt: 1,
      expired: false,
    })
    s.putSharedSecret(
      BOB,
      secretKey.map((x) => x ^ 5),
    )
    s.addMessage(message('m1', { text: secretText, payload: utf8(secretText + ' (payload)') }))
    s.addContactRequest({
      id: 'r',
      identity: BOB,
      direction: 'incoming',
      state: 'pending',
      text: secretText + ' (request)',
      createdAt: 1,
      updatedAt: 1,
    })
    s.close()
  }

  /** All bytes a copy of the database would carry (main file plus any WAL). */
  function fileBytes(path: string): Buffer {
    const parts = [path, `${path}-wal`].filter((p) => existsSync(p)).map((p) => readFileSync(p))
    return Buffer.concat(parts)
  }

  function leaks(bytes: Buffer): string[] {
    const found: string[] = []
    for (let i = 0; i <= 5; i++) {
      const k = i === 0 ? secretKey : secretKey.map((x) => x ^ i)
      if (bytes.includes(Buffer.from(k))) found.push(`key ${i}`)
      if (bytes.toString('latin1').includes(toHex(k))) found.push(`key ${i} hex`)
    }
    if (bytes.includes(Buffer.from(secretText))) found.push('text')
    if (bytes.includes(Buffer.from('old mill'))) found.push('text fragment')
    return found
  }

  test('without a passphrase the secrets are in the file (control)', () => {
    const t = tempDir()
    try {
      const path = join(t.dir, 'plain.sqlite')
      writeSecrets(path)
      assert.ok(leaks(fileBytes(path)).length >= 5)
    } finally {
      t.remove()
    }
  })

  test('with a passphrase a copied file reveals no secret and no plaintext', () => {
    const t = tempDir()
    try {
      const path = join(t.dir, 'enc.sqlite')
      writeSecrets(path, 'hunter2 hunter2')
      assert.deepEqual(leaks(fileBytes(path)), [])
      const s = SqliteStore.open(path, { passphrase: 'hunter2 hunter2' })
      assert.deepEqual(s.getAccount()?.identityPrivateKey, secretKey)
      assert.equal(s.getMessage('m1')?.text, secretText)
      assert.deepEqual(
        s.takeSkippedKey(pk(4), 0)?.key,
        secretKey.map((x) => x ^ 3),
      )
      s.close()
    } finally {
      t.remove()
    }
  })

  test('wrong, missing or unexpected passphrases are STORE_PASSPHRASE', () => {
    const t = tempDir()
    try {
      const enc = join(t.dir, 'enc.sqlite')
      writeSecrets(enc, 'right')
      expectCode(() => SqliteStore.open(enc, { passphrase: 'wrong' }), 'STORE_PASSPHRASE')
      expectCode(() => SqliteStore.open(enc), 'STORE_PASSPHRASE')
      const plain = join(t.dir, 'plain.sqlite')
      writeSecrets(plain)
      expectCode(() => SqliteStore.open(plain, { passphrase: 'x' }), 'STORE_PASSPHRASE')
      // still fine with the right one afterwards
      SqliteStore.open(enc, { passphrase: 'right' }).close()
      SqliteStore.open(plain).close()
    } finally {
      t.remove()
    }
  })

  test('too few KDF iterations are refused', () => {
    expectCode(
      () => SqliteStore.open(':memory:', { passphrase: 'x', kdfIterations: 10 }),
      'INVALID_ARGUMENT',
    )
  })

  test('a tampered secret column is STORE_CORRUPT, not a wrong passphrase', () => {
    const t = tempDir()
    try {
      const path = join(t.dir, 'enc.sqlite')
      writeSecrets(path, 'right')
      const raw = new Database(path)
      raw.prepare('UPDATE sessions SET state = ? ').run(Buffer.alloc(40, 1))
      raw.close()
      const s = SqliteStore.open(path, { passphrase: 'right' })
      expectCode(() => s.getSession(b(1)), 'STORE_CORRUPT')
      s.close()
    } finally {
      t.remove()
    }
  })
})
