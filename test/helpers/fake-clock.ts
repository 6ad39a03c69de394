// A clock tests move by hand: timers fire in order as time is advanced, with the promise
// callbacks they start run before the next one, and nothing waits for real time.
import type { Clock } from '../../src/clock.js'

interface Timer { readonly at: number, readonly seq: number, readonly fn: () => void }

export class FakeClock implements Clock {
  #now: number
  #seq = 0
  #timers: Timer[] = []

  constructor (start = 1_700_000_000_000) {
    this.#now = start
  }

  readonly now = (): number => this.#now

  readonly schedule = (fn: () => void, delayMs: number): (() => void) => {
    const timer = { at: this.#now + Math.max(0, delayMs), seq: this.#seq++, fn }
    this.#timers.push(timer)
    return () => { this.#timers = this.#timers.filter((t) => t !== timer) }
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  async advance (ms: number): Promise<void> {
    const until = this.#now + ms
    await settle()
    for (;;) {
      const next = this.#timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at || a.seq - b.seq)[0]
      if (next === undefined) break
      this.#timers = this.#timers.filter((t) => t !== next)
      this.#now = Math.max(this.#now, next.at)
      next.fn()
      await settle()
    }
    this.#now = until
  }

  /** Resolves after `ms` of this clock's time. */
  async sleep (ms: number): Promise<void> {
    await new Promise<void>((resolve) => { this.schedule(resolve, ms) })
  }
}

/** Lets pending promise callbacks run (a turn of the real event loop, not a wait). */
export async function settle (): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => { setImmediate(resolve) })
}
