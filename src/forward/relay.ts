// Forwards one request to the instance over undici's dispatch API and streams the answer back:
// bodies are never held in memory (except small ones kept to replay after a 401), backpressure
// runs both ways, a client that leaves aborts the upstream request, and an upstream that
// breaks mid-answer breaks the client connection rather than leaving it hanging.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
import { performance } from 'node:perf_hooks'
import { Readable } from 'node:stream'
import type { Logger } from 'pino'
import type { Dispatcher } from 'undici'
import { envelopeText } from '../respond.js'
import { WAP_ERR_NO_TOKEN } from '../errors.js'
import { clientResponseHeaders, upstreamRequestHeaders } from './headers.js'
import type { Lifecycle } from '../lifecycle.js'
import { keepFreedMemoryForLargeBodies, LARGE_BODY_BYTES } from '../runtime/malloc-tuning.js'
import { BodyTooLarge, ClientClosed, TokenUnavailable } from '../errors.js'
import type { ForwardedRoute, Token, TokenProvider, UpstreamFailure } from '../vocabulary.js'
import { classify, errorFor } from './upstream-errors.js'
import { relayed } from '../runtime/young-gen-pacing.js'

/** Bodies up to this size are buffered so a request refused with 401 can be replayed with a new token. */
export const REPLAYABLE_BODY_BYTES = 1024 * 1024

export interface ForwardObserver {
  /** the instance answered (status), after `seconds` */
  upstreamAnswered?: (route: ForwardedRoute, method: string, status: number, seconds: number) => void
  /** a request was replayed with a new token after the instance refused the old one */
  retriedAfter401?: () => void
  /** forwarding failed before or during the answer */
  upstreamFailed?: (kind: UpstreamFailure) => void
  /** answered locally, never reaching the instance */
  refused?: (reason: 'no_token' | 'body_too_large') => void
}

export interface Forwarder {
  readonly dispatcher: Dispatcher
  readonly origin: string
  readonly host: string
  readonly tokens: TokenProvider
  readonly timeoutMs: number
  readonly bodyLimit: number
  readonly observer: ForwardObserver
  readonly lifecycle: Lifecycle
}

type Body = Buffer | Readable | null

/** One forwarded request's state, shared with the single 'close' listener proxy.ts puts on the response. */
export interface Exchange {
  readonly requestId: string
  readonly route: ForwardedRoute
  /** performance.now() when the request reached the proxy */
  readonly started: number
  /** body bytes relayed to the client */
  bytes: number
  /** the upstream request under way, to cancel when the client leaves */
  upstream: Dispatcher.DispatchController | undefined
}

/** Forwards one request: at once in the usual case (a token in hand, no body), else once the
 * token and any small body are ready, with the promise of that. */
export function forward (fw: Forwarder, exchange: Exchange, req: IncomingMessage, res: ServerResponse, log: Logger): Promise<void> | undefined {
  const declared = req.headers['content-length']
  const length = declared === undefined ? undefined : Number(declared)
  if (fw.bodyLimit > 0 && length !== undefined && length > fw.bodyLimit) {
    fw.observer.refused?.('body_too_large')
    writeError(res, exchange, errorFor('too-large', 'BODY_LIMIT', fw.timeoutMs, fw.bodyLimit), true)
    return undefined
  }
  const token = fw.tokens.peek()
  const hasBody = hasRequestBody(req.headers)
  if (token !== undefined && !hasBody) {
    new Attempt(fw, exchange, req, res, log, null).send(token, exchange.started)
    return undefined
  }
  return forwardWhenReady(fw, exchange, req, res, log, token, hasBody, length)
}

async function forwardWhenReady (fw: Forwarder, exchange: Exchange, req: IncomingMessage, res: ServerResponse, log: Logger, token: Token | undefined, hasBody: boolean, length: number | undefined): Promise<void> {
  if (token === undefined) {
    try {
      token = await fw.tokens.get()
    } catch (err) {
      fw.observer.refused?.('no_token')
      noToken(res, exchange, err, hasBody)
      return
    }
  }
  let body: Body
  try {
    body = hasBody ? await bodyOf(req, req.headers['transfer-encoding'] !== undefined, length, fw.bodyLimit) : null
  } catch {
    return // the client went away while sending a small body: nobody to answer
  }
  new Attempt(fw, exchange, req, res, log, body).send(token)
}

