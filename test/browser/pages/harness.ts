/**
 * Entry point of the browser test page: puts the page functions on `globalThis.pfs` for
 * Playwright's `page.evaluate`, and says so by setting `globalThis.pfsReady`.
 *
 * @module
 */
import { defaultProvider, portable } from '../../../src/browser.ts'
import { benchRatchet, benchStore } from './bench.ts'
import { runContract } from './contract.ts'
import { runConversation } from './conversation.ts'
import {
  checkAfterReload,
  checkArgumentsCopied,
  checkCorruptJournals,
  checkDeletedUnderneath,
  checkLockAndReopen,
  writeForReload,
} from './durability.ts'

Object.assign(globalThis, {
  pfs: {
    runContract,
    runConversation,
    writeForReload,
    checkAfterReload,
    checkCorruptJournals,
    checkLockAndReopen,
    checkArgumentsCopied,
    checkDeletedUnderneath,
    benchRatchet,
    benchStore,
    defaultIsPortable: () => defaultProvider() === portable,
  },
  pfsReady: true,
})
