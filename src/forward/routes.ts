// The forwarded routes: /api/v2/** and /report go to the same paths on the instance. A request
// reads top to bottom: target and framing hygiene → guards → token → forward → answer.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { performance } from 'node:perf_hooks' // the global is a getter: a lookup per use
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Logger } from 'pino'
import { ClientClosed, WAP_ERR_SHUTTING_DOWN, WAP_ERR_UNEXPECTED } from '../errors.js'
import { forward, hasRequestBody, writeError, type Exchange, type Forwarder } from './relay.js'
import { FORWARDED_METHODS, type Guards } from './guards.js'
import { checkForwardedTarget, checkFraming, pathOf, type Refusal } from './target.js'
import type { Lifecycle } from '../lifecycle.js'
import type { ForwardedRoute, LocalRefusal } from '../vocabulary.js'

export interface ForwardingOptions {
  readonly lifecycle: Lifecycle
  readonly forwarder: Forwarder
  readonly guards: Guards
  /** a request answered locally, by reason (metrics) */
  readonly refused: (reason: LocalRefusal) => void
  /** the exchange is over, answered in full or not (access log, metrics) */
  readonly completed: (exchange: Exchange, method: string, path: string, status: number, aborted: boolean) => void
  readonly log: Logger
}

export function registerForwarding (app: FastifyInstance, opts: ForwardingOptions): void {
  // Bodies are streamed to the instance untouched, so Fastify must not parse or buffer them.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', (_req, _payload, done) => { done(null) })

  const handlerFor = (route: ForwardedRoute) => (request: FastifyRequest, reply: FastifyReply): void => {
    const raw = request.raw
    const res = reply.raw
    const url = raw.url as string
    const path = pathOf(url) // what the guards check and the access line shows
    reply.hijack() // from here the raw response is ours: undici streams straight into it
    const exchange: Exchange = { requestId: request.id, route, started: performance.now(), bytes: 0, upstream: undefined }
    // One listener per request does it all: cancel upstream if the client left, log, count.
    res.on('close', () => {
      const aborted = !res.writableFinished
      if (aborted) exchange.upstream?.abort(new ClientClosed())
      opts.completed(exchange, raw.method as string, path, res.statusCode, aborted)
    })
    if (opts.lifecycle.draining) {
      opts.refused('shutting_down')
      writeError(res, exchange, new WAP_ERR_SHUTTING_DOWN(), hasRequestBody(raw.headers), { 'retry-after': '1' })
      return
    }
    const bad = checkForwardedTarget(url) ?? checkFraming(raw.headers)
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
      forward(opts.forwarder, exchange, raw, res, opts.log)?.catch((err: unknown) => { failed(opts, res, exchange, err) })
    } catch (err) {
      failed(opts, res, exchange, err)
    }
  }
  app.route({ method: FORWARDED_METHODS, url: '/api/v2/*', handler: handlerFor('api'), config: { name: 'api' } })
  app.route({ method: FORWARDED_METHODS, url: '/report', handler: handlerFor('report'), config: { name: 'report' } })
}

function refuse (opts: ForwardingOptions, req: IncomingMessage, res: ServerResponse, exchange: Exchange, refusal: Refusal): void {
  opts.refused(refusal.reason)
  writeError(res, exchange, refusal.error, hasRequestBody(req.headers))
}

/** A bug, not a condition of the instance or the client: logged, and answered with a 500. */
function failed (opts: ForwardingOptions, res: ServerResponse, exchange: Exchange, err: unknown): void {
  opts.log.error({ requestId: exchange.requestId, err }, 'forwarding failed unexpectedly')
  writeError(res, exchange, new WAP_ERR_UNEXPECTED(), true)
}
