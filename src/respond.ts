// The one place that writes the Wavefront error envelope, so clients parse the proxy's answers
// the way they parse the instance's own: to a Fastify reply, to a raw response (forwarded routes
// answered locally) and to a raw socket (HTTP that never became a request).
import { STATUS_CODES, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyReply } from 'fastify'

/** An error of the registry (src/errors.ts): its status and operator-facing message. */
export type LocalError = Error & { readonly statusCode: number }

export function envelope (code: number, message: string): { status: { result: 'ERROR', message: string, code: number } } {
  return { status: { result: 'ERROR', message, code } }
}

export function envelopeText (code: number, message: string): string {
  return JSON.stringify(envelope(code, message))
}

const JSON_TYPE = 'application/json; charset=utf-8'

export function sendEnvelope (reply: FastifyReply, code: number, message: string): FastifyReply {
  return reply.code(code).type(JSON_TYPE).send(envelopeText(code, message))
}

export interface RawAnswer {
  readonly requestId: string
  /** the request's body was not read: the connection cannot carry another request */
  readonly unreadBody: boolean
  readonly headers?: Readonly<Record<string, string>> | undefined
}

/** Answers on a raw response; returns the body's size in bytes (0 when nothing could be sent). */
export function respondRaw (res: ServerResponse, err: LocalError, answer: RawAnswer): number {
  if (res.headersSent || res.destroyed) {
    res.destroy() // mid-answer: the only honest signal left is closing the connection
    return 0
  }
  const text = envelopeText(err.statusCode, err.message)
  const bytes = Buffer.byteLength(text)
  res.writeHead(err.statusCode, {
    'content-type': JSON_TYPE,
    'content-length': bytes,
    'x-request-id': answer.requestId,
    ...(answer.unreadBody ? CLOSE : {}),
    ...answer.headers
  })
  res.end(text)
  return bytes
}

/** Answers on a socket that carried no request Node could parse, then closes it. */
export function respondSocket (socket: Socket, err: LocalError): void {
  const body = envelopeText(err.statusCode, err.message)
  socket.end(`HTTP/1.1 ${err.statusCode} ${STATUS_CODES[err.statusCode] ?? 'Error'}\r\ncontent-type: ${JSON_TYPE}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`)
}

/** An answer given before the request's body was read ends its connection: what is left of the
 * body cannot be told from a next request. Node closes the connection once the answer is sent. */
const CLOSE: Readonly<Record<string, string>> = Object.freeze({ connection: 'close' })
