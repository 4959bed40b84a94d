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
  return (n) => prng.bytes(n)
}
