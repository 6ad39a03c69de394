// Request-target and framing hygiene, for every request: only origin-form paths with nothing
// that could normalise somewhere else, and bodies framed in a way the proxy forwards faithfully.
import type { IncomingMessage } from 'node:http'
import { WAP_ERR_BAD_REQUEST_TARGET, WAP_ERR_HTTP10_TRANSFER_ENCODING, WAP_ERR_TRANSFER_ENCODING, type CodedError } from '../errors.js'
import type { RefusalReason } from '../vocabulary.js'

export interface Refusal { readonly reason: RefusalReason, readonly error: CodedError }

/** Request-target hygiene, for every request: only origin-form paths with nothing that could
 * normalise somewhere else. Forwarded targets are sent upstream byte for byte, so what passes
 * here is exactly what the instance sees. */
export function checkTarget (url: string): Refusal | undefined {
  const problem = targetProblem(url)
  return problem === undefined ? undefined : badTarget(problem)
}

/** For the forwarded routes, also: the prefix is spelled literally. The router decodes
 * (/%61pi/v2/ finds the /api/v2/ route) but the target is forwarded as sent. */
export function checkForwardedTarget (url: string): Refusal | undefined {
  return checkTarget(url) ?? (FORWARDED_PREFIX.test(url) ? undefined : badTarget('a percent-encoded /api/v2/ or /report prefix'))
}

const FORWARDED_PREFIX = /^(?:\/api\/v2\/|\/report(?:\?|$))/
/** A forwarded prefix as the first segments of a path, to spot one spelled with %2F. */
const PREFIX_SPELLED = /^\/(?:api\/v2|report)(?:\/|$)/

function badTarget (problem: string): Refusal {
  return { reason: 'bad_target', error: new WAP_ERR_BAD_REQUEST_TARGET(problem) }
}

/** A request target without its query string. */
export function pathOf (url: string): string {
  const q = url.indexOf('?')
  return q < 0 ? url : url.slice(0, q)
}

/** A path with none of the characters the checks below look for: the usual request, in one scan. */
const ORDINARY_TARGET = /^\/[^\u0000-\u001f\u007f#%\\.]*$/

function targetProblem (url: string): string | undefined {
  if (ORDINARY_TARGET.test(url)) return undefined
  if (url.charCodeAt(0) !== 47 /* / */) return 'not an origin-form path (absolute URLs and CONNECT are not proxied)'
  if (/[\u0000-\u001f\u007f]|%00/i.test(url)) return 'control characters or NUL bytes'
  if (url.includes('#')) return 'a fragment (#) in the request target'
  const path = pathOf(url)
  if (!/[%\\.]/.test(path)) return undefined // nothing that could encode or spell another path
  if (path.includes('\\') || /%5c/i.test(path)) return 'a backslash in the path'
  if (/%(?:[01][0-9a-f]|7f)/i.test(path)) return 'control characters or NUL bytes'
  if (path.includes('%25') && doubleEncoded(path)) return 'double percent-encoding in the path'
  if (/%2f/i.test(path)) {
    // Free-text ids (event names) may hold an encoded slash, forwarded as sent; never where it
    // would make or end a forwarded prefix, or right after a / (an empty segment once decoded).
    if (/(?:^|\/)%2f/i.test(path)) return 'an encoded slash (%2F) at the start of a path segment'
    if (!PREFIX_SPELLED.test(path) && PREFIX_SPELLED.test(path.replace(/%2f/gi, '/'))) return 'an encoded slash (%2F) in the /api/v2/ or /report prefix'
  }
  // Each segment as a server may read it: split at / and %2F, ;parameters dropped (servlet
  // containers do that before resolving dot-segments: /..;/ is /../ to them), cut at an encoded
  // ? or # (a server decoding and parsing again reads /..%3F as /..), %2E decoded.
  for (const segment of path.split(/\/|%2f/i)) {
    const s = segment.split(/;|%3b|%3f|%23/i, 1)[0]?.replace(/%2e/gi, '.')
    if (s === '.' || s === '..') return 'a dot-segment (. or ..) in the path'
  }
  return undefined
}

/** After one percent-decoding the path still holds an escape of a character that matters:
 * a server decoding twice would read a dot, slash, backslash, semicolon, ?, #, percent or control. */
function doubleEncoded (path: string): boolean {
  let once: string
  try {
    once = decodeURIComponent(path)
  } catch {
    return true // malformed: the router refuses these before us, but never forward one
  }
  return /%(?:2e|2f|5c|3b|3f|23|25|[01][0-9a-f]|7f)/i.test(once)
}

/** Message framing the proxy can forward faithfully: a body is sent with Content-Length or
 * plain chunked; any other transfer coding would be silently dropped on the way upstream.
 * HTTP/1.0 has no chunked coding: RFC 9112 §6.1 makes any Transfer-Encoding there faulty
 * framing, so the bytes after such a body must never be read as another request. */
export function checkFraming (req: Pick<IncomingMessage, 'headers' | 'httpVersionMinor'>): Refusal | undefined {
  const te = req.headers['transfer-encoding']
  if (te === undefined) return undefined
  if (req.httpVersionMinor === 0) return { reason: 'framing', error: new WAP_ERR_HTTP10_TRANSFER_ENCODING() }
  if (te.trim().toLowerCase() === 'chunked') return undefined
  return { reason: 'framing', error: new WAP_ERR_TRANSFER_ENCODING(JSON.stringify(te)) }
}
