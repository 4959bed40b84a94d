/**
 * Determinism for the demo (issue 7: "deterministic under --seed"): a seeded byte source for the
 * messenger (phrases, installation ids) built on the transport's `Prng`. Demo only — these bytes
 * are predictable by design and must never seed real accounts.
 *
 * @module
 */
import { Prng } from '../../transport/index.ts'

/** `n` predictable bytes per call, from the stream named `label` of `seed`. */
export function seededRandom(seed: number, label: string): (n: number) => Uint8Array {
  const prng = new Prng(`${seed}:${label}`)
  return (n) => {
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i += 4) {
      const w = prng.nextUint32()
      for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (w >>> (8 * j)) & 255
    }
    return out
  }
}
