// Whether the process is draining for shutdown: readiness turns false and requests arriving on
// kept-alive connections are turned away (with Connection: close) so clients go elsewhere.
export class Lifecycle {
  draining = false
  readonly #onDrain: Array<() => void> = []

  /** Runs `fn` when draining starts: for work that waits rather than runs, and would outlast the grace. */
  onDrain (fn: () => void): void {
    this.#onDrain.push(fn)
  }

  drain (): void {
    if (this.draining) return
    this.draining = true
    for (const fn of this.#onDrain) fn()
  }
}
