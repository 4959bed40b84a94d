/**
 * `dump()` of `MemoryStore` and `SqliteStore` (the full-store comparison the protocol's atomicity
 * tests rely on): it sees every write, including to the newest tables, and a rolled-back
 * transaction leaves it identical.
 *
 * @module
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { MemoryStore, SqliteStore } from '../../src/store/index.ts'
import type { Store } from '../../src/store/index.ts'
import { BOB, CAROL, installation, populate } from './contract.ts'
import { dumpStore, tempDir } from './helpers.ts'

const tmp = tempDir()
process.once('exit', () => {
  tmp.remove()
})

const makers: readonly (readonly [string, () => Store])[] = [
  ['MemoryStore', () => new MemoryStore()],
  ['SqliteStore', () => SqliteStore.open(join(tmp.dir, 'dump.sqlite'))],
]

for (const [name, make] of makers) {
  describe(`${name}: dump`, () => {
    test('sees every write and is unchanged by a rolled-back transaction', () => {
      const s = make()
      try {
        const empty = dumpStore(s)
        populate(s)
        const full = dumpStore(s)
        assert.notEqual(full, empty)
        s.setBundleReplyTime(BOB, 5)
        const withReply = dumpStore(s)
        assert.notEqual(withReply, full)
        assert.throws(() =>
          s.transaction(() => {
            s.setBundleReplyTime(CAROL, 6)
            s.putInstallation(installation(CAROL, 'carol-1'))
            throw new Error('boom')
          }),
        )
        assert.equal(dumpStore(s), withReply)
        assert.equal(dumpStore(s), withReply, 'stable')
      } finally {
        s.close()
      }
    })
  })
}
