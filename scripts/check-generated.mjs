// Regenerates the protobuf code into a temporary folder and fails if it differs from what is
// committed under src/wire/gen (STYLE.md §7: generated code is never hand-edited).
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const out = mkdtempSync(join(tmpdir(), 'pfs-gen-'))
const env = { ...process.env, PATH: `${join(root, 'node_modules/.bin')}:${process.env.PATH ?? ''}` }
try {
  execFileSync('buf', ['generate', '-o', out], { cwd: root, env, stdio: 'inherit' })
  const committed = join(root, 'src/wire/gen')
  const fresh = join(out, 'src/wire/gen')
  const names = new Set([...readdirSync(committed), ...readdirSync(fresh)])
  const stale = [...names].filter((n) => {
    try {
      return !readFileSync(join(committed, n)).equals(readFileSync(join(fresh, n)))
    } catch {
      return true
    }
  })
  if (stale.length > 0) {
    console.error(`generated code is stale: ${stale.join(', ')}; run npm run generate`)
    process.exitCode = 1
  } else {
    console.log(`generated code up to date (${names.size} files)`)
  }
} finally {
  rmSync(out, { recursive: true, force: true })
}
