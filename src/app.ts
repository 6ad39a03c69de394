// Config → a ready Fastify instance (never listens: server.ts owns the process).
import { randomBytes } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify'
import type { Logger } from 'pino'
import { AccessLog } from './observe/access-log.js'
import type { Config } from './config/load.js'
import { createTokenProvider, scrubCredentials, secretFilesOf } from './credentials/provider.js'
import { watchSecretFiles } from './credentials/secret-watch.js'
import { observeWithTokenFile, TokenFile } from './credentials/token-file.js'
import { errorCodeOf, replyError, respondSocket } from './respond.js'
import { rejectedRequest, type CodedError, WAP_ERR_BAD_REQUEST_TARGET, WAP_ERR_HEADERS_TIMEOUT, WAP_ERR_HEADERS_TOO_LARGE, WAP_ERR_MALFORMED_REQUEST, WAP_ERR_NOT_FOUND, WAP_ERR_SHUTTING_DOWN, WAP_ERR_UNEXPECTED } from './errors.js'
import { NotSent } from './failures.js'
import { Guards } from './forward/guards.js'
import { checkTarget, pathOf } from './forward/target.js'
import { dropRequestsOnClosingConnections } from './forward/closing.js'
import { registerHealth } from './observe/health.js'
import { Lifecycle } from './lifecycle.js'
import { jsonLineSink, type SecretValues } from './observe/log.js'
import { Metrics, registerMetrics } from './observe/metrics.js'
import { registerForwarding } from './forward/routes.js'
import type { Completion, ForwardObserver, RouteName } from './vocabulary.js'
import { createDispatchers } from './forward/dispatchers.js'
import { Forwarder } from './forward/forwarder.js'

export interface AppDeps {
  readonly log: Logger
  readonly secrets: SecretValues
  /** the runtime tuning serve() installed, fed body sizes by the forwarder; none in tests and embeddings */
  readonly tuning?: Pick<ForwardObserver, 'bodyBytes'>
}

declare module 'fastify' {
  interface FastifyInstance {
    lifecycle: Lifecycle
  }
}

const REQUEST_ID = /^[\w.:@/+=-]{1,128}$/

/** A caller's X-Request-Id is kept when it is short and plain; anything else gets a fresh id. */
// Generated ids: a random prefix per process and a counter, unique across replicas and restarts
// without a random draw per request.
const ID_PREFIX = randomBytes(6).toString('base64url')
let lastId = 0

const NO_QUERY = Object.freeze({})
function noQuery (): Record<string, string> { return NO_QUERY }

export function requestIdOf (req: IncomingMessage): string {
  const given = req.headers['x-request-id']
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : newRequestId()
}

function newRequestId (): string {
  return `${ID_PREFIX}-${(++lastId).toString(36)}`
}

