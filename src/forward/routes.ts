// The forwarded routes: /api/v2/** and /report go to the same paths on the instance. A request
// reads top to bottom: target and framing hygiene → guards → token → forward → answer.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { performance } from 'node:perf_hooks' // the global is a getter: a lookup per use
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Logger } from 'pino'
import { WAP_ERR_SHUTTING_DOWN, WAP_ERR_UNEXPECTED } from '../errors.js'
import { ClientClosed } from '../failures.js'
import type { Lifecycle } from '../lifecycle.js'
import type { ForwardedRoute } from '../vocabulary.js'
import { hasRequestBody } from './body.js'
import { answer, type Exchange } from './exchange.js'
import type { Forwarder } from './forwarder.js'
import { FORWARDED_METHODS, type Guards } from './guards.js'
import { checkForwardedTarget, checkFraming, pathOf, type Refusal } from './target.js'

export interface ForwardingOptions {
  readonly lifecycle: Lifecycle
  readonly forwarder: Forwarder
  readonly guards: Guards
  readonly log: Logger
}

export function registerForwarding (app: FastifyInstance, opts: ForwardingOptions): void {
  // Bodies are streamed to the instance untouched, so Fastify must not parse or buffer them.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', (_req, _payload, done) => { done(null) })
  const observer = opts.forwarder.observer

  const handlerFor = (route: ForwardedRoute) => (request: FastifyRequest, reply: FastifyReply): void => {
    const raw = request.raw
    const res = reply.raw
    const url = raw.url as string
    const path = pathOf(url) // what the guards check and the access line shows
    reply.hijack() // from here the raw response is ours: undici streams straight into it
    const exchange: Exchange = { requestId: request.id, route, started: performance.now(), bytes: 0, upstream: undefined, code: undefined }
    // One listener per request does it all: cancel upstream if the client left, report completion.
    res.on('close', () => {
      const aborted = !res.writableFinished
      if (aborted) exchange.upstream?.abort(new ClientClosed())
      observer.completed?.({ requestId: exchange.requestId, method: raw.method as string, route, path, status: res.statusCode, ms: performance.now() - exchange.started, bytes: exchange.bytes, aborted, code: exchange.code })
    })
    if (opts.lifecycle.draining) {
      observer.refused?.('shutting_down')
      answer(res, exchange, new WAP_ERR_SHUTTING_DOWN(), hasRequestBody(raw.headers), { 'retry-after': '1' })
      return
    }
    const bad = checkForwardedTarget(url) ?? checkFraming(raw)
    if (bad !== undefined) {
      refuse(opts, raw, res, exchange, bad)
      return
    }
    const verdict = opts.guards.check(raw, path)
    for (const name in verdict.headers) res.setHeader(name, verdict.headers[name] as string) // kept by every writeHead below
    if (verdict.refusal !== undefined) {
      refuse(opts, raw, res, exchange, verdict.refusal)
      return
    }
    if (verdict.preflight) {
      res.writeHead(204, { 'x-request-id': request.id, ...(hasRequestBody(raw.headers) ? { connection: 'close' } : {}) }).end()
      return
    }
    try {
      opts.forwarder.forward(exchange, raw, res, opts.log)?.catch((err: unknown) => { failed(opts, res, exchange, err) })
    } catch (err) {
      failed(opts, res, exchange, err)
    }
  }
  app.route({ method: FORWARDED_METHODS, url: '/api/v2/*', handler: handlerFor('api'), config: { name: 'api' } })
  app.route({ method: FORWARDED_METHODS, url: '/report', handler: handlerFor('report'), config: { name: 'report' } })
}

function refuse (opts: ForwardingOptions, req: IncomingMessage, res: ServerResponse, exchange: Exchange, refusal: Refusal): void {
  opts.forwarder.observer.refused?.(refusal.reason)
  answer(res, exchange, refusal.error, hasRequestBody(req.headers))
}

/** A bug, not a condition of the instance or the client: logged, and answered with a 500. */
function failed (opts: ForwardingOptions, res: ServerResponse, exchange: Exchange, err: unknown): void {
  const error = new WAP_ERR_UNEXPECTED()
  opts.log.error({ requestId: exchange.requestId, code: error.code, err }, 'forwarding failed unexpectedly')
  answer(res, exchange, error, true)
}
