// Holds the current access token: fetched at start-up, refreshed in the background ahead of
// expiry, one fetch in flight at a time, retries scaled to what is at stake. Knows nothing of
// HTTP serving; time and randomness are injected, so the timing is tested without waiting.
import { LRUCache } from 'lru-cache'
import type { Logger } from 'pino'
import type { FetchedToken } from './csp.js'
import { WAP_ERR_TOKEN_REJECTED } from '../errors.js'
import { TokenError, TokenUnavailable } from '../failures.js'
import type { Readiness, Token, TokenObserver, TokenProvider } from '../vocabulary.js'
import { systemClock, type Clock } from '../clock.js'
import { attemptTimeout, MIN_REJECTION_REFRESH_INTERVAL_MS, nextFailure, retryDelay, tokenTimes, type Failure } from './refresh-timing.js'

export interface TokenSourceOptions {
  /** performs one exchange at CSP within `timeoutMs`; re-reads mounted secrets each time */
  readonly fetch: (signal: AbortSignal, timeoutMs: number) => Promise<FetchedToken>
  /** CSP_TIMEOUT_MS: the longest one exchange may take */
  readonly timeoutMs: number
  /** identifies the credential, so a rotated secret never reuses the old entry */
  readonly identity: () => string
  readonly log: Logger
  readonly observer?: TokenObserver
  readonly clock?: Clock
  readonly random?: () => number
}

/** Requests refused for want of a token within this window count as waiting. */
const WAITING_WINDOW_MS = 30_000

export class TokenSource implements TokenProvider {
  // max 4: the current identity plus a few rotated ones until their entries expire
  readonly #cache = new LRUCache<string, Token>({ max: 4 })
  readonly #opts: TokenSourceOptions
  readonly #clock: Clock
  readonly #random: () => number
  #key: string
  #inflight: Promise<Token> | undefined
  #failure: Failure | undefined
  #cancelTimer: (() => void) | undefined
  #lastRejectionRefresh = -Infinity
  #lastRefused = -Infinity
  readonly #closing = new AbortController()

  constructor (opts: TokenSourceOptions) {
    this.#opts = opts
    this.#clock = opts.clock ?? systemClock
    this.#random = opts.random ?? Math.random
    this.#key = opts.identity()
  }

  start (): void {
    this.#refresh().catch(() => {}) // the outcome is logged and kept; requests see it through get()
  }

  peek (): Token | undefined {
    const token = this.#cache.get(this.#key)
    return token !== undefined && this.#clock.now() < token.usableUntil ? token : undefined
  }

