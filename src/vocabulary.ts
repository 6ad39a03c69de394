// The shared names of the proxy: routes, refusal reasons, failure kinds and the token contract.
// Every module may import this one and it imports nothing of ours, so imports flow one way.

/** The routes forwarded to the instance. */
export type ForwardedRoute = 'api' | 'report'

/** Which part of the proxy answered: a fixed set, safe as a metric label. */
export type RouteName = ForwardedRoute | 'healthz' | 'readyz' | 'metrics' | 'none'

/** Why the guards refused a forwarded request. */
export type RefusalReason = 'bad_target' | 'framing' | 'host' | 'origin' | 'client' | 'read_only' | 'path'

/** Every reason a request is answered locally without reaching the instance (refused_total{reason}). */
export type LocalRefusal = RefusalReason | 'not_found' | 'no_token' | 'body_too_large' | 'uploads_busy' | 'shutting_down' | SlowClient

/** A client too slow to be served: its connection is closed (refused_total{reason}). */
export type SlowClient = 'headers_timeout' | 'body_stalled' | 'body_too_slow'

/** One request, answered: forwarded or answered locally. The completion event feeds the access log and the metrics. */
export interface Completion {
  readonly requestId: string
  readonly method: string
  readonly route: RouteName
  /** the request target without its query string, which may be long or sensitive */
  readonly path: string
  readonly status: number
  readonly ms: number
  /** body bytes sent to the client */
  readonly bytes: number
  /** the connection closed before the answer was complete */
  readonly aborted: boolean
  /** the WAP_ERR_* code of a local answer or a failure; undefined when the instance answered */
  readonly code?: string | undefined
}

/** What the forwarding path reports, to the metrics, the access log and the runtime tuning. */
export interface ForwardObserver {
  /** a request is over, answered in full or not */
  readonly completed?: (completion: Completion) => void
  /** answered locally, never reaching the instance */
  readonly refused?: (reason: LocalRefusal) => void
  /** the instance answered (status), after `seconds` */
  readonly upstreamAnswered?: (route: ForwardedRoute, method: string, status: number, seconds: number) => void
  /** a request was replayed with a new token after the instance refused the old one */
  readonly retriedAfter401?: () => void
  /** forwarding failed before or during the answer */
  readonly upstreamFailed?: (kind: UpstreamFailure) => void
  /** body bytes passed through, either way */
  readonly bodyBytes?: (bytes: number) => void
}

/** How forwarding to the instance failed (upstream_errors_total{kind}). */
export type UpstreamFailure = 'timeout' | 'unreachable' | 'proxy-refused' | 'tls' | 'reset' | 'malformed' | 'headers-too-large' | 'length-mismatch' |
  'too-large' | 'client-gone' | 'other'

/** Why a token could not be obtained; drives the retry policy and the metrics outcome. */
export type TokenFailureKind = 'rejected' | 'error' | 'timeout'

export type CredentialMode = 'csp-app' | 'csp-api-token' | 'static-token'

export interface Token {
  /** the opaque bearer value: never logged */
  readonly value: string
  readonly obtainedAt: number
  readonly lifetimeMs: number
  readonly usableUntil: number
  readonly refreshAt: number
}

export type TokenFetchOutcome = 'success' | TokenFailureKind

export interface TokenObserver {
  fetched?: (outcome: TokenFetchOutcome, durationMs: number) => void
  /** the token sent from now on: a new one, or none when the held one was dropped (a 401) */
  tokenChanged?: (token: Token | undefined) => void
}

export interface Readiness {
  readonly ready: boolean
  readonly reason?: string
  readonly expiresInMs?: number
}

/** What the forwarding path needs from any credential mode. */
export interface TokenProvider {
  start: () => void
  /** a usable token now, without waiting: the hot path */
  peek: () => Token | undefined
  /** a usable token, waiting for a fetch already in flight; rejects with TokenUnavailable */
  get: () => Promise<Token>
  /** the instance answered 401 with this token; true when a different token is (or soon will be) available */
  reject: (token: Token) => boolean
  readiness: () => Readiness
  /** a mounted credential file changed: use the new value without a restart */
  credentialsChanged: () => void
  close: () => void
}