/** Whether a body follows the headers: chunked, or a Content-Length above zero. */
export function hasRequestBody (headers: IncomingHttpHeaders): boolean {
  const length = headers['content-length']
  return headers['transfer-encoding'] !== undefined || (length !== undefined && Number(length) > 0)
}

async function bodyOf (req: IncomingMessage, chunked: boolean, length: number | undefined, limit: number): Promise<Body> {
  countRelayed(req)
  if (!chunked && length !== undefined && length <= REPLAYABLE_BODY_BYTES) {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks)
  }
  // Node enforces a declared Content-Length itself; a chunked body is counted as it streams.
  return chunked && limit > 0 ? Readable.from(limited(req, limit), { objectMode: false }) : req
}

/** Counts a body's bytes as they are read, buffered or streamed, without starting its flow: paused,
 * the listener waits for whoever reads the body (the loop above, or undici once a connection is ready). */
function countRelayed (req: IncomingMessage): void {
  req.pause()
  req.on('data', (chunk: Buffer) => { relayed(chunk.length) })
}

async function * limited (req: IncomingMessage, limit: number): AsyncIterable<Buffer> {
  let seen = 0
  for await (const chunk of req) {
    seen += (chunk as Buffer).length
    if (seen > limit) throw new BodyTooLarge(limit)
    yield chunk as Buffer
  }
}

/** One forwarded request, possibly sent twice: a 401 answer to a replayable request is retried once with a new token. */
class Attempt implements Dispatcher.DispatchHandler {
  #token: Token | undefined
  #retrying = false
  #retried = false
  #started = 0
  #logChild: Logger | undefined
  /** body bytes the instance announced (Content-Length) and has not sent yet; -1 when it did not say */
  #unsent = -1

  constructor (
    readonly fw: Forwarder,
    readonly exchange: Exchange,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly log: Logger,
    readonly body: Body
  ) {}

  /** `sentAt` starts the upstream timer: on the synchronous path, the arrival time taken microseconds before */
  send (token: Token, sentAt = performance.now()): void {
    this.#token = token
    this.#retrying = false
    this.#started = sentAt
    const headers = upstreamRequestHeaders(this.req.headers, this.fw.host, authorizationFor(token), this.exchange.requestId)
    if (this.log.isLevelEnabled('trace')) this.#requestLog().trace({ headers, retry: this.#retried }, 'forwarding to the instance')
    this.fw.dispatcher.dispatch({
      origin: this.fw.origin,
      path: this.req.url as string,
      method: this.req.method as Dispatcher.HttpMethod,
      headers,
      body: this.body,
      headersTimeout: this.fw.timeoutMs,
      bodyTimeout: this.fw.timeoutMs
    }, this)
  }

  onRequestStart (controller: Dispatcher.DispatchController): void {
    this.exchange.upstream = controller
    if (this.res.destroyed) controller.abort(new ClientClosed())
  }

