// Failures passed between modules as thrown errors. Each ends as an answer of the registry in
// errors.ts or as a log line with one of its codes; none is shown to a client as it is.
import { WAP_ERR_CSP_FAILED, WAP_ERR_CSP_REJECTED, WAP_ERR_CSP_TIMEOUT, type CodedError } from './errors.js'
import type { LocalRefusal, TokenFailureKind } from './vocabulary.js'

/** A configuration that cannot work: the process exits with code 2 before listening. */
export class ConfigError extends Error {
  readonly problems: readonly string[]
  constructor (problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
    this.problems = problems
  }
}

/** The code each kind of token failure is logged with. */
export const TOKEN_FAILURE_CODES: Readonly<Record<TokenFailureKind, string>> = {
  rejected: WAP_ERR_CSP_REJECTED,
  error: WAP_ERR_CSP_FAILED,
  timeout: WAP_ERR_CSP_TIMEOUT
}

export class TokenError extends Error {
  readonly kind: TokenFailureKind
  /** the stable code of this failure, for the log line */
  readonly code: string
  readonly status: number | undefined
  readonly retryAfterMs: number | undefined
  constructor (kind: TokenFailureKind, message: string, opts: { status?: number, retryAfterMs?: number } = {}) {
    super(message)
    this.name = 'TokenError'
    this.kind = kind
    this.code = TOKEN_FAILURE_CODES[kind]
    this.status = opts.status
    this.retryAfterMs = opts.retryAfterMs
  }
}

/** No usable token for a request: answered 503 with Retry-After. */
export class TokenUnavailable extends Error {
  readonly retryAfterSeconds: number
  constructor (reason: string, retryAfterMs: number) {
    super(reason)
    this.name = 'TokenUnavailable'
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000))
  }
}

export class BodyTooLarge extends Error {
  readonly limit: number
  constructor (limit: number) {
    super('request body exceeds BODY_LIMIT')
    this.name = 'BodyTooLarge'
    this.limit = limit
  }
}

/** The client went away: the upstream request is cancelled with this, and nobody is told. */
export class ClientClosed extends Error {
  constructor () {
    super('the client closed the connection')
    this.name = 'ClientClosed'
  }
}

/** A request body stalled or trickled below BODY_MIN_RATE: reading it is given up. */
export class BodyTimeout extends Error {
  readonly reason: 'body_stalled' | 'body_too_slow'
  constructor (reason: 'body_stalled' | 'body_too_slow') {
    super(reason === 'body_stalled' ? 'the request body stalled' : 'the request body arrived too slowly')
    this.name = 'BodyTimeout'
    this.reason = reason
  }
}

/** TLS verification failures, by code: both the instance and CSP report them the same way. */
export function isTlsCode (code: string): boolean {
  return /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|HOSTNAME|ALTNAME/.test(code)
}

/** The status an outbound proxy (HTTP_PROXY, HTTPS_PROXY) refused a CONNECT tunnel with, when
 * that is the failure: undici says so only in the message of its UND_ERR_ABORTED error. */
export function tunnelRefusalStatus (err: unknown): number | undefined {
  const e = (err ?? {}) as { code?: unknown, message?: unknown }
  if (e.code !== 'UND_ERR_ABORTED' || typeof e.message !== 'string') return undefined
  const status = /^Proxy response \((\d{3})\)/.exec(e.message)?.[1]
  return status === undefined ? undefined : Number(status)
}

/** A request turned away before it reached a connection to the instance: answered with `answer`
 * (the body unread, so with a lingering close), counted as refused for `reason`. */
export class NotSent extends Error {
  readonly answer: CodedError
  readonly reason: LocalRefusal
  readonly retryAfterSeconds: number
  constructor (answer: CodedError, reason: LocalRefusal, retryAfterSeconds: number) {
    super(answer.message)
    this.name = 'NotSent'
    this.answer = answer
    this.reason = reason
    this.retryAfterSeconds = retryAfterSeconds
  }
}
