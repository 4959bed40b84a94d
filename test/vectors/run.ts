/**
 * The vectors runner: `npm run vectors -- [--only a.json,b.json] DIR...`.
 *
 * Finds every vector file with a known name under the given directories (default
 * `../shared/vectors`, recursively), runs each case through the project's public API, prints
 * `ok FILE CASE` or `FAIL FILE CASE: reason` per case, then `N passed, M failed`. Exits non-zero
 * when any case failed or could not be run. A file whose layer is not built yet reports every case
 * as `FAIL … not implemented`; nothing is skipped.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { basename, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { handlerFor, KNOWN_FILES, listCases } from './registry.ts'

const here = fileURLToPath(new URL('.', import.meta.url))

function findFiles(dir: string, out: string[]): void {
  for (const entry of readdirSync(dir).sort()) {
    const p = join(dir, entry)
    const st = statSync(p)
    if (st.isDirectory()) findFiles(p, out)
    else if (KNOWN_FILES.includes(entry)) out.push(p)
  }
}

async function main(): Promise<number> {
  const args = process.argv.slice(2)
  let only: string[] | undefined
  const dirs: string[] = []
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    if (a === '--only') only = (args[++i] ?? '').split(',').filter(Boolean)
    else dirs.push(a)
  }
  if (dirs.length === 0) dirs.push(resolve(here, '../../../shared/vectors'))
  const files: string[] = []
  for (const d of dirs) {
    const st = statSync(d, { throwIfNoEntry: false })
    if (st === undefined) {
      console.log(`FAIL ${d} -: no such file or directory`)
      return 1
    }
    if (st.isDirectory()) findFiles(d, files)
    else files.push(d)
  }
  let passed = 0
  let failed = 0
  for (const file of files) {
    const name = basename(file)
    if (only !== undefined && !only.includes(name)) continue
    const shown = relative(process.cwd(), file) || file
    let json: unknown
    try {
      json = JSON.parse(readFileSync(file, 'utf8'))
    } catch (e) {
      console.log(`FAIL ${shown} -: unreadable JSON (${(e as Error).message})`)
      failed++
      continue
    }
    const handler = await handlerFor(name)
    if (handler === undefined) {
      for (const c of listCases(name, json)) {
        console.log(`FAIL ${shown} ${c}: not implemented`)
        failed++
      }
      continue
    }
    let results
    try {
      results = await handler(json)
    } catch (e) {
      console.log(`FAIL ${shown} -: ${(e as Error).message}`)
      failed++
      continue
    }
    if (results.length === 0) {
      console.log(`FAIL ${shown} -: no cases found`)
      failed++
    }
    for (const r of results) {
      if (r.error === undefined) {
        console.log(`ok ${shown} ${r.name}`)
        passed++
      } else {
        console.log(`FAIL ${shown} ${r.name}: ${r.error}`)
        failed++
      }
    }
  }
  if (passed + failed === 0) {
    console.log('FAIL - -: no vector files found')
    failed++
  }
  console.log(`${passed} passed, ${failed} failed`)
  return failed === 0 ? 0 : 1
}

process.exitCode = await main()
