// Header hygiene at the boundary: hop-by-hop headers (RFC 9110 §7.6.1) and any header a
// Connection header names stop here in both directions; Host becomes the instance's. The
// proxy owns authentication: every credential a client sends (Authorization, the API spec's
// X-AUTH-TOKEN, cookies) stops here and the proxy's bearer token goes instead, and no session
// cookie of the instance's reaches a client. CORS is the proxy's alone: whatever the instance
// says about browsers is dropped, so no answer can carry a permissive Access-Control header.
import type { IncomingHttpHeaders } from 'node:http'

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']

/** Client credentials: a leftover key would travel beside the proxy's token, and the instance may prefer it. */
const CLIENT_CREDENTIAL_HEADERS = ['authorization', 'x-auth-token', 'cookie', 'proxy-authorization']

// expect: node already answered 100-continue to the client. Node gives each name in lower case,
// repeats joined, so one lookup per name removes every spelling and every copy.
const DROP_FROM_REQUEST = new Set([...HOP_BY_HOP, ...CLIENT_CREDENTIAL_HEADERS, 'host', 'expect', 'x-request-id'])
// set-cookie: a session of the instance's, made with the proxy's credential, must not reach a caller.
const DROP_FROM_RESPONSE = new Set([...HOP_BY_HOP, 'proxy-authenticate', 'set-cookie', 'x-request-id'])

export function upstreamRequestHeaders (incoming: IncomingHttpHeaders, host: string, bearer: string, requestId: string): Record<string, string | string[]> {
  const named = connectionNamed(incoming.connection)
  const out: Record<string, string | string[]> = {}
  for (const name in incoming) {
    const value = incoming[name]
    if (value === undefined || DROP_FROM_REQUEST.has(name) || (named !== undefined && named.has(name))) continue
    out[name] = value
  }
  out.host = host
  out.authorization = bearer
  out['x-request-id'] = requestId
  return out
}

/** The instance's response headers as the client gets them, with our X-Request-Id. */
export function clientResponseHeaders (upstream: IncomingHttpHeaders, requestId: string): Record<string, string | string[]> {
  const named = connectionNamed(upstream.connection)
  const out: Record<string, string | string[]> = {}
  for (const name in upstream) {
    const value = upstream[name]
    if (value === undefined || DROP_FROM_RESPONSE.has(name) || name.startsWith('access-control-') || (named !== undefined && named.has(name))) continue
    out[name] = value
  }
  out['x-request-id'] = requestId
  // Answers differ by Origin (refused, or naming an allowed one), whatever the instance varies on.
  out.vary = varyWithOrigin(upstream.vary)
  return out
}

function varyWithOrigin (vary: string | string[] | undefined): string {
  const joined = Array.isArray(vary) ? vary.join(', ') : vary ?? ''
  if (joined.trim() === '') return 'Origin'
  return /(?:^|,)\s*(?:origin|\*)\s*(?:,|$)/i.test(joined) ? joined : `${joined}, Origin`
}

/** Header names listed in a Connection header; undefined in the usual case of none. */
function connectionNamed (connection: string | string[] | undefined): Set<string> | undefined {
  // the usual values, on every kept-alive response: nothing to strip beyond Connection itself
  if (connection === undefined || connection === 'keep-alive' || connection === 'close') return undefined
  const names = (Array.isArray(connection) ? connection.join(',') : connection).toLowerCase().split(',')
  const set = new Set<string>()
  for (const n of names) {
    const t = n.trim()
    if (t !== '' && t !== 'close' && t !== 'keep-alive') set.add(t)
  }
  return set.size === 0 ? undefined : set
}
