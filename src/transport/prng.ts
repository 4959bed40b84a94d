/**
 * A small seeded pseudo-random generator (sfc32 seeded through splitmix32) for simulations: the
 * `MemoryNetwork` fault model draws from it so that one seed gives one run. Not for cryptography.
 *
 * @module
 */

function splitmix32(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x9e3779b9) >>> 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
    return (z ^ (z >>> 16)) >>> 0
  }
}

/** 32-bit seed from a number or a string (FNV-1a). */
function seedOf(seed: number | string): number {
  if (typeof seed === 'number') return seed >>> 0
  let h = 0x811c9dc5
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193)
  return h >>> 0
}

/** Deterministic PRNG (sfc32). */
export class Prng {
  #a: number
  #b: number
  #c: number
  #d: number

  constructor(seed: number | string) {
    const sm = splitmix32(seedOf(seed))
    this.#a = sm()
    this.#b = sm()
    this.#c = sm()
    this.#d = sm()
    for (let i = 0; i < 12; i++) this.nextUint32()
  }

  nextUint32(): number {
    const t = (((this.#a + this.#b) >>> 0) + this.#d) >>> 0
    this.#d = (this.#d + 1) >>> 0
    this.#a = this.#b ^ (this.#b >>> 9)
    this.#b = (this.#c + (this.#c << 3)) >>> 0
    this.#c = ((this.#c << 21) | (this.#c >>> 11)) >>> 0
    this.#c = (this.#c + t) >>> 0
    return t
  }

  /** `n` bytes: each 32-bit draw gives four, least significant first. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i += 4) {
      const w = this.nextUint32()
      for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (w >>> (8 * j)) & 255
    }
    return out
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return p > 0 && this.next() < p
  }

  /** Uniform in [min, max]. */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.next()
  }

  /** Exponential with the given mean. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next())
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n)
  }
}
