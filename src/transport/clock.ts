/**
 * Time as the transport sees it: milliseconds since the Unix epoch, from a `Clock` that can be the
 * system clock or a simulated one (the `MemoryNetwork` scheduler, tests). Whisper times on the
 * wire are whole seconds (`unixSeconds`).
 *
 * @module
 */

/** A source of the current time in milliseconds since the Unix epoch. */
export interface Clock {
  now(): number
}

/** The system clock (`Date.now()`). */
export const systemClock: Clock = { now: () => Date.now() }

/** A clock that moves only when told: for deterministic tests. */
export class ManualClock implements Clock {
  #now: number
  constructor(startMs = 1_700_000_000_000) {
    this.#now = startMs
  }
  now(): number {
    return this.#now
  }
  /** Moves forward by `ms` (never backward). */
  advance(ms: number): void {
    if (ms > 0) this.#now += ms
  }
  set(ms: number): void {
    this.#now = Math.max(this.#now, ms)
  }
}

/** Whole unix seconds of a clock reading. */
export function unixSeconds(clock: Clock): number {
  return Math.floor(clock.now() / 1000)
}
