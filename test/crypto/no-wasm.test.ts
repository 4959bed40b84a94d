/**
 * The JavaScript fallbacks of the WebAssembly hash paths (keccak.ts, sha256-short.ts): the Keccak
 * and short SHA-256/HMAC/HKDF tests run again in a child process where WebAssembly does not exist
 * (`fixtures/no-wasm.ts`), which is what a runtime refusing the modules gets. The child's tests
 * also check that no module was built there, so this run cannot silently test the WebAssembly
 * paths twice.
 *
 * @module
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url))

/** The child's environment: the flag, and not our runner's (which would take over its output). */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PFS_NO_WASM: '1' }
  delete env['NODE_TEST_CONTEXT']
  return env
}

test('Keccak-256 and the short SHA-256 functions pass their tests without WebAssembly', () => {
  if (process.env['PFS_NO_WASM'] === '1') return
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--import',
      here('./fixtures/no-wasm.ts'),
      '--test',
      '--test-reporter=tap',
      here('./keccak.test.ts'),
      here('./sha256-short.test.ts'),
    ],
    { env: childEnv(), encoding: 'utf8', timeout: 300_000 },
  )
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`)
  assert.match(r.stdout, /# fail 0/)
  assert.doesNotMatch(r.stdout, /# pass 0\b/)
})
