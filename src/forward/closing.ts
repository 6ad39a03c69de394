// Connections the proxy is closing: nothing the client sends on them afterwards is handled as a
// request.
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'

const CLOSING = Symbol('closing: later requests on this connection are not handled')

type Marked = Socket & { [CLOSING]?: true }

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
