// One forwarded request's state, and its local answers: a forwarded route answered by the proxy
// itself (a refusal, no token, a failure) gets the envelope, and its access line the answer's size.
import type { ServerResponse } from 'node:http'
import type { Dispatcher } from 'undici'
import { WAP_ERR_NO_TOKEN, type CodedError } from '../errors.js'
import { TokenUnavailable } from '../failures.js'
import { respondRaw } from '../respond.js'
import { lingerAfterAnswer } from './closing.js'
import type { ForwardedRoute } from '../vocabulary.js'

/** Shared by the forwarding steps and the single 'close' listener routes.ts puts on the response. */
export interface Exchange {
  readonly requestId: string
  readonly route: ForwardedRoute
  /** performance.now() when the request reached the proxy */
  readonly started: number
  /** body bytes sent to the client */
  bytes: number
  /** the upstream request under way, to cancel when the client leaves */
  upstream: Dispatcher.DispatchController | undefined
  /** the WAP_ERR_* code of a local answer or a failure, for the access line */
  code: string | undefined
}

/** Answers locally on a forwarded route, in the envelope; the access line gets the answer's size.
 * With a body still unread, the connection closes after a lingering read, so the client sees the answer. */
export function answer (res: ServerResponse, exchange: Exchange, err: CodedError, unreadBody: boolean, headers?: Record<string, string>): void {
  if (unreadBody && !res.headersSent) lingerAfterAnswer(res.req)
  write(res, exchange, err, unreadBody, headers)
}

/** Answers and closes at once, without lingering: for a client too slow to be worth waiting for. */
export function answerAndClose (res: ServerResponse, exchange: Exchange, err: CodedError): void {
  write(res, exchange, err, true)
}

/** The envelope, and what the access line reports of it: the code and the answer's size. */
function write (res: ServerResponse, exchange: Exchange, err: CodedError, unreadBody: boolean, headers?: Record<string, string>): void {
  exchange.code = err.code
  const bytes = respondRaw(res, err, { requestId: exchange.requestId, unreadBody, headers })
  if (bytes > 0) exchange.bytes = bytes
}

/** 503 with Retry-After: no token could be had for this request. */
export function answerNoToken (res: ServerResponse, exchange: Exchange, err: unknown, unreadBody: boolean): void {
  const reason = err instanceof TokenUnavailable ? err : new TokenUnavailable('the token request failed', 5000)
  answer(res, exchange, new WAP_ERR_NO_TOKEN(reason.message), unreadBody, { 'retry-after': String(reason.retryAfterSeconds) })
}
