// Forwards one request to the instance over undici's dispatch API: refuses a declared body over
// BODY_LIMIT, waits for a token and a small body only when it must, then hands the answer to
// the relay (relay.ts) wrapped in the 401 replay (replay.ts).
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Logger } from 'pino'
import type { Dispatcher } from 'undici'
import type { Lifecycle } from '../lifecycle.js'
import type { ForwardObserver, Token, TokenProvider } from '../vocabulary.js'
import { AuthorizationHeader } from './authorization.js'
import { bodyOf, hasRequestBody, type Body, type BodyWatch } from './body.js'
import type { BodyPace } from './body-pace.js'
import { WAP_ERR_BODY_TIMEOUT } from '../errors.js'
import { BodyTimeout } from '../failures.js'
import { answer, answerAndClose, answerNoToken, type Exchange } from './exchange.js'
import { Relay } from './relay.js'
import { ReplayOn401 } from './replay.js'
import { errorFor } from './upstream-errors.js'

export interface ForwarderOptions {
  readonly dispatcher: Dispatcher
  /** for streamed request bodies: a pool of their own */
  readonly uploads: Dispatcher
  readonly pace: BodyPace
  readonly origin: string
  readonly tokens: TokenProvider
  readonly timeoutMs: number
  readonly bodyLimit: number
  readonly observer: ForwardObserver
  readonly lifecycle: Lifecycle
}

export class Forwarder {
  readonly dispatcher: Dispatcher
  readonly uploads: Dispatcher
  readonly pace: BodyPace
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
    this.uploads = opts.uploads
    this.pace = opts.pace
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
      body = hasBody ? await bodyOf(req, length, this.bodyLimit, this.observer.bodyBytes, this.#slow(exchange, res)) : null
    } catch (err) {
      // a small body that stalled: nothing reached the instance, so the client is told; else the client went away
      if (err instanceof BodyTimeout) {
        this.observer.refused?.(err.reason)
        answerAndClose(res, exchange, new WAP_ERR_BODY_TIMEOUT(err.reason === 'body_stalled' ? `stalled (no byte for ${this.pace.timeoutMs} ms)` : `arrived slower than BODY_MIN_RATE (${this.pace.minRate} bytes/s)`))
      }
      return
    }
    this.#attempt(exchange, req, res, log, body).send(token)
  }

  /** How a small body is read, and what happens to a streamed one that stalls: part of it has
   * reached the instance, so both connections are cut. */
  #slow (exchange: Exchange, res: ServerResponse): BodyWatch {
    return {
      pace: this.pace,
      streamedTooSlow: (reason) => {
        this.observer.refused?.(reason)
        res.destroy()
        exchange.upstream?.abort(new BodyTimeout(reason))
      }
    }
  }

  #attempt (exchange: Exchange, req: IncomingMessage, res: ServerResponse, log: Logger, body: Body): ReplayOn401 {
    return new ReplayOn401(this, exchange, req, res, body, log, new Relay(this, exchange, req, res, log, body))
  }
}
