// Maps transport failures (undici's stable UND_ERR_* codes, llhttp's parser errors and system
// errno codes, never free message text) to the operator-facing errors of the registry. Every
// way a broken instance can answer is its own kind, answered 502; 500 is kept for our defects.
import { maxHeaderSize } from 'node:http'
import { errors as undiciErrors } from 'undici'
import {
  outboundProxyAdvice, WAP_ERR_BODY_TOO_LARGE, WAP_ERR_OUTBOUND_PROXY_REFUSED, WAP_ERR_UNEXPECTED, WAP_ERR_UPSTREAM_HEADERS_TOO_LARGE,
  WAP_ERR_UPSTREAM_MALFORMED, WAP_ERR_UPSTREAM_RESET, WAP_ERR_UPSTREAM_TIMEOUT, WAP_ERR_UPSTREAM_TLS, WAP_ERR_UPSTREAM_UNREACHABLE, type CodedError
} from '../errors.js'
import { BodyTimeout, BodyTooLarge, ClientClosed, isTlsCode, tunnelRefusalStatus } from '../failures.js'
import type { UpstreamFailure } from '../vocabulary.js'

// undici's codes a broken or unreachable instance can cause (undici 7, lib/core/errors.js). The
// rest are ours to cause (UND_ERR_INVALID_ARG, _INVALID_RETURN_VALUE, _NOT_SUPPORTED, _DESTROYED),
// come from features not used here (_RES_EXCEEDED_MAX_SIZE, _REQ_RETRY, _RESPONSE, _BPL_*,
// _MAX_ORIGINS_REACHED, _SOCKS5, _WS_*), or mean the client left (_REQ_CONTENT_LENGTH_MISMATCH).
const KINDS: Readonly<Record<string, UpstreamFailure>> = {
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'unreachable',
  // aborted without a tunnel refusal (that is classified first); the client leaving aborts with ClientClosed
  UND_ERR_ABORTED: 'unreachable',
  UND_ERR_PRX_TLS: 'tls',
  ECONNREFUSED: 'unreachable',
  ENOTFOUND: 'unreachable',
  EAI_AGAIN: 'unreachable',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  EHOSTDOWN: 'unreachable',
  ENETDOWN: 'unreachable',
  EADDRNOTAVAIL: 'unreachable',
  ETIMEDOUT: 'unreachable',
  // "other side closed", "closed", a reused keep-alive socket the instance had dropped
  UND_ERR_SOCKET: 'reset',
  UND_ERR_CLOSED: 'reset',
  UND_ERR_INFO: 'reset',
  ECONNRESET: 'reset',
  ECONNABORTED: 'reset',
  EPIPE: 'reset',
  // response headers over Node's --max-http-header-size
  UND_ERR_HEADERS_OVERFLOW: 'headers-too-large',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'length-mismatch',
  // headers llhttp accepted but Node refuses to send on to the client
  ERR_INVALID_CHAR: 'malformed',
  ERR_INVALID_HTTP_TOKEN: 'malformed',
  ERR_HTTP_INVALID_HEADER_VALUE: 'malformed',
  UND_ERR_REQ_CONTENT_LENGTH_MISMATCH: 'client-gone',
  ERR_STREAM_PREMATURE_CLOSE: 'client-gone'
}

export function classify (err: unknown): { kind: UpstreamFailure, code: string } {
  if (err instanceof BodyTooLarge) return { kind: 'too-large', code: 'BODY_LIMIT' }
  if (err instanceof ClientClosed) return { kind: 'client-gone', code: 'CLIENT_CLOSED' }
  if (err instanceof BodyTimeout) return { kind: 'client-gone', code: 'BODY_TIMEOUT' } // the client was too slow: counted as refused
  // undici 7 leaves llhttp's errors without a code: the class and llhttp's fixed reason say what was wrong
  if (err instanceof undiciErrors.HTTPParserError) return { kind: 'malformed', code: parserCode(err) }
  const refusedWith = tunnelRefusalStatus(err)
  if (refusedWith !== undefined) return { kind: 'proxy-refused', code: `PROXY_${refusedWith}` }
  const e = (err ?? {}) as { code?: unknown, cause?: { code?: unknown } }
  const code = typeof e.code === 'string' ? e.code : typeof e.cause?.code === 'string' ? e.cause.code : 'UNKNOWN'
  const kind = KINDS[code]
  if (kind !== undefined) return { kind, code }
  if (code.startsWith('HPE_')) return { kind: 'malformed', code }
  if (isTlsCode(code)) return { kind: 'tls', code }
  return { kind: 'other', code }
}

/** HPE_<llhttp's reason>, e.g. HPE_INVALID_STATUS_CODE: llhttp's reasons are a fixed set of short phrases. */
function parserCode (err: Error & { code?: string }): string {
  if (typeof err.code === 'string') return err.code
  const reason = /\(([A-Za-z][A-Za-z0-9 -]{0,60})\)$/.exec(err.message)?.[1]
  return reason === undefined ? 'HPE_INVALID' : `HPE_${reason.trim().toUpperCase().replace(/[ -]+/g, '_')}`
}

export function errorFor (kind: UpstreamFailure, code: string, timeoutMs: number, bodyLimit: number): CodedError {
  switch (kind) {
    case 'timeout': return new WAP_ERR_UPSTREAM_TIMEOUT(timeoutMs)
    case 'unreachable': return new WAP_ERR_UPSTREAM_UNREACHABLE(code)
    case 'tls': return new WAP_ERR_UPSTREAM_TLS(code)
    case 'proxy-refused': {
      const status = Number(code.slice('PROXY_'.length))
      return new WAP_ERR_OUTBOUND_PROXY_REFUSED(status, outboundProxyAdvice(status))
    }
    case 'reset': return new WAP_ERR_UPSTREAM_RESET()
    case 'too-large': return new WAP_ERR_BODY_TOO_LARGE(bodyLimit)
    case 'headers-too-large': return new WAP_ERR_UPSTREAM_HEADERS_TOO_LARGE(maxHeaderSize)
    case 'malformed': return new WAP_ERR_UPSTREAM_MALFORMED(whatWasSent(code))
    case 'length-mismatch': return new WAP_ERR_UPSTREAM_MALFORMED('a body that does not match its Content-Length')
    default: return new WAP_ERR_UNEXPECTED()
  }
}

function whatWasSent (code: string): string {
  if (code.startsWith('HPE_')) return `a response that is not valid HTTP/1.1: ${code.slice(4).toLowerCase().replace(/_/g, ' ')}`
  return `a response header that cannot be relayed (${code})`
}
