// Where JSON log lines go: stdout, written synchronously (so lines keep their order and none
// is lost at exit) but batched for a few milliseconds, so a busy proxy makes one write(2) for
// hundreds of access lines instead of one each.
import { writeSync } from 'node:fs'

const RETRY_WAIT = new Int32Array(new SharedArrayBuffer(4))
/** a line waits at most this long */
const FLUSH_AFTER_MS = 10
/** or until this much is waiting */
const FLUSH_AT_BYTES = 64 * 1024

export class BatchedWriter {
  readonly #fd: number
  #pending: string[] = []
  #pendingBytes = 0
  #timer: NodeJS.Timeout | undefined

  constructor (fd = 1) {
    this.#fd = fd
    process.once('exit', () => { this.flushSync() })
  }

  /** pino's destination interface */
  write (line: string): boolean {
    this.#pending.push(line)
    this.#pendingBytes += line.length
    if (this.#pendingBytes >= FLUSH_AT_BYTES) this.flushSync()
    else this.#timer ??= setTimeout(this.#flushLater, FLUSH_AFTER_MS)
    return true
  }

  readonly #flushLater = (): void => {
    this.#timer = undefined
    this.flushSync()
  }

  flushSync (): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#pendingBytes = 0
    if (this.#pending.length === 0) return
    // Written as a string, which costs no Buffer per batch; only a partial write makes one.
    let rest: string | Buffer = this.#pending.join('')
    this.#pending = []
    while (rest.length > 0) {
      try {
        rest = unwritten(rest, typeof rest === 'string' ? writeSync(this.#fd, rest) : writeSync(this.#fd, rest))
      } catch (err) {
        // stdout can be a non-blocking pipe: wait for the reader rather than drop lines
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return // EPIPE and friends: nobody is reading
        Atomics.wait(RETRY_WAIT, 0, 0, 1)
      }
    }
  }
}

/** What is left of `data` after a write took `written` bytes of it: nothing, but for a full pipe. */
function unwritten (data: string | Buffer, written: number): string | Buffer {
  if (typeof data !== 'string') return data.subarray(written)
  if (written >= data.length && written === Buffer.byteLength(data)) return ''
  return Buffer.from(data).subarray(written)
}
