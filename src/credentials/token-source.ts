// Holds the current access token: fetched at start-up, refreshed in the background ahead of
// expiry, one fetch in flight at a time, backoff after failures. Knows nothing of HTTP serving.
import { LRUCache } from 'lru-cache'
import type { Logger } from 'pino'
import type { FetchedToken } from './csp.js'
import { TokenError, TokenUnavailable, WAP_ERR_TOKEN_REJECTED } from '../errors.js'
import type { Readiness, Token, TokenObserver, TokenProvider } from '../vocabulary.js'
import { BACKOFF, backoffDelay, MIN_REJECTION_REFRESH_INTERVAL_MS, tokenTimes } from './refresh-timing.js'

export interface TokenSourceOptions {
  /** performs one exchange at CSP; re-reads mounted secrets each time */
  readonly fetch: (signal: AbortSignal) => Promise<FetchedToken>
  /** identifies the credential, so a rotated secret never reuses the old entry */
  readonly identity: () => string
  readonly log: Logger
  readonly observer?: TokenObserver
}

interface Failure { readonly error: TokenError, readonly streak: number, readonly nextAttemptAt: number }

export class TokenSource implements TokenProvider {
  // max 4: the current identity plus a few rotated ones until their entries expire
  readonly #cache = new LRUCache<string, Token>({ max: 4 })
  readonly #opts: TokenSourceOptions
  #key: string
  #inflight: Promise<Token> | undefined
  #failure: Failure | undefined
  #timer: NodeJS.Timeout | undefined
  #lastRejectionRefresh = -Infinity
  readonly #closing = new AbortController()

  constructor (opts: TokenSourceOptions) {
    this.#opts = opts
    this.#key = opts.identity()
  }

  start (): void {
    this.#refresh().catch(() => {}) // the outcome is logged and kept; requests see it through get()
  }

  peek (): Token | undefined {
    const token = this.#cache.get(this.#key)
    return token !== undefined && Date.now() < token.usableUntil ? token : undefined
  }

  async get (): Promise<Token> {
    const token = this.peek()
    if (token !== undefined) return token
    if (this.#inflight !== undefined) return await this.#inflight
    if (this.#closing.signal.aborted) throw new TokenUnavailable('the proxy is shutting down', 1000)
    // nothing failed yet and nothing is in flight: the start-up fetch has not begun
    if (this.#failure === undefined) return await this.#refresh()
    throw this.#unavailable()
  }

  reject (token: Token): boolean {
    const current = this.#cache.get(this.#key)
    if (current !== token) return current !== undefined || this.#inflight !== undefined // already replaced: many concurrent 401s, one refresh
    if (Date.now() - this.#lastRejectionRefresh < MIN_REJECTION_REFRESH_INTERVAL_MS) return false
    this.#lastRejectionRefresh = Date.now()
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
    if (token !== undefined) return { ready: true, expiresInMs: token.usableUntil - Date.now() }
    if (this.#failure !== undefined) return { ready: false, reason: this.#failure.error.message }
    return { ready: false, reason: 'fetching the first access token from CSP' }
  }

  close (): void {
    this.#closing.abort()
    clearTimeout(this.#timer)
  }

  #unavailable (): TokenUnavailable {
    const failure = this.#failure as Failure
    return new TokenUnavailable(failure.error.message, failure.nextAttemptAt - Date.now())
  }

  /** Single flight: every caller shares the one fetch in progress. */
  #refresh (): Promise<Token> {
    if (this.#inflight !== undefined) return this.#inflight
    clearTimeout(this.#timer)
    this.#inflight = this.#fetchOnce().finally(() => { this.#inflight = undefined })
    return this.#inflight
  }

  async #fetchOnce (): Promise<Token> {
    const requestedAt = Date.now()
    const started = performance.now()
    let fetched: FetchedToken
    let key: string
    try {
      key = this.#opts.identity()
      fetched = await this.#opts.fetch(this.#closing.signal)
    } catch (err) {
      if (this.#closing.signal.aborted) throw new TokenUnavailable('the proxy is shutting down', 1000)
      const error = err instanceof TokenError ? err : new TokenError('error', 'the token request failed unexpectedly: the proxy retries with backoff')
      this.#opts.observer?.fetched?.(error.kind, performance.now() - started)
      this.#failed(error)
      throw this.#unavailable()
    }
    this.#key = key
    this.#opts.observer?.fetched?.('success', performance.now() - started)
    const token: Token = { value: fetched.accessToken, obtainedAt: requestedAt, lifetimeMs: fetched.lifetimeMs, ...tokenTimes(requestedAt, fetched.lifetimeMs) }
    this.#cache.set(this.#key, token, { ttl: Math.max(1, token.usableUntil - Date.now()) })
    this.#opts.observer?.tokenChanged?.(token)
    this.#opts.log.info({
      event: 'token_refreshed',
      lifetimeSeconds: Math.round(fetched.lifetimeMs / 1000),
      refreshInSeconds: Math.round((token.refreshAt - Date.now()) / 1000),
      ...(this.#failure === undefined ? {} : { afterFailures: this.#failure.streak })
    }, 'obtained an access token')
    this.#failure = undefined
    this.#schedule(token.refreshAt - Date.now())
    return token
  }

  #failed (error: TokenError): void {
    const previous = this.#failure
    const streak = previous !== undefined && previous.error.kind === error.kind ? previous.streak + 1 : 1
    const delay = backoffDelay(BACKOFF[error.kind], streak, error.retryAfterMs)
    this.#failure = { error, streak, nextAttemptAt: Date.now() + delay }
    const holding = this.peek() !== undefined
    const fields = { event: 'token_fetch_failed', code: error.code, outcome: error.kind, status: error.status, attempt: streak, retryInSeconds: Math.round(delay / 1000), holdingValidToken: holding }
    // One clear line per streak; repeats of the same failure only at debug, so logs stay readable.
    if (previous?.error.message === error.message) this.#opts.log.debug(fields, error.message)
    else if (error.kind === 'rejected') this.#opts.log.error(fields, error.message)
    else this.#opts.log.warn(fields, error.message)
    this.#schedule(delay)
  }

  #schedule (delayMs: number): void {
    clearTimeout(this.#timer)
    this.#timer = setTimeout(() => { this.#refresh().catch(() => {}) }, Math.max(0, delayMs))
    this.#timer.unref()
  }
}
