#!/usr/bin/env node
// The `status-pfs` command: runs the built CLI (dist/cli/main.js, made by `npm run build`).
// During development run the sources instead: npx tsx src/cli/main.ts <command>
import { existsSync } from 'node:fs'

const entry = new URL('../dist/cli/main.js', import.meta.url)
if (!existsSync(entry)) {
  process.stderr.write(
    'status-pfs: not built yet; run "npm run build" (or: npx tsx src/cli/main.ts)\n',
  )
  process.exit(1)
}
const { main } = await import(entry.href)
await main()
