// One concise access line per request at info: method, route, path (never the query), status,
// duration, bytes and the request id. Fastify already watches every response for its own
// request logging; this replaces those two lines with ours, at no extra cost per request.
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify'
import type { Logger } from 'pino'

/** Which part of the proxy answered: a fixed set, safe as a metric label. */
export type RouteName = 'api' | 'report' | 'healthz' | 'readyz' | 'metrics' | 'none'

export const BYTES_SENT = Symbol('wavefront-auth-proxy.bytesSent')

/** Forwarded responses stream without Content-Length at times; forward.ts counts what it wrote here. */
export interface CountedResponse { [BYTES_SENT]?: number }

export function recordBytesSent (res: object, bytes: number): void {
  (res as CountedResponse)[BYTES_SENT] = bytes
}

export function routeOf (request: FastifyRequest): RouteName {
  return (request.routeOptions.config as { name?: RouteName }).name ?? 'none'
}

export type CompletionListener = (request: FastifyRequest, reply: FastifyReply, route: RouteName) => void

export class AccessLog extends LogController {
  readonly #listeners: CompletionListener[] = []

  constructor () {
    super({ disableRequestLogging: true, requestIdLogLabel: 'requestId' })
  }

  /** Called once per completed request (metrics count them here too). */
  onComplete (listener: CompletionListener): void {
    this.#listeners.push(listener)
  }

  override requestCompleted (error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const route = routeOf(request)
    for (const listener of this.#listeners) listener(request, reply, route)
    const log = request.log as unknown as Logger // a pino child: it has isLevelEnabled
    if (!log.isLevelEnabled('info')) return
    const raw = reply.raw
    const status = raw.statusCode
    const bytes = (raw as CountedResponse)[BYTES_SENT] ?? Number(raw.getHeader('content-length') ?? 0)
    const url = request.raw.url ?? ''
    const q = url.indexOf('?')
    const path = q < 0 ? url : url.slice(0, q)
    const fields = { method: request.raw.method, route, path, status, ms: Math.round(reply.elapsedTime * 100) / 100, bytes, ...(error == null ? {} : { aborted: true }) }
    log.info(fields, `${request.raw.method ?? ''} ${path} ${status}`)
  }
}
