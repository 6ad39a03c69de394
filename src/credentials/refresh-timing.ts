// When to stop using a token, when to refresh it, and how long to wait after a failure.
// Every figure scales with the token lifetime, so 30-minute and 2-second tokens both work.
import type { TokenFailureKind } from '../vocabulary.js'

export interface TokenTimes {
  /** the last moment the token may be sent: before the real expiry, so requests in flight arrive in time */
  readonly usableUntil: number
  /** when the background refresh starts */
  readonly refreshAt: number
}

const MAX_SKEW_MS = 30_000
const MAX_LEAD_MS = 180_000

/** `requestedAt` is when the token request was sent: CSP's clock started no earlier. */
export function tokenTimes (requestedAt: number, lifetimeMs: number): TokenTimes {
  const skew = Math.min(lifetimeMs * 0.1, MAX_SKEW_MS)
  const lead = Math.min(lifetimeMs * 0.25, MAX_LEAD_MS)
  const usableUntil = requestedAt + lifetimeMs - skew
  return { usableUntil, refreshAt: usableUntil - lead }
}

/** A 401 from the instance refreshes the token at most this often: when fresh tokens are refused
 * too (a permission problem, not a revocation), refetching per request would hammer CSP. */
export const MIN_REJECTION_REFRESH_INTERVAL_MS = 10_000

export interface BackoffPolicy {
  readonly baseMs: number
  readonly capMs: number
}

/** Rejected credentials are retried slowly (an operator may be fixing the Secret right now);
 * transient failures quickly. */
export const BACKOFF: Readonly<Record<TokenFailureKind, BackoffPolicy>> = {
  rejected: { baseMs: 15_000, capMs: 300_000 },
  error: { baseMs: 1_000, capMs: 30_000 },
  timeout: { baseMs: 1_000, capMs: 30_000 }
}

const MAX_RETRY_AFTER_MS = 600_000

/** Capped exponential backoff with equal jitter; a server's Retry-After is a floor. */
export function backoffDelay (policy: BackoffPolicy, failures: number, retryAfterMs: number | undefined, random: () => number = Math.random): number {
  const exp = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, failures - 1))
  const jittered = exp / 2 + random() * (exp / 2)
  return Math.round(Math.max(jittered, Math.min(retryAfterMs ?? 0, MAX_RETRY_AFTER_MS)))
}