  onResponseStart (controller: Dispatcher.DispatchController, status: number, headers: Record<string, string | string[] | undefined>): void {
    this.fw.observer.upstreamAnswered?.(this.exchange.route, this.req.method as string, status, (performance.now() - this.#started) / 1000)
    if (this.log.isLevelEnabled('trace')) this.#requestLog().trace({ status, headers }, 'the instance answered')
    // A refused token is dropped (once, however many requests meet it); a replayable request
    // is then sent again with the new one, others get this 401 while the refresh happens.
    if (status === 401 && this.fw.tokens.reject(this.#token as Token) && !this.#retried && this.#replayable()) {
      this.#retrying = true // drain this answer, then replay
      return
    }
    try {
      const out = clientResponseHeaders(headers, this.exchange.requestId)
      if (this.fw.lifecycle.draining) out.connection = 'close' // let the client go before we do
      this.res.writeHead(status, out)
      const length = headers['content-length']
      this.#unsent = typeof length === 'string' && this.req.method !== 'HEAD' ? Number(length) : -1
    } catch (err) {
      // a header node refuses to send (invalid characters): the answer cannot be relayed
      this.#requestLog().warn({ err: { code: (err as { code?: string }).code } }, 'the instance sent a response header that cannot be relayed')
      controller.abort(err as Error)
    }
  }

  onResponseData (controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#retrying) return
    this.exchange.bytes += chunk.length
    relayed(chunk.length)
    this.#unsent -= chunk.length
    if (this.#unsent === 0) {
      // The announced last byte: end now, in one write with the headers for a small answer,
      // rather than a write now and an end once undici has read the message's end.
      this.res.end(chunk)
      return
    }
    if (!this.res.write(chunk)) {
      controller.pause()
      this.res.once('drain', () => controller.resume())
    }
  }

  onResponseEnd (): void {
    if (this.#retrying) {
      this.#retried = true
      this.#retry().catch(() => {})
      return
    }
    if (!this.res.writableEnded) this.res.end()
    // Once the first large body is through, not during it: memory V8's compiler threads free
    // while it passes (~35 MiB) is then trimmed rather than kept.
    if (this.exchange.bytes > LARGE_BODY_BYTES || this.#streamed()) keepFreedMemoryForLargeBodies()
  }

  onResponseError (_controller: Dispatcher.DispatchController, err: Error): void {
    const { kind, code } = classify(err)
    if (this.res.headersSent || this.res.destroyed) {
      // mid-answer: the only honest signal left is closing the connection
      if (kind !== 'client-gone') {
        this.fw.observer.upstreamFailed?.(kind)
        this.#requestLog().warn({ event: 'upstream_failed', failure: kind, code }, 'the instance connection broke mid-answer: closing the client connection')
      }
      this.res.destroy()
      return
    }
    if (kind === 'client-gone') {
      this.res.destroy()
      return
    }
    if (kind === 'too-large') this.fw.observer.refused?.('body_too_large')
    else {
      this.fw.observer.upstreamFailed?.(kind)
      this.#requestLog().warn({ event: 'upstream_failed', failure: kind, code }, 'forwarding to the Wavefront instance failed')
    }
    writeError(this.res, this.exchange, errorFor(kind, code, this.fw.timeoutMs, this.fw.bodyLimit), this.#streamed())
  }

  /** A child carrying the request id, made only on the rare paths that log. */
  #requestLog (): Logger {
    this.#logChild ??= this.log.child({ requestId: this.exchange.requestId })
    return this.#logChild
  }

  #replayable (): boolean {
    return this.body === null || Buffer.isBuffer(this.body)
  }

  /** a request body streamed rather than buffered: chunked, or over REPLAYABLE_BODY_BYTES */
  #streamed (): boolean {
    return !this.#replayable()
  }

  async #retry (): Promise<void> {
    let next: Token
    try {
      next = await this.fw.tokens.get()
    } catch (err) {
      noToken(this.res, this.exchange, err, false)
      return
    }
    if (this.res.destroyed) return
    this.fw.observer.retriedAfter401?.()
    this.send(next)
  }
}

// The header value is built once per token, not per request: a CSP token is 1-2 KB to copy.
let lastToken: Token | undefined
let lastAuthorization = ''

function authorizationFor (token: Token): string {
  if (token !== lastToken) {
    lastToken = token
    lastAuthorization = `Bearer ${token.value}`
  }
  return lastAuthorization
}

function noToken (res: ServerResponse, exchange: Exchange, err: unknown, unreadBody: boolean): void {
  const reason = err instanceof TokenUnavailable ? err : new TokenUnavailable('the token request failed', 5000)
  writeError(res, exchange, new WAP_ERR_NO_TOKEN(reason.message), unreadBody, { 'retry-after': String(reason.retryAfterSeconds) })
}

/** Answers locally in the Wavefront envelope; closes the connection if the request body was not read. */
export function writeError (res: ServerResponse, exchange: Exchange, err: Error & { statusCode?: number }, unreadBody: boolean, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) {
    res.destroy()
    return
  }
  const status = err.statusCode ?? 502
  const text = envelopeText(status, err.message)
  exchange.bytes = Buffer.byteLength(text)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': exchange.bytes,
    'x-request-id': exchange.requestId,
    ...(unreadBody ? { connection: 'close' } : {}),
    ...headers
  })
  res.end(text)
}
