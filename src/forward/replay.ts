// The 401 replay, as a handler that wraps the relay (undici's retry interceptor is the model):
// it sends the request, and when the instance refuses the token, drops that token (once, however
// many requests meet it) and, for a request whose body it still holds, drains the 401 and sends
// the request once more with a new token. Every other answer passes through to the relay.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { performance } from 'node:perf_hooks' // the global is a getter: a lookup per use
import type { Logger } from 'pino'
import type { Dispatcher } from 'undici'
import type { ForwardObserver, Token, TokenProvider } from '../vocabulary.js'
import type { AuthorizationHeader } from './authorization.js'
import { replayable, type Body } from './body.js'
import { answerNoToken, type Exchange } from './exchange.js'
import { upstreamRequestHeaders } from './headers.js'

export interface ReplayOptions {
  readonly dispatcher: Dispatcher
  /** for streamed request bodies */
  readonly uploads: Dispatcher
  readonly origin: string
  readonly host: string
  readonly tokens: TokenProvider
  readonly timeoutMs: number
  readonly observer: ForwardObserver
  readonly authorization: AuthorizationHeader
}

export class ReplayOn401 implements Dispatcher.DispatchHandler {
  #token: Token | undefined
  /** draining a 401 to replay after it */
  #draining = false
  #replayed = false
  #sentAt = 0
  #logChild: Logger | undefined

  constructor (
    readonly opts: ReplayOptions,
    readonly exchange: Exchange,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly body: Body,
    readonly log: Logger,
    readonly handler: Dispatcher.DispatchHandler
  ) {}

  /** `sentAt` starts the upstream timer: on the synchronous path, the arrival time taken microseconds before */
  send (token: Token, sentAt = performance.now()): void {
    this.#token = token
    this.#draining = false
    this.#sentAt = sentAt
    const headers = upstreamRequestHeaders(this.req.headers, this.opts.host, this.opts.authorization.for(token), this.exchange.requestId)
    if (this.log.isLevelEnabled('trace')) this.#requestLog().trace({ headers, retry: this.#replayed }, 'forwarding to the instance')
    // a streamed body goes over the uploads' own connections: however slow, they never take the others
    const dispatcher = replayable(this.body) ? this.opts.dispatcher : this.opts.uploads
    dispatcher.dispatch({
      origin: this.opts.origin,
      path: this.req.url as string,
      method: this.req.method as Dispatcher.HttpMethod,
      headers,
      body: this.body,
      headersTimeout: this.opts.timeoutMs,
      bodyTimeout: this.opts.timeoutMs
    }, this)
  }

  onRequestStart (controller: Dispatcher.DispatchController, context: unknown): void {
    this.handler.onRequestStart?.(controller, context)
  }

  onResponseStart (controller: Dispatcher.DispatchController, status: number, headers: Record<string, string | string[] | undefined>, statusMessage?: string): void {
    this.opts.observer.upstreamAnswered?.(this.exchange.route, this.req.method as string, status, (performance.now() - this.#sentAt) / 1000)
    if (this.log.isLevelEnabled('trace')) this.#requestLog().trace({ status, headers }, 'the instance answered')
    // Others meeting a refused token get this 401 while the refresh happens.
    if (status === 401 && this.opts.tokens.reject(this.#token as Token) && !this.#replayed && replayable(this.body)) {
      this.#draining = true
      return
    }
    this.handler.onResponseStart?.(controller, status, headers, statusMessage)
  }

  onResponseData (controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.#draining) this.handler.onResponseData?.(controller, chunk)
  }

  onResponseEnd (controller: Dispatcher.DispatchController, trailers: Record<string, string | string[] | undefined>): void {
    if (!this.#draining) {
      this.handler.onResponseEnd?.(controller, trailers)
      return
    }
    this.#replayed = true
    this.#replay().catch(() => {})
  }

  onResponseError (controller: Dispatcher.DispatchController, err: Error): void {
    this.handler.onResponseError?.(controller, err)
  }

  async #replay (): Promise<void> {
    let next: Token
    try {
      next = await this.opts.tokens.get()
    } catch (err) {
      answerNoToken(this.res, this.exchange, err, false)
      return
    }
    if (this.res.destroyed) return
    this.opts.observer.retriedAfter401?.()
    this.send(next)
  }

  /** A child carrying the request id, made only when tracing. */
  #requestLog (): Logger {
    this.#logChild ??= this.log.child({ requestId: this.exchange.requestId })
    return this.#logChild
  }
}
