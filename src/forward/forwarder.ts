// Forwards one request to the instance over undici's dispatch API: refuses a declared body over
// BODY_LIMIT, waits for a token and a small body only when it must, then hands the answer to
// the relay (relay.ts) wrapped in the 401 replay (replay.ts).
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Logger } from 'pino'
import type { Dispatcher } from 'undici'
import type { Lifecycle } from '../lifecycle.js'
import type { ForwardObserver, Token, TokenProvider } from '../vocabulary.js'
import { AuthorizationHeader } from './authorization.js'
import { bodyOf, hasRequestBody, type Body } from './body.js'
import { answer, answerNoToken, type Exchange } from './exchange.js'
import { Relay } from './relay.js'
import { ReplayOn401 } from './replay.js'
import { errorFor } from './upstream-errors.js'

export interface ForwarderOptions {
  readonly dispatcher: Dispatcher
  readonly origin: string
  readonly tokens: TokenProvider
  readonly timeoutMs: number
  readonly bodyLimit: number
  readonly observer: ForwardObserver
  readonly lifecycle: Lifecycle
}

export class Forwarder {
  readonly dispatcher: Dispatcher
  readonly origin: string
  /** the instance's host, sent as Host */
  readonly host: string
  readonly tokens: TokenProvider
  readonly timeoutMs: number
  readonly bodyLimit: number
  readonly observer: ForwardObserver
  readonly lifecycle: Lifecycle
  readonly authorization = new AuthorizationHeader()

  constructor (opts: ForwarderOptions) {
    this.dispatcher = opts.dispatcher
    this.origin = opts.origin
    this.host = new URL(opts.origin).host
    this.tokens = opts.tokens
    this.timeoutMs = opts.timeoutMs
    this.bodyLimit = opts.bodyLimit
    this.observer = opts.observer
    this.lifecycle = opts.lifecycle
  }

  /** Forwards one request: at once in the usual case (a token in hand, no body), else once the
   * token and any small body are ready, with the promise of that. */
  forward (exchange: Exchange, req: IncomingMessage, res: ServerResponse, log: Logger): Promise<void> | undefined {
    const declared = req.headers['content-length']
    const length = declared === undefined ? undefined : Number(declared)
    if (this.bodyLimit > 0 && length !== undefined && length > this.bodyLimit) {
      this.observer.refused?.('body_too_large')
      answer(res, exchange, errorFor('too-large', 'BODY_LIMIT', this.timeoutMs, this.bodyLimit), true)
      return undefined
    }
    const token = this.tokens.peek()
    const hasBody = hasRequestBody(req.headers)
    if (token !== undefined && !hasBody) {
      this.#attempt(exchange, req, res, log, null).send(token, exchange.started)
      return undefined
    }
    return this.#forwardWhenReady(exchange, req, res, log, token, hasBody, length)
  }

  async #forwardWhenReady (exchange: Exchange, req: IncomingMessage, res: ServerResponse, log: Logger, token: Token | undefined, hasBody: boolean, length: number | undefined): Promise<void> {
    if (token === undefined) {
      try {
        token = await this.tokens.get()
      } catch (err) {
        this.observer.refused?.('no_token')
        answerNoToken(res, exchange, err, hasBody)
        return
      }
    }
    let body: Body
    try {
      body = hasBody ? await bodyOf(req, length, this.bodyLimit, this.observer.bodyBytes) : null
    } catch {
      return // the client went away while sending a small body: nobody to answer
    }
    this.#attempt(exchange, req, res, log, body).send(token)
  }

  #attempt (exchange: Exchange, req: IncomingMessage, res: ServerResponse, log: Logger, body: Body): ReplayOn401 {
    return new ReplayOn401(this, exchange, req, res, body, log, new Relay(this, exchange, req, res, log, body))
  }
}