export async function buildApp (config: Config, deps: AppDeps): Promise<FastifyInstance> {
  const log = deps.log
  const accessLog = new AccessLog(log, jsonLineSink(log))
  const mode = config.credentials.mode
  const metrics = config.metrics ? new Metrics(mode) : undefined
  // The one completion event of every request, forwarded or answered locally.
  const completed = metrics === undefined
    ? (c: Completion) => { accessLog.write(c) }
    : (c: Completion) => { metrics.completed(c); accessLog.write(c) }
  /** HTTP that never became a request: answered in the envelope, the connection closed, one access line. */
  const answerSocket = (socket: Socket, err: CodedError, method = '-', path = '-'): void => {
    const bytes = respondSocket(socket, err)
    completed({ requestId: newRequestId(), method, route: 'none', path, status: err.statusCode, ms: 0, bytes, aborted: false, code: err.code })
  }
  const app = Fastify({
    // Fastify logs nothing itself: its per-request logging would add listeners and a child logger
    // to every forwarded request. The access log and the few request-scoped lines are ours.
    logger: false,
    genReqId: requestIdOf,
    routerOptions: {
      compile: true, // a handful of routes: looked up by generated code, not a tree walk per request
      querystringParser: noQuery // nothing answered here reads the query, and forwarded targets go upstream as sent
    },
    exposeHeadRoutes: false, // HEAD is forwarded as HEAD, not answered from GET
    return503OnClosing: false, // draining requests get our own envelope, see Lifecycle
    forceCloseConnections: 'idle',
    clientErrorHandler: (err: Error & { code?: string }, socket) => {
      if (err.code === 'ECONNRESET' || !socket.writable) socket.destroy()
      else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
        metrics?.refused('headers_timeout')
        answerSocket(socket, new WAP_ERR_HEADERS_TIMEOUT(config.headersTimeoutMs))
      } else answerSocket(socket, err.code === 'HPE_HEADER_OVERFLOW' ? new WAP_ERR_HEADERS_TOO_LARGE() : new WAP_ERR_MALFORMED_REQUEST())
    },
    http: {
      requireHostHeader: false, // a request without Host reaches the Host guard, which answers in the envelope
      connectionsCheckingInterval: 1000 // how often HEADERS_TIMEOUT_MS is checked, across all connections at once
    },
    frameworkErrors: (err, _request, reply) => { // found before routing: malformed percent-encoding (FST_ERR_BAD_URL)
      void replyError(reply, err.code === 'FST_ERR_BAD_URL' ? new WAP_ERR_BAD_REQUEST_TARGET('malformed percent-encoding') : rejectedRequest(err.message, err.statusCode ?? 400))
    }
  })
  app.server.on('connect', (req: IncomingMessage, socket: Socket) => {
    // Node hands a CONNECT socket over without its error listener: a client's reset would be an uncaught error
    socket.on('error', () => { socket.destroy() })
    answerSocket(socket, new WAP_ERR_BAD_REQUEST_TARGET('CONNECT is not supported'), 'CONNECT', req.url ?? '')
  })
  app.server.headersTimeout = config.headersTimeoutMs // Node's own check: no timer per request
  dropRequestsOnClosingConnections(app.server)

  scrubCredentials(config, deps.secrets) // credential values are scrubbed from every log line, whatever field they turn up in
  const tokenFile = config.tokenOutputFile === undefined ? undefined : new TokenFile(config.tokenOutputFile, log) // throws ConfigError: exit 2
  const tokenObserver = observeWithTokenFile(metrics?.tokenObserver, tokenFile)
  const dispatchers = createDispatchers(config)
  const tokens = createTokenProvider(config, { dispatcher: dispatchers.csp, log, secrets: deps.secrets, ...(tokenObserver === undefined ? {} : { observer: tokenObserver }) })
  const lifecycle = new Lifecycle()
  app.decorate('lifecycle', lifecycle)
  lifecycle.onDrain(() => { dispatchers.refuseWaitingUploads(() => new NotSent(new WAP_ERR_SHUTTING_DOWN(), 'shutting_down', 1)) })

  metrics?.trackTokens(tokens)
  const observer: ForwardObserver = {
    completed,
    refused: metrics === undefined ? undefined : (reason) => { metrics.refused(reason) },
    upstreamAnswered: metrics === undefined ? undefined : (route, _method, _status, seconds) => { metrics.upstreamAnswered(route, seconds) },
    retriedAfter401: metrics === undefined ? undefined : () => { metrics.retriedAfter401() },
    upstreamFailed: metrics === undefined ? undefined : (kind) => { metrics.upstreamFailed(kind) },
    bodyBytes: deps.tuning?.bodyBytes
  }
  registerForwarding(app, {
    lifecycle,
    forwarder: new Forwarder({
      dispatcher: dispatchers.instance,
      uploads: dispatchers.uploads,
      pace: { timeoutMs: config.bodyTimeoutMs, minRate: config.bodyMinRate },
      origin: config.wavefrontOrigin,
      tokens,
      timeoutMs: config.upstreamTimeoutMs,
      bodyLimit: config.bodyLimit,
      observer,
      lifecycle
    }),
    guards: new Guards(config),
    log
  })

  // Everything answered locally lives in its own context, so its hooks never touch forwarded requests.
  await app.register(async (local) => {
    local.addHook('onSend', async (request, reply) => { reply.header('x-request-id', request.id) })
    local.addHook('onResponse', async (request, reply) => {
      const raw = reply.raw
      completed({ requestId: request.id, method: request.raw.method ?? '', route: routeOf(request), path: pathOf(request.raw.url ?? ''), status: raw.statusCode, ms: reply.elapsedTime, bytes: Number(reply.getHeader('content-length') ?? 0), aborted: !raw.writableFinished, code: errorCodeOf(reply) })
    })
    registerHealth(local, tokens, mode, lifecycle)
    if (metrics !== undefined) registerMetrics(local, metrics)
    local.setNotFoundHandler(async (request, reply) => {
      const refusal = checkTarget(request.raw.url ?? '')
      metrics?.refused(refusal?.reason ?? 'not_found')
      return await replyError(reply, refusal?.error ?? new WAP_ERR_NOT_FOUND())
    })
  })
  app.setErrorHandler(async (err: FastifyError, request, reply) => {
    const status = err.statusCode ?? 500
    if (status >= 500) {
      const unexpected = new WAP_ERR_UNEXPECTED()
      log.error({ requestId: request.id, code: unexpected.code, err }, 'unexpected error')
      return await replyError(reply, unexpected)
    }
    // Fastify's own 4xx (a bad content type, say): the client's input, safe to describe.
    return await replyError(reply, rejectedRequest(err.message, status))
  })

  const stopWatching = watchSecretFiles(secretFilesOf(config), () => { tokens.credentialsChanged() })
  app.addHook('onReady', async () => { tokens.start() })
  app.addHook('onClose', async () => {
    stopWatching()
    tokens.close()
    tokenFile?.close()
    await Promise.all([dispatchers.instance.close(), dispatchers.uploads.close(), dispatchers.csp.close()])
  })
  await app.ready()
  return app
}

function routeOf (request: FastifyRequest): RouteName {
  return (request.routeOptions.config as { name?: RouteName }).name ?? 'none'
}
