// Where JSON log lines go: stdout, written synchronously (so lines keep their order and none
// is lost at exit) but batched per event-loop turn, so a busy proxy makes one write(2) for
// many access lines instead of one each.
import { writeSync } from 'node:fs'

const RETRY_WAIT = new Int32Array(new SharedArrayBuffer(4))

export class BatchedWriter {
  readonly #fd: number
  #pending: string[] = []
  #scheduled = false

  constructor (fd = 1) {
    this.#fd = fd
    process.once('exit', () => { this.flushSync() })
  }

  /** pino's destination interface */
  write (line: string): boolean {
    this.#pending.push(line)
    if (!this.#scheduled) {
      this.#scheduled = true
      setImmediate(this.#flushLater)
    }
    return true
  }

  readonly #flushLater = (): void => {
    this.#scheduled = false
    this.flushSync()
  }

  flushSync (): void {
    if (this.#pending.length === 0) return
    let buf = Buffer.from(this.#pending.join(''), 'utf8')
    this.#pending = []
    while (buf.length > 0) {
      try {
        buf = buf.subarray(writeSync(this.#fd, buf))
      } catch (err) {
        // stdout can be a non-blocking pipe: wait for the reader rather than drop lines
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return // EPIPE and friends: nobody is reading
        Atomics.wait(RETRY_WAIT, 0, 0, 1)
      }
    }
  }
}
