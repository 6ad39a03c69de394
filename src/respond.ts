// The one place that writes the Wavefront error envelope, so clients parse the proxy's answers
// the way they parse the instance's own: to a Fastify reply, to a raw response (forwarded routes
// answered locally) and to a raw socket (HTTP that never became a request).
import { STATUS_CODES, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyReply } from 'fastify'
import type { CodedError } from './errors.js'

export interface Envelope { readonly status: { readonly result: 'ERROR', readonly message: string, readonly code: number, readonly errorCode: string } }

/** Wavefront's error envelope; errorCode is ours, and clients that read message and code ignore it. */
export function envelope (err: CodedError): Envelope {
  return { status: { result: 'ERROR', message: err.message, code: err.statusCode, errorCode: err.code } }
}

export function envelopeText (err: CodedError): string {
  return JSON.stringify(envelope(err))
}

const JSON_TYPE = 'application/json; charset=utf-8'

const codes = new WeakMap<FastifyReply, string>()

/** Answers through Fastify; the access line learns the code from errorCodeOf. */
export function replyError (reply: FastifyReply, err: CodedError): FastifyReply {
  codes.set(reply, err.code)
  return reply.code(err.statusCode).type(JSON_TYPE).send(envelopeText(err))
}

/** The code of the error a reply answered with, if any. */
export function errorCodeOf (reply: FastifyReply): string | undefined {
  return codes.get(reply)
}

export interface RawAnswer {
  readonly requestId: string
  /** the request's body was not read: the connection cannot carry another request */
  readonly unreadBody: boolean
  readonly headers?: Readonly<Record<string, string>> | undefined
}

/** Answers on a raw response; returns the body's size in bytes (0 when nothing could be sent). */
export function respondRaw (res: ServerResponse, err: CodedError, answer: RawAnswer): number {
  if (res.headersSent || res.destroyed) {
    res.destroy() // mid-answer: the only honest signal left is closing the connection
    return 0
  }
  const text = envelopeText(err)
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

/** Answers on a socket that carried no request Node could parse, then closes it; returns the body's size. */
export function respondSocket (socket: Socket, err: CodedError): number {
  const body = envelopeText(err)
  const bytes = Buffer.byteLength(body)
  socket.end(`HTTP/1.1 ${err.statusCode} ${STATUS_CODES[err.statusCode] ?? 'Error'}\r\ncontent-type: ${JSON_TYPE}\r\ncontent-length: ${bytes}\r\nconnection: close\r\n\r\n${body}`)
  return bytes
}

/** An answer given before the request's body was read ends its connection: what is left of the
 * body cannot be told from a next request. Node closes the connection once the answer is sent. */
const CLOSE: Readonly<Record<string, string>> = Object.freeze({ connection: 'close' })
