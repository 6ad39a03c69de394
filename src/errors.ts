// Every error a user can meet, in one registry: a stable WAP_ERR_* code, the HTTP status it
// answers with and the operator-facing message. The code is in the envelope (errorCode) and on
// the event's log line (code), and each has a row in the README's Troubleshooting table (a test
// holds the two together). Messages say what went wrong and what to do; they never carry a
// secret, a token, a stack trace or an internal address.
import createError from '@fastify/error'

export const WAP_ERR_NOT_FOUND = createError(
  'WAP_ERR_NOT_FOUND',
  'Not found: only /api/v2/... and /report are forwarded to the Wavefront instance (plus /healthz, /readyz and /metrics served locally)',
  404
)

export const WAP_ERR_NO_TOKEN = createError(
  'WAP_ERR_NO_TOKEN',
  'No valid access token is available, so the request was not forwarded: %s',
  503
)

export const WAP_ERR_UPSTREAM_UNREACHABLE = createError(
  'WAP_ERR_UPSTREAM_UNREACHABLE',
  'The Wavefront instance could not be reached (%s): check WAVEFRONT_URL, DNS and any HTTPS_PROXY setting',
  502
)

export const WAP_ERR_UPSTREAM_TLS = createError(
  'WAP_ERR_UPSTREAM_TLS',
  'The Wavefront instance presented a TLS certificate that could not be verified (%s), so no token was sent: for a private CA set NODE_EXTRA_CA_CERTS to its PEM file',
  502
)

export const WAP_ERR_OUTBOUND_PROXY_REFUSED = createError(
  'WAP_ERR_OUTBOUND_PROXY_REFUSED',
  'The outbound proxy (HTTPS_PROXY or HTTP_PROXY) refused to open a connection to the Wavefront instance (HTTP %d): %s',
  502
)

/** What to do when an outbound proxy refuses a tunnel with `status`, to the instance or to CSP. */
export function outboundProxyAdvice (status: number): string {
  return status === 407
    ? 'it wants credentials: put them in the proxy URL, e.g. HTTPS_PROXY=http://user:password@proxy.example:3128 (percent-encode special characters)'
    : 'check that it allows this host, or list the host in NO_PROXY if it can be reached directly'
}

export const WAP_ERR_UPSTREAM_RESET = createError(
  'WAP_ERR_UPSTREAM_RESET',
  'The Wavefront instance closed the connection before answering: retry the request; if it keeps happening check the instance status',
  502
)

export const WAP_ERR_UPSTREAM_MALFORMED = createError(
  'WAP_ERR_UPSTREAM_MALFORMED',
  'The Wavefront instance sent %s, so its answer was not relayed: retry; if it persists, check the instance status and anything between it and the proxy (a load balancer, HTTPS_PROXY)',
  502
)

export const WAP_ERR_UPSTREAM_HEADERS_TOO_LARGE = createError(
  'WAP_ERR_UPSTREAM_HEADERS_TOO_LARGE',
  'The Wavefront instance sent response headers larger than %d bytes, so its answer was not relayed: check the instance and anything between it and the proxy; Node\'s --max-http-header-size raises the limit',
  502
)

export const WAP_ERR_UPSTREAM_TIMEOUT = createError(
  'WAP_ERR_UPSTREAM_TIMEOUT',
  'The Wavefront instance did not answer within %d ms: retry, narrow the query, or raise UPSTREAM_TIMEOUT_MS',
  504
)

export const WAP_ERR_BAD_REQUEST_TARGET = createError(
  'WAP_ERR_BAD_REQUEST_TARGET',
  'Refused request target: %s. Send origin-form paths under /api/v2/ or /report, without dot-segments, backslashes or double encoding',
  400
)

export const WAP_ERR_BODY_TOO_LARGE = createError(
  'WAP_ERR_BODY_TOO_LARGE',
  'Request body is larger than BODY_LIMIT (%d bytes): split the batch or raise BODY_LIMIT (0 disables the limit)',
  413
)

export const WAP_ERR_HOST_NOT_ALLOWED = createError(
  'WAP_ERR_HOST_NOT_ALLOWED',
  'Refused: the Host header names a host this proxy does not serve. Use localhost, 127.0.0.1 or [::1], or add the name to ALLOWED_HOSTS',
  421
)

export const WAP_ERR_ORIGIN_NOT_ALLOWED = createError(
  'WAP_ERR_ORIGIN_NOT_ALLOWED',
  'Refused: requests from web pages are not allowed (%s). Call the proxy from a script or tool, or add the origin to ALLOWED_ORIGINS',
  403
)

export const WAP_ERR_CLIENT_NOT_ALLOWED = createError('WAP_ERR_CLIENT_NOT_ALLOWED', 'Refused: this client address is not in ALLOWED_CLIENTS', 403)

export const WAP_ERR_READ_ONLY = createError('WAP_ERR_READ_ONLY', 'Refused: the proxy is read-only (READ_ONLY=true), so only GET and HEAD are forwarded', 403)

export const WAP_ERR_PATH_NOT_ALLOWED = createError('WAP_ERR_PATH_NOT_ALLOWED', 'Refused: this path is not in ALLOWED_PATHS', 403)

