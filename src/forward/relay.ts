// Relays the instance's answer to the client: streamed, never held in memory, with backpressure
// both ways; a client that leaves aborts the upstream request, and an upstream that breaks
// mid-answer breaks the client connection rather than leaving it hanging.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Logger } from 'pino'
import type { Dispatcher } from 'undici'
import { ClientClosed, NotSent } from '../failures.js'
import type { Lifecycle } from '../lifecycle.js'
import type { ForwardObserver } from '../vocabulary.js'
import { replayable, type Body } from './body.js'
import { discardRest } from './closing.js'
import { answer, type Exchange } from './exchange.js'
import { clientResponseHeaders } from './headers.js'
import { classify, errorFor } from './upstream-errors.js'

export interface RelayOptions {
  readonly observer: ForwardObserver
  readonly lifecycle: Lifecycle
  readonly timeoutMs: number
  readonly bodyLimit: number
}

export class Relay implements Dispatcher.DispatchHandler {
  #logChild: Logger | undefined
  /** body bytes the instance announced (Content-Length) and has not sent yet; -1 when it did not say */
  #unsent = -1

  constructor (
    readonly opts: RelayOptions,
    readonly exchange: Exchange,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly log: Logger,
    readonly body: Body
  ) {}

  onRequestStart (controller: Dispatcher.DispatchController): void {
    this.exchange.upstream = controller
    if (this.res.destroyed) controller.abort(new ClientClosed())
  }

  onResponseStart (controller: Dispatcher.DispatchController, status: number, headers: Record<string, string | string[] | undefined>): void {
    try {
      const out = clientResponseHeaders(headers, this.exchange.requestId)
      if (this.opts.lifecycle.draining) out.connection = 'close' // let the client go before we do
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
    this.exchange.bytes += chunk.length
    this.opts.observer.bodyBytes?.(chunk.length)
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
    if (!this.res.writableEnded) this.res.end()
    if (!replayable(this.body)) discardRest(this.req) // answered before the whole upload arrived
  }

  onResponseError (_controller: Dispatcher.DispatchController, err: Error): void {
    if (err instanceof NotSent) {
      if (this.res.destroyed) return // the client left while its upload waited
      this.opts.observer.refused?.(err.reason)
      answer(this.res, this.exchange, err.answer, true, { 'retry-after': String(err.retryAfterSeconds) })
      return
    }
    const { kind, code: cause } = classify(err)
    if (kind === 'client-gone') {
      this.res.destroy() // nobody left to answer
      return
    }
    const error = errorFor(kind, cause, this.opts.timeoutMs, this.opts.bodyLimit)
    if (this.res.headersSent || this.res.destroyed) {
      // mid-answer: the only honest signal left is closing the connection
      this.exchange.code = error.code
      this.opts.observer.upstreamFailed?.(kind)
      this.#requestLog().warn({ event: 'upstream_failed', failure: kind, cause, code: error.code }, 'the instance connection broke mid-answer: closing the client connection')
      this.res.destroy()
      return
    }
    if (kind === 'too-large') this.opts.observer.refused?.('body_too_large')
    else {
      this.opts.observer.upstreamFailed?.(kind)
      this.#requestLog().warn({ event: 'upstream_failed', failure: kind, cause, code: error.code }, 'forwarding to the Wavefront instance failed')
    }
    answer(this.res, this.exchange, error, !replayable(this.body))
  }

  /** A child carrying the request id, made only on the rare paths that log. */
  #requestLog (): Logger {
    this.#logChild ??= this.log.child({ requestId: this.exchange.requestId })
    return this.#logChild
  }
}
