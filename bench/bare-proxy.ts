// The lower bound of this design, as a reference row: Fastify with `reply.hijack()` and an
// undici Pool's dispatch(), adding Authorization and dropping hop-by-hop headers, and nothing
// else (no logs, metrics, guards, request ids or retry). What wavefront-auth-proxy costs on top
// of it is the price of its features. Usage: UPSTREAM=… TOKEN=… PORT=… node bare-proxy.js
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
import Fastify from 'fastify'
import { Pool, type Dispatcher } from 'undici'

const upstream = process.env.UPSTREAM as string
const host = new URL(upstream).host
const authorization = `Bearer ${process.env.TOKEN ?? ''}`
const pool = new Pool(upstream, { connections: 128, pipelining: 1 })

const HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']
const REQ_DROP = new Set([...HOP, 'host', 'authorization', 'proxy-authorization', 'expect'])
const RES_DROP = new Set([...HOP, 'proxy-authenticate'])

function copy (h: IncomingHttpHeaders, drop: ReadonlySet<string>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const k in h) {
    const v = h[k]
    if (v !== undefined && !drop.has(k)) out[k] = v
  }
  return out
}

function forward (req: IncomingMessage, res: ServerResponse): void {
  const headers = copy(req.headers, REQ_DROP)
  headers.host = host
  headers.authorization = authorization
  const bodyless = req.method === 'GET' || req.method === 'HEAD'
  pool.dispatch({ path: req.url as string, method: req.method as Dispatcher.HttpMethod, headers, body: bodyless ? null : req }, {
    onRequestStart () {}, // undici takes a handler without it for the legacy API
    onResponseStart (_c, status, h) { res.writeHead(status, copy(h as IncomingHttpHeaders, RES_DROP)) },
    onResponseData (c, chunk) {
      if (!res.write(chunk)) {
        c.pause()
        res.once('drain', () => { c.resume() })
      }
    },
    onResponseEnd () { res.end() },
    onResponseError () {
      if (!res.headersSent) res.writeHead(502)
      res.end()
    }
  })
}

const app = Fastify({ logger: false, exposeHeadRoutes: false })
app.removeAllContentTypeParsers()
app.addContentTypeParser('*', (_req, _payload, done) => { done(null) })
for (const url of ['/api/v2/*', '/report']) {
  app.route({
    method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    url,
    handler (request, reply) {
      reply.hijack()
      forward(request.raw, reply.raw)
    }
  })
}
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })
process.on('SIGTERM', () => { process.exit(0) }) // exit at once: nothing to drain in a benchmark, and --cpu-prof writes its profile on exit