export const WAP_ERR_UPLOADS_BUSY = createError(
  'WAP_ERR_UPLOADS_BUSY',
  'All %d connections for streamed uploads (UPLOAD_CONNECTIONS) stayed busy for %d ms, so this upload was not forwarded: retry later; if uploads often wait, raise UPLOAD_CONNECTIONS',
  503
)

export const WAP_ERR_SHUTTING_DOWN = createError(
  'WAP_ERR_SHUTTING_DOWN',
  'The proxy is shutting down and takes no new requests: retry, and another replica or the restarted proxy will answer',
  503
)

export const WAP_ERR_UNEXPECTED = createError(
  'WAP_ERR_UNEXPECTED',
  'The proxy failed unexpectedly while handling the request: retry; if it persists, report it with the request id',
  500
)

export const WAP_ERR_MALFORMED_REQUEST = createError('WAP_ERR_MALFORMED_REQUEST', 'Malformed HTTP request: the proxy could not parse it', 400)

export const WAP_ERR_HEADERS_TOO_LARGE = createError('WAP_ERR_HEADERS_TOO_LARGE', 'Request headers are too large (over 16 KiB): send fewer or smaller headers', 431)

export const WAP_ERR_REQUEST_REJECTED = createError('WAP_ERR_REQUEST_REJECTED', '%s', 400)

/** Fastify's own refusal of a request (a 4xx found before our code ran), with its status and message. */
export function rejectedRequest (message: string, status: number): CodedError {
  return Object.assign(new WAP_ERR_REQUEST_REJECTED(message), { statusCode: status })
}

export const WAP_ERR_NOT_READY = createError('WAP_ERR_NOT_READY', 'not ready: %s', 503)

export const WAP_ERR_HOST_INVALID = createError(
  'WAP_ERR_HOST_INVALID',
  'Refused: %s. Send exactly one Host header naming localhost, 127.0.0.1, [::1] or a name in ALLOWED_HOSTS',
  400
)

export const WAP_ERR_TRANSFER_ENCODING = createError(
  'WAP_ERR_TRANSFER_ENCODING',
  'Refused: Transfer-Encoding %s is not supported. Send the body with Content-Length or Transfer-Encoding: chunked (compress it with Content-Encoding: gzip)',
  501
)

export const WAP_ERR_HTTP10_TRANSFER_ENCODING = createError(
  'WAP_ERR_HTTP10_TRANSFER_ENCODING',
  'Refused: an HTTP/1.0 request cannot carry Transfer-Encoding (RFC 9112 section 6.1), so where its body ends is ambiguous. Send HTTP/1.1, or the body with Content-Length',
  400
)

export const WAP_ERR_HEADERS_TIMEOUT = createError(
  'WAP_ERR_HEADERS_TIMEOUT',
  'The request headers did not arrive within HEADERS_TIMEOUT_MS (%d ms), so the connection was closed: send the request line and headers at once',
  408
)

export const WAP_ERR_BODY_TIMEOUT = createError(
  'WAP_ERR_BODY_TIMEOUT',
  'The request body %s, so the request was not forwarded and the connection was closed: send the body without pauses; BODY_TIMEOUT_MS and BODY_MIN_RATE set the limits',
  408
)

// Events that are logged, never answered: the `code` of their log line. A client meets their
// consequence under another code (a token failure as WAP_ERR_NO_TOKEN, say).

/** CSP refused the credentials (HTTP 400/401/403): retried slowly, from 15 s up to 5 minutes. */
export const WAP_ERR_CSP_REJECTED = 'WAP_ERR_CSP_REJECTED'
/** CSP could not be reached, failed, rate-limited or could not be verified: retried with backoff. */
export const WAP_ERR_CSP_FAILED = 'WAP_ERR_CSP_FAILED'
/** CSP did not answer a token request within CSP_TIMEOUT_MS: retried with backoff. */
export const WAP_ERR_CSP_TIMEOUT = 'WAP_ERR_CSP_TIMEOUT'
/** The instance answered 401 to the current token: a new one is fetched. */
export const WAP_ERR_TOKEN_REJECTED = 'WAP_ERR_TOKEN_REJECTED'
/** A mounted credential file could not be read: the last value read stays in use. */
export const WAP_ERR_SECRET_FILE_UNREADABLE = 'WAP_ERR_SECRET_FILE_UNREADABLE'
/** Requests still in flight when SHUTDOWN_GRACE_MS ran out: their connections were closed. */
export const WAP_ERR_DRAIN_TIMEOUT = 'WAP_ERR_DRAIN_TIMEOUT'
/** TOKEN_OUTPUT_FILE was emptied: the token ran out with no successor, was rejected, or the proxy stopped. */
export const WAP_ERR_TOKEN_FILE_EMPTIED = 'WAP_ERR_TOKEN_FILE_EMPTIED'
/** TOKEN_OUTPUT_FILE could not be written while running: retried with the next token. */
export const WAP_ERR_TOKEN_FILE_UNWRITABLE = 'WAP_ERR_TOKEN_FILE_UNWRITABLE'

/** An error of the registry: its stable code, the status it answers with and its message. */
export type CodedError = Error & { readonly statusCode: number, readonly code: string }
