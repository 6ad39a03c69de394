// Liveness and readiness, answered locally and never forwarded. Readiness means a usable
// token is held, so a Service sends no traffic to a proxy that would answer 503.
import type { FastifyInstance } from 'fastify'
import { WAP_ERR_NOT_READY } from '../errors.js'
import { replyError } from '../respond.js'
import type { Lifecycle } from '../lifecycle.js'
import type { CredentialMode, TokenProvider } from '../vocabulary.js'

export function registerHealth (app: FastifyInstance, tokens: TokenProvider, mode: CredentialMode, lifecycle: Lifecycle): void {
  app.get('/healthz', { config: { name: 'healthz' } }, async (_req, reply) => {
    return await reply.send({ status: { result: 'OK', message: 'serving', code: 200 } })
  })

  app.get('/readyz', { config: { name: 'readyz' } }, async (_req, reply) => {
    if (lifecycle.draining) return await replyError(reply, new WAP_ERR_NOT_READY('shutting down'))
    const readiness = tokens.readiness()
    if (!readiness.ready) return await replyError(reply, new WAP_ERR_NOT_READY(readiness.reason ?? 'no valid access token'))
    const expiresIn = readiness.expiresInMs
    return await reply.send({
      status: { result: 'OK', message: 'ready', code: 200 },
      response: { mode, ...(expiresIn === undefined || !Number.isFinite(expiresIn) ? {} : { tokenExpiresInSeconds: Math.floor(expiresIn / 1000) }) }
    })
  })
}
