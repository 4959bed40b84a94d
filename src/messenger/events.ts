/**
 * A tiny typed event emitter for `Messenger` (no `node:events`, so the layer stays portable).
 * Listener exceptions never reach the receive loop: they are reported once to `onListenerError`.
 *
 * @module
 */

type Listener<T> = (e: T) => void

export class Emitter<Events extends object> {
  readonly #listeners = new Map<keyof Events, Set<Listener<never>>>()
  readonly #onListenerError: (e: unknown) => void

  constructor(onListenerError: (e: unknown) => void) {
    this.#onListenerError = onListenerError
  }

  on<E extends keyof Events>(event: E, fn: Listener<Events[E]>): () => void {
    let set = this.#listeners.get(event)
    if (set === undefined) {
      set = new Set()
      this.#listeners.set(event, set)
    }
    const stored = fn as Listener<never>
    set.add(stored)
    return () => {
      set.delete(stored)
    }
  }

  emit<E extends keyof Events>(event: E, value: Events[E]): void {
    const set = this.#listeners.get(event)
    if (set === undefined) return
    for (const fn of [...set]) {
      try {
        ;(fn as Listener<Events[E]>)(value)
      } catch (e) {
        this.#onListenerError(e)
      }
    }
  }

  clear(): void {
    this.#listeners.clear()
  }
}
