// Maps transport failures (undici's stable UND_ERR_* codes and system errno codes, never
// message text) to the operator-facing errors of the registry.
import {
  BodyTooLarge, ClientClosed, isTlsCode, WAP_ERR_BODY_TOO_LARGE, WAP_ERR_UNEXPECTED, WAP_ERR_UPSTREAM_RESET, WAP_ERR_UPSTREAM_TIMEOUT,
  WAP_ERR_UPSTREAM_TLS, WAP_ERR_UPSTREAM_UNREACHABLE
} from '../errors.js'
import type { UpstreamFailure } from '../vocabulary.js'

export function classify (err: unknown): { kind: UpstreamFailure, code: string } {
  if (err instanceof BodyTooLarge) return { kind: 'too-large', code: 'BODY_LIMIT' }
  if (err instanceof ClientClosed) return { kind: 'client-gone', code: 'CLIENT_CLOSED' }
  const e = err as { code?: string, cause?: { code?: string } }
  const code = e.code ?? e.cause?.code ?? 'UNKNOWN'
  switch (code) {
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return { kind: 'timeout', code }
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
      return { kind: 'unreachable', code }
    case 'UND_ERR_SOCKET':
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_CLOSED':
      return { kind: 'reset', code }
    case 'UND_ERR_ABORTED':
    case 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH':
    case 'ERR_STREAM_PREMATURE_CLOSE':
      return { kind: 'client-gone', code }
  }
  if (isTlsCode(code)) return { kind: 'tls', code }
  return { kind: 'other', code }
}

export function errorFor (kind: UpstreamFailure, code: string, timeoutMs: number, bodyLimit: number): Error & { statusCode: number, code: string } {
  switch (kind) {
    case 'timeout': return new WAP_ERR_UPSTREAM_TIMEOUT(timeoutMs)
    case 'unreachable': return new WAP_ERR_UPSTREAM_UNREACHABLE(code)
    case 'tls': return new WAP_ERR_UPSTREAM_TLS(code)
    case 'reset': return new WAP_ERR_UPSTREAM_RESET()
    case 'too-large': return new WAP_ERR_BODY_TOO_LARGE(bodyLimit)
    default: return new WAP_ERR_UNEXPECTED()
  }
}
