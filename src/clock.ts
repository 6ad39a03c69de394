// Time as the proxy's timers see it: injected, so tests move it by hand instead of waiting.

export interface Clock {
  now: () => number
  /** runs `fn` once after `delayMs` without keeping the process alive; returns a cancel function */
  schedule: (fn: () => void, delayMs: number) => () => void
}

export const systemClock: Clock = {
  now: Date.now,
  schedule (fn, delayMs) {
    const timer = setTimeout(fn, delayMs)
    timer.unref()
    return () => { clearTimeout(timer) }
  }
}
