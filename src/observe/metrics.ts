// Prometheus metrics (prom-client) on a registry of our own. Every label takes a value from a
// fixed set (route, method, outcome, reason) or a 3-digit status: never a path, a header or any
// other client-chosen text, and never a secret.
import type { FastifyInstance } from 'fastify'
import client, { type Counter, type Histogram } from 'prom-client'
import { RequestCounter, RouteHistogram } from './request-metrics.js'
import type { Completion, ForwardedRoute, LocalRefusal, TokenObserver, TokenProvider, UpstreamFailure } from '../vocabulary.js'
import { VERSION } from '../version.js'

const PREFIX = 'wavefront_auth_proxy_'

export class Metrics {
  readonly registry = new client.Registry()
  readonly #requests: RequestCounter
  readonly #upstreamSeconds: RouteHistogram
  readonly #upstreamErrors: Counter<'kind'>
  readonly #retries: Counter
  readonly #refused: Counter<'reason'>
  readonly #tokenFetches: Counter<'outcome'>
  readonly #tokenFetchSeconds: Histogram

  #tokens: TokenProvider | undefined

  constructor (mode: string) {
    const self = this
    const registers = [this.registry]
    // prom-client's default 10 ms event-loop sampling wakes an idle proxy ~100 times a second, but its
    // nodejs_eventloop_lag_* percentiles include that interval: a coarser one would move their baseline.
    client.collectDefaultMetrics({ register: this.registry })
    new client.Gauge({ name: `${PREFIX}info`, help: 'Always 1; labels carry the version and credential mode', labelNames: ['version', 'mode'], registers }).set({ version: VERSION, mode }, 1)
    // eslint-disable-next-line no-new -- registered with the registry, which keeps it
    new client.Gauge({
      name: `${PREFIX}token_expiry_seconds`,
      help: 'Seconds until the current access token may no longer be sent (0 without one; +Inf for a static token)',
      registers,
      collect () {
        const readiness = self.#tokens?.readiness() ?? { ready: false, expiresInMs: 0 }
        this.set(readiness.ready ? Math.max(0, (readiness.expiresInMs ?? Infinity) / 1000) : 0)
      }
    })
    this.#tokenFetches = new client.Counter({ name: `${PREFIX}token_fetches_total`, help: 'Token requests to CSP by outcome', labelNames: ['outcome'], registers })
    for (const outcome of ['success', 'rejected', 'error', 'timeout']) this.#tokenFetches.inc({ outcome }, 0)
    this.#tokenFetchSeconds = new client.Histogram({ name: `${PREFIX}token_fetch_duration_seconds`, help: 'Duration of token requests to CSP', buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers })
    this.#requests = new RequestCounter({ name: `${PREFIX}requests_total`, help: 'Requests to /api/v2 and /report by route, method and the status the client got', registers })
    this.#upstreamSeconds = new RouteHistogram({ name: `${PREFIX}upstream_duration_seconds`, help: 'Time until the instance answered (response headers)', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60], registers })
    this.#upstreamErrors = new client.Counter({ name: `${PREFIX}upstream_errors_total`, help: 'Forwarded requests that failed before or while the instance answered, by kind', labelNames: ['kind'], registers })
    this.#retries = new client.Counter({ name: `${PREFIX}upstream_401_retries_total`, help: 'Requests replayed with a new token after the instance answered 401', registers })
    this.#refused = new client.Counter({ name: `${PREFIX}refused_total`, help: 'Requests answered locally without reaching the instance, by reason', labelNames: ['reason'], registers })
  }

  readonly tokenObserver: TokenObserver = {
    fetched: (outcome, durationMs) => {
      this.#tokenFetches.inc({ outcome })
      this.#tokenFetchSeconds.observe(durationMs / 1000)
    }
  }

  /** A request is over: counted by route, method and status when it was for a forwarded route. */
  completed (c: Completion): void {
    if (c.route === 'api' || c.route === 'report') this.#requests.count(c.route, c.method, c.status)
  }

  upstreamAnswered (route: ForwardedRoute, seconds: number): void {
    this.#upstreamSeconds.observe(route, seconds)
  }

  retriedAfter401 (): void {
    this.#retries.inc()
  }

  upstreamFailed (kind: UpstreamFailure): void {
    this.#upstreamErrors.inc({ kind })
  }

  refused (reason: LocalRefusal): void {
    this.#refused.inc({ reason })
  }

  /** The token whose remaining lifetime the expiry gauge reports. */
  trackTokens (tokens: TokenProvider): void {
    this.#tokens = tokens
  }
}

/** GET /metrics in the Prometheus text format; answered locally, never forwarded. */
export function registerMetrics (app: FastifyInstance, metrics: Metrics): void {
  app.get('/metrics', { config: { name: 'metrics' } }, async (_request, reply) => {
    const text = await metrics.registry.metrics()
    return await reply.type(metrics.registry.contentType).send(text)
  })
}
