import assert from 'node:assert/strict'
import { test } from 'node:test'
import { bytesEqual, makeProvider } from '../../src/crypto/index.ts'
import { portablePrimitives } from '../../src/crypto/portable.ts'
import type { Primitives } from '../../src/crypto/types.ts'

/** A provider whose point conversions are counted. */
function counted(): { provider: ReturnType<typeof makeProvider>; calls: () => number } {
  let n = 0
  const p: Primitives = {
    ...portablePrimitives,
    secp256k1ConvertPublicKey: (k, c) => {
      n++
      return portablePrimitives.secp256k1ConvertPublicKey(k, c)
    },
  }
  return { provider: makeProvider(p), calls: () => n }
}

test('conversion memo: both forms of one key, converted alternately, are converted once each', () => {
  const { provider, calls } = counted()
  const pair = provider.generateKeyPair()
  const short = provider.compressPublicKey(pair.publicKey)
  const long = provider.decompressPublicKey(short)
  const before = calls()
  for (let i = 0; i < 10; i++) {
    assert.ok(bytesEqual(provider.compressPublicKey(long), short))
    assert.ok(bytesEqual(provider.compressPublicKey(short), short))
    assert.ok(bytesEqual(provider.decompressPublicKey(short), long))
    assert.ok(bytesEqual(provider.decompressPublicKey(long), long))
  }
  // The 33→33 and 65→65 conversions were not seen before the loop; 33→65 was (by `long` above).
  assert.ok(calls() - before <= 3, `${String(calls() - before)} conversions`)
})

test('conversion memo: every call returns a fresh copy', () => {
  const { provider } = counted()
  const short = provider.compressPublicKey(provider.generateKeyPair().publicKey)
  const long = provider.decompressPublicKey(short)
  const a = provider.compressPublicKey(long)
  a.fill(0)
  assert.ok(bytesEqual(provider.compressPublicKey(long), short))
})
