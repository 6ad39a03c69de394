// When to stop using a token, when to refresh it, and how long to wait after a failure.
// Every figure scales with the token lifetime, so 30-minute and 3-second tokens both work.
import type { TokenError } from '../failures.js'
import type { TokenFailureKind } from '../vocabulary.js'

export interface TokenTimes {
  /** the last moment the token may be sent: before the real expiry, so requests in flight arrive in time */
  readonly usableUntil: number
  /** when the background refresh starts */
  readonly refreshAt: number
}

const MAX_SKEW_MS = 30_000
const MAX_LEAD_MS = 180_000

/** `requestedAt` is when the token request was sent: CSP's clock started no earlier. The refresh
 * starts a third of the way through the usable life (at most 3 minutes before its end), which
 * leaves room for several retries, and a 1 s Retry-After, inside it. */
export function tokenTimes (requestedAt: number, lifetimeMs: number): TokenTimes {
  const skew = Math.min(lifetimeMs * 0.1, MAX_SKEW_MS)
  const usableUntil = requestedAt + lifetimeMs - skew
  const lead = Math.min((lifetimeMs - skew) * 2 / 3, MAX_LEAD_MS)
  return { usableUntil, refreshAt: usableUntil - lead }
}

/** A 401 from the instance refreshes the token at most this often: when fresh tokens are refused
 * too (a permission problem, not a revocation), refetching per request would hammer CSP. */
export const MIN_REJECTION_REFRESH_INTERVAL_MS = 10_000

export interface BackoffPolicy {
  readonly baseMs: number
  readonly capMs: number
}

/** Rejected credentials are retried slowly whatever else holds (an operator may be fixing the Secret). */
export const REJECTED: BackoffPolicy = { baseMs: 15_000, capMs: 300_000 }
/** A transient failure while a token is still usable, or with nobody waiting. */
export const TRANSIENT: BackoffPolicy = { baseMs: 1_000, capMs: 30_000 }
/** A transient failure with no usable token while requests are being refused: come back soon. */
export const WAITING: BackoffPolicy = { baseMs: 250, capMs: 5_000 }

/** While a token is held, retries are spaced so that about this many fit in its remaining usable life. */
export const ATTEMPTS_IN_REMAINING_LIFE = 4
/** No retry comes sooner than this after a failure, however short the token; tokens of 30 s and
 * more are retried at most once a second. */
export const MIN_RETRY_MS = 150
/** One attempt made while a token is held may take at most a third of its remaining life, and no less than this. */
export const MIN_ATTEMPT_TIMEOUT_MS = 500

const MAX_RETRY_AFTER_MS = 600_000

export interface RetryInput {
  readonly kind: TokenFailureKind
  /** failures in a row, this one included: of this kind while a token is held, of any
   * transient kind since none is (so the first retries after a token runs out are quick) */
  readonly streak: number
  readonly retryAfterMs: number | undefined
  /** how long the held token stays usable; 0 when none is held */
  readonly remainingMs: number
  /** the held token's lifetime; 0 when none is held */
  readonly lifetimeMs: number
  /** requests met no usable token recently */
  readonly waiting: boolean
}

/** How long to wait before the next token request after a failure. */
export function retryDelay (input: RetryInput, random: () => number = Math.random): number {
  if (input.kind === 'rejected') return backoffDelay(REJECTED, input.streak, input.retryAfterMs, random)
  if (input.remainingMs > 0) {
    // several jittered attempts fit before the held token runs out
    const fit = input.remainingMs / ATTEMPTS_IN_REMAINING_LIFE
    const policy = { baseMs: Math.min(TRANSIENT.baseMs, fit), capMs: Math.min(TRANSIENT.capMs, fit) }
    const floor = Math.min(TRANSIENT.baseMs, Math.max(MIN_RETRY_MS, input.lifetimeMs / 30))
    return Math.max(floor, backoffDelay(policy, input.streak, input.retryAfterMs, random))
  }
  return backoffDelay(input.waiting ? WAITING : TRANSIENT, input.streak, input.retryAfterMs, random)
}

/** How long one token request may take: the configured timeout, shortened while a held token
 * is about to run out so that a hung request leaves time for another. */
export function attemptTimeout (configuredMs: number, remainingMs: number): number {
  if (remainingMs <= 0) return configuredMs
  // whole milliseconds: AbortSignal.timeout() throws on a fraction
  return Math.min(configuredMs, Math.max(MIN_ATTEMPT_TIMEOUT_MS, Math.floor(remainingMs / 3)))
}

/** Capped exponential backoff with equal jitter; a server's Retry-After is a floor. */
export function backoffDelay (policy: BackoffPolicy, failures: number, retryAfterMs: number | undefined, random: () => number = Math.random): number {
  const exp = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, failures - 1))
  const jittered = exp / 2 + random() * (exp / 2)
  return Math.round(Math.max(jittered, Math.min(retryAfterMs ?? 0, MAX_RETRY_AFTER_MS)))
}

/** The state of a run of failed token requests. */
export interface Failure {
  readonly error: TokenError
  /** failures of this kind in a row */
  readonly streak: number
  /** failures in a row since no usable token was held; 0 while one is */
  readonly withoutToken: number
  readonly failedAt: number
  readonly nextAttemptAt: number
  /** the delay already assumed requests were waiting */
  readonly waiting: boolean
}

/** The run of failures after `error`, and when to try again. */
export function nextFailure (previous: Failure | undefined, error: TokenError, held: { remainingMs: number, lifetimeMs: number }, waiting: boolean, now: number, random: () => number): Failure {
  const streak = previous !== undefined && previous.error.kind === error.kind ? previous.streak + 1 : 1
  // the backoff without a token starts over when the token runs out: failures while it was
  // held were spaced to its life, and now requests are refused until the next attempt
  const withoutToken = held.remainingMs > 0 ? 0 : (previous?.withoutToken ?? 0) + 1
  const step = error.kind === 'rejected' || held.remainingMs > 0 ? streak : withoutToken
  const delay = retryDelay({ kind: error.kind, streak: step, retryAfterMs: error.retryAfterMs, ...held, waiting }, random)
  return { error, streak, withoutToken, failedAt: now, nextAttemptAt: now + delay, waiting }
}
