// Connections the proxy is closing: nothing the client sends on them afterwards is handled as a
// request, and an early answer is followed by a lingering close (as nginx does) so the client
// reads it rather than a reset.
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'

const CLOSING = Symbol('closing: later requests on this connection are not handled')

type Marked = Socket & { [CLOSING]?: true }

/** After an early answer, what the client still sends is read and discarded for this long at most… */
export const LINGER_MS = 30_000
/** …and at most this many bytes (nginx: lingering_time 30 s; a body refused by BODY_LIMIT may be large). */
export const LINGER_BYTES = 512 * 1024 * 1024

/** Wraps the server's one 'request' listener (Fastify's): one listener keeps emit cheap. Node's
 * parser reads HTTP/1.0 + Transfer-Encoding as chunked and emits whatever follows that body as
 * further requests, in the same pass; RFC 9112 §6.1 calls such framing faulty, so the connection
 * closes after its 400 (checkFraming) and nothing parsed after it is handled. */
export function dropRequestsOnClosingConnections (server: Server): void {
  const [handle, ...others] = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>
  if (handle === undefined || others.length > 0) throw new Error('expected exactly one request listener')
  server.removeAllListeners('request')
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket as Marked
    if (socket[CLOSING] === true) {
      req.resume() // bytes the client framed as a body, or sent after being told the connection closes
      return
    }
    if (req.httpVersionMinor === 0 && req.headers['transfer-encoding'] !== undefined) {
      socket[CLOSING] = true
      res.shouldKeepAlive = false
    }
    handle(req, res)
  })
}

/** The request was answered before its body was read, with Connection: close. Closing at once
 * would drop the unread bytes and make the kernel send a reset, which the client sees before the
 * answer (curl: "broken pipe"). Instead the proxy half-closes once the answer is written and
 * reads and discards the rest, within LINGER_MS and LINGER_BYTES, as nginx's lingering close does. */
export function lingerAfterAnswer (req: IncomingMessage, limits = { ms: LINGER_MS, bytes: LINGER_BYTES }): void {
  const socket = req.socket as Marked | null // null once the request is detached from a closed connection
  if (socket === null || socket.destroyed) return
  socket[CLOSING] = true
  socket.setTimeout(0) // the body's pace no longer matters: the limits below do
  req.removeAllListeners('data')
  let discarded = 0
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length
    if (discarded > limits.bytes) socket.destroy()
  })
  req.resume()
  // Node's server calls destroySoon() once a Connection: close answer is written: end instead, and linger.
  socket.destroySoon = function (this: Socket): void {
    this.end()
    // once the answer is out: at once if the whole body has been read, else when the client is
    // done sending, or at the latest after limits.ms
    const close = (): void => { if (this.writableFinished) this.destroy(); else this.once('finish', () => { this.destroy() }) }
    if (req.complete) {
      close()
      return
    }
    const timer = setTimeout(() => { this.destroy() }, limits.ms)
    timer.unref()
    req.once('end', close)
    this.once('end', close)
    this.once('close', () => { clearTimeout(timer) })
  }
}

/** The instance answered before the client finished sending a streamed body. undici then drops
 * the body stream, detached from its socket, which would leave the connection stuck on a paused
 * read for good (a leak a hostile client can repeat). The rest of the body is dropped the way
 * Node drops a body nobody reads, so the client reads the answer and the connection serves its
 * next request; a body still arriving after LINGER_MS ends the connection. */
export function discardRest (req: IncomingMessage, ms = LINGER_MS): void {
  const socket = req.socket as Socket | null
  if (socket === null || socket.destroyed || req.complete) return
  socket.setTimeout(0)
  ;(req as IncomingMessage & { _dump?: () => void })._dump?.() // the parser skips a dumped body's bytes
  socket.resume()
  const timer = setTimeout(() => { if (!req.complete) socket.destroy() }, ms)
  timer.unref()
  socket.once('close', () => { clearTimeout(timer) })
}
