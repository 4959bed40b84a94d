/**
 * The `Store` contract against `MemoryStore`.
 *
 * @module
 */
import { MemoryStore } from '../../src/store/index.ts'
import { registerStoreContract } from './contract.ts'

registerStoreContract('MemoryStore', {
  create() {
    const store = new MemoryStore()
    return { store, dispose: () => store.close() }
  },
})
