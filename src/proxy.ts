// The forwarded routes: /api/v2/** and /report go to the same paths on the instance. A request
// reads top to bottom: target hygiene → guards → token → forward → answer.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { WAP_ERR_UNEXPECTED } from './errors.js'
import { forward, writeError, type ForwardedRoute, type Forwarder } from './forward.js'
import { checkTarget, type Guards, type RefusalReason } from './guards.js'

export const FORWARDED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']

export interface ForwardingOptions {
  readonly forwarder: Forwarder
  readonly guards: Guards
  /** a request refused locally, by reason (metrics) */
  readonly refused?: (reason: RefusalReason) => void
}

export function registerForwarding (app: FastifyInstance, opts: ForwardingOptions): void {
  // Bodies are streamed to the instance untouched, so Fastify must not parse or buffer them.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', (_req, _payload, done) => { done(null) })

  const handlerFor = (route: ForwardedRoute) => (request: FastifyRequest, reply: FastifyReply): void => {
    const raw = request.raw
    const url = raw.url as string
    const refusal = checkTarget(url) ?? opts.guards.check(raw, pathOf(url))
    reply.hijack() // from here the raw response is ours: undici streams straight into it
    if (refusal !== undefined) {
      opts.refused?.(refusal.reason)
      writeError(reply.raw, refusal.error, hasBody(raw.headers))
      return
    }
    forward(opts.forwarder, route, raw, reply.raw, request.id, request.log).catch((err: unknown) => {
      request.log.error({ err }, 'forwarding failed unexpectedly')
      writeError(reply.raw, new WAP_ERR_UNEXPECTED(), true)
    })
  }
  app.route({ method: FORWARDED_METHODS, url: '/api/v2/*', handler: handlerFor('api') })
  app.route({ method: FORWARDED_METHODS, url: '/report', handler: handlerFor('report') })
}

function pathOf (url: string): string {
  const q = url.indexOf('?')
  return q < 0 ? url : url.slice(0, q)
}

function hasBody (headers: FastifyRequest['headers']): boolean {
  return headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0')
}