  async get (): Promise<Token> {
    const token = this.peek()
    if (token !== undefined) return token
    if (this.#inflight !== undefined) return await this.#inflight
    if (this.#closing.signal.aborted) throw new TokenUnavailable('the proxy is shutting down', 1000)
    // nothing failed yet and nothing is in flight: the start-up fetch has not begun
    if (this.#failure === undefined) return await this.#refresh()
    this.#requestsWaiting()
    throw this.#unavailable()
  }

  reject (token: Token): boolean {
    const current = this.#cache.get(this.#key)
    if (current !== token) return current !== undefined || this.#inflight !== undefined // already replaced: many concurrent 401s, one refresh
    const now = this.#clock.now()
    if (now - this.#lastRejectionRefresh < MIN_REJECTION_REFRESH_INTERVAL_MS) return false
    this.#lastRejectionRefresh = now
    this.#opts.log.warn({ event: 'token_rejected', code: WAP_ERR_TOKEN_REJECTED }, 'the Wavefront instance rejected the access token (HTTP 401): fetching a new one')
    this.#cache.delete(this.#key)
    this.#opts.observer?.tokenChanged?.(undefined)
    this.#refresh().catch(() => {})
    return true
  }

  credentialsChanged (): void {
    if (this.#opts.identity() === this.#key && this.#failure === undefined) return // same credential: nothing to do
    // The current token stays in use until the new one arrives: if the new secret is wrong, nothing breaks early.
    this.#opts.log.info({ event: 'credentials_changed' }, 'a credential file changed: fetching a token with the new value')
    this.#refresh().catch(() => {})
  }

  readiness (): Readiness {
    const token = this.peek()
    if (token !== undefined) return { ready: true, expiresInMs: token.usableUntil - this.#clock.now() }
    if (this.#failure !== undefined) return { ready: false, reason: this.#failure.error.message }
    return { ready: false, reason: 'fetching the first access token from CSP' }
  }

  close (): void {
    this.#closing.abort()
    this.#cancelTimer?.()
  }

  #unavailable (): TokenUnavailable {
    const failure = this.#failure as Failure
    return new TokenUnavailable(failure.error.message, failure.nextAttemptAt - this.#clock.now())
  }

  /** How long the held token stays usable, and its lifetime; zeros without one. */
  #held (): { remainingMs: number, lifetimeMs: number } {
    const token = this.peek()
    return token === undefined ? { remainingMs: 0, lifetimeMs: 0 } : { remainingMs: token.usableUntil - this.#clock.now(), lifetimeMs: token.lifetimeMs }
  }

  /** Single flight: every caller shares the one fetch in progress. */
  #refresh (): Promise<Token> {
    if (this.#inflight !== undefined) return this.#inflight
    this.#cancelTimer?.()
    this.#inflight = this.#fetchOnce().finally(() => { this.#inflight = undefined })
    return this.#inflight
  }

  async #fetchOnce (): Promise<Token> {
    const requestedAt = this.#clock.now()
    let fetched: FetchedToken
    let key: string
    try {
      key = this.#opts.identity()
      fetched = await this.#opts.fetch(this.#closing.signal, attemptTimeout(this.#opts.timeoutMs, this.#held().remainingMs))
    } catch (err) {
      if (this.#closing.signal.aborted) throw new TokenUnavailable('the proxy is shutting down', 1000)
      const error = err instanceof TokenError ? err : new TokenError('error', `the token request failed unexpectedly (${describe(err)}): the proxy retries with backoff`)
      this.#opts.observer?.fetched?.(error.kind, this.#clock.now() - requestedAt)
      this.#failed(error)
      throw this.#unavailable()
    }
    const now = this.#clock.now()
    this.#key = key
    this.#opts.observer?.fetched?.('success', now - requestedAt)
    const token: Token = { value: fetched.accessToken, obtainedAt: requestedAt, lifetimeMs: fetched.lifetimeMs, ...tokenTimes(requestedAt, fetched.lifetimeMs) }
    this.#cache.set(this.#key, token, { ttl: Math.max(1, token.usableUntil - now) })
    this.#opts.observer?.tokenChanged?.(token)
    this.#opts.log.info({
      event: 'token_refreshed',
      lifetimeSeconds: Math.round(fetched.lifetimeMs / 1000),
      refreshInSeconds: seconds(token.refreshAt - now),
      ...(this.#failure === undefined ? {} : { afterFailures: this.#failure.streak })
    }, 'obtained an access token')
    this.#failure = undefined
    this.#schedule(token.refreshAt - now)
    return token
  }

  #failed (error: TokenError): void {
    const previous = this.#failure
    const now = this.#clock.now()
    const held = this.#held()
    const failure = nextFailure(previous, error, held, now - this.#lastRefused < WAITING_WINDOW_MS, now, this.#random)
    this.#failure = failure
    const delay = failure.nextAttemptAt - now
    const fields = { event: 'token_fetch_failed', code: error.code, outcome: error.kind, status: error.status, attempt: failure.streak, retryInSeconds: seconds(delay), holdingValidToken: held.remainingMs > 0 }
    // One clear line per streak; repeats of the same failure only at debug, so logs stay readable.
    if (previous?.error.message === error.message) this.#opts.log.debug(fields, error.message)
    else if (error.kind === 'rejected') this.#opts.log.error(fields, error.message)
    else this.#opts.log.warn(fields, error.message)
    this.#schedule(delay)
  }

  /** A request found no usable token. A retry planned for an idle proxy comes sooner now that
   * callers are waiting; rejected credentials keep their slow pace. */
  #requestsWaiting (): void {
    const now = this.#clock.now()
    this.#lastRefused = now
    const f = this.#failure as Failure
    if (f.waiting || f.error.kind === 'rejected') return
    const delay = retryDelay({ kind: f.error.kind, streak: Math.max(1, f.withoutToken), retryAfterMs: f.error.retryAfterMs, remainingMs: 0, lifetimeMs: 0, waiting: true }, this.#random)
    const at = Math.max(now, f.failedAt + delay)
    this.#failure = { ...f, waiting: true, nextAttemptAt: Math.min(f.nextAttemptAt, at) }
    if (at < f.nextAttemptAt) this.#schedule(at - now)
  }

  #schedule (delayMs: number): void {
    this.#cancelTimer?.()
    this.#cancelTimer = this.#clock.schedule(() => { this.#refresh().catch(() => {}) }, Math.max(0, delayMs))
  }
}

/** Seconds with one decimal, for log fields: sub-second retries still read as such. */
function seconds (ms: number): number {
  return Math.round(ms / 100) / 10
}

/** An unexpected error by its class and code only: its message might quote a credential. */
function describe (err: unknown): string {
  const e = (err ?? {}) as { name?: unknown, code?: unknown }
  return [e.name, e.code].filter((part) => typeof part === 'string').join(' ') || typeof err
}
