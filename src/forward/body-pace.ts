// Slow clients cannot hold the proxy: a request body that stalls (no byte for BODY_TIMEOUT_MS)
// or trickles below BODY_MIN_RATE once that grace has passed is ended, as Apache's
// mod_reqtimeout does (body=20,MinRate=500: each MinRate bytes buy another second). Only time
// the proxy spends reading counts: while the body waits for an upstream connection, or the
// instance reads slowly and the body is paused, the client is not to blame.
import type { IncomingMessage } from 'node:http'
import type { Readable } from 'node:stream'

export interface BodyPace {
  /** longest silence while reading, and the grace before the rate applies; 0 disables both */
  readonly timeoutMs: number
  /** bytes per second a body must average after the grace; 0 disables */
  readonly minRate: number
}

export type SlowBody = 'body_stalled' | 'body_too_slow'

/** Watches a request body from now on. `flow` is 'reading' when the caller reads it now (small
 * bodies); else the stream handed to undici, and the clock runs only while it flows (undici
 * resumes it once a connection is ready and pauses it under backpressure). Calls `slow` once at most. */
export function watchBody (req: IncomingMessage, pace: BodyPace, flow: 'reading' | Readable, slow: (why: SlowBody) => void): void {
  if (pace.timeoutMs === 0) return
  const socket = req.socket
  let bytes = 0
  let activeMs = 0 // reading time before the current stretch
  let since = -1 // start of the current stretch of reading; -1 while not reading
  let over = false
  const fail = (why: SlowBody): void => {
    if (over) return
    over = true
    socket.setTimeout(0)
    slow(why)
  }
  const start = (): void => {
    if (since >= 0 || over) return
    since = Date.now()
    socket.setTimeout(pace.timeoutMs) // no byte for timeoutMs: 'timeout' on the request below
  }
  const stop = (): void => {
    if (since < 0) return
    activeMs += Date.now() - since
    since = -1
    socket.setTimeout(0)
  }
  req.on('timeout', () => { fail('body_stalled') })
  req.on('data', (chunk: Buffer) => {
    bytes += chunk.length
    if (pace.minRate === 0 || since < 0) return
    const read = activeMs + Date.now() - since
    if (read > pace.timeoutMs + bytes * 1000 / pace.minRate) fail('body_too_slow')
  })
  req.once('end', () => { over = true; socket.setTimeout(0) })
  req.once('close', () => { over = true })
  if (flow === 'reading') {
    start()
    return
  }
  flow.on('resume', start)
  flow.on('pause', stop)
}
