// Malformed HTTP/1.1 requests from a PRNG: junk methods, odd targets, dot-segment spellings,
// control characters, oversized or duplicated headers, foreign Hosts and Origins, broken chunked
// encodings, truncated bodies and requests smuggled after a body. Each part is usually plausible
// and sometimes hostile, so that many requests get far enough to be forwarded.

/** The BODY_LIMIT the proxy under fuzz runs with: bodies are drawn around it. */
export const BODY_LIMIT = 4096

export type Rand = () => number

const METHODS = ['GET', 'GET', 'GET', 'POST', 'POST', 'POST', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT', 'PROPFIND', 'FOO', 'get', 'G\tET', '', '\u0000GET', 'M-SEARCH', 'PRI']
const PREFIXES = ['/api/v2/', '/api/v2/', '/api/v2/', '/report', '/report?f=wavefront', '/', '/api/v1/', '/API/v2/', '/healthz', '/metrics', '/%61pi/v2/', '/api%2fv2/',
  'http://elsewhere.example/api/v2/', 'https://127.0.0.1/report', '*', '//elsewhere.example/', 'elsewhere.example:443', '', '\\api\\v2\\', '/api/v2']
const SEGMENTS = ['source', 'alert', 'event', 'echo', '..', '.', '%2e%2e', '%2E%2e', '.%2e', '%2e.', '%2e', '..;', '..%3b', '%2e%2e;x=1', '%2f', '%2F..', '%5c', '%5C..', '\\..',
  '%00', '%252e%252e', '%252f', 'a%2fb', '#', '#/../x', '?q=../..', '?x=%00', '%zz', '%c0%ae%c0%ae', '%', 'é', '\u0000', '\u0001', '\u007f', ' ', '\t', '~user', ';jsessionid=1',
  '...', 'a..b', '.well-known', '', '%u002e', '%ef%bc%8e%ef%bc%8e']
const VERSIONS = ['HTTP/1.1', 'HTTP/1.1', 'HTTP/1.1', 'HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1 x', 'HTTP/9.9', 'http/1.1', '']
const SMUGGLED = ['GET /api/v2/%2e%2e/admin HTTP/1.1\r\nHost: localhost\r\n\r\n', 'GET /admin HTTP/1.1\r\nHost: localhost\r\n\r\n',
  'GET /api/v2/source HTTP/1.1\r\nHost: evil.example\r\n\r\n', 'GET http://elsewhere.example/ HTTP/1.1\r\nHost: localhost\r\n\r\n', 'X']

export interface Case {
  readonly bytes: Buffer
  readonly head: boolean
  /** built to stop short of a complete message: sent, then the socket is closed */
  readonly truncated: boolean
}

export function makeCase (r: Rand, port: number): Case {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(r() * list.length)] as T
  const either = <T>(plain: readonly T[], hostile: readonly T[]): T => pick(r() < 0.7 ? plain : hostile)
  const eol = r() < 0.05 ? '\n' : '\r\n'
  const method = either(['GET', 'POST', 'HEAD', 'PUT', 'DELETE'], METHODS)
  const segments = Array.from({ length: Math.floor(r() * 4) }, () => either(['source', 'alert', 'echo', 'event', 'a..b', '...', '%20'], SEGMENTS))
  const target = either(['/api/v2/', '/report?f=wavefront'], PREFIXES) + segments.join('/')
  const headers: string[] = []
  const host = either(['localhost', `127.0.0.1:${port}`, '[::1]'], ['LOCALHOST:1', 'evil.example', 'localhost.evil.example', '', '[::1]evil', 'localhost\u0000', 'none', 'twice'])
  if (host === 'twice') headers.push('Host: localhost', 'Host: evil.example')
  else if (host !== 'none') headers.push(`Host: ${host}`)
  const extras = ['Origin: https://evil.example', 'Origin: null', 'Sec-Fetch-Site: cross-site', 'Sec-Fetch-Site: none', 'Authorization: Bearer attacker-token',
    'Proxy-Authorization: Basic eDp5', 'Connection: keep-alive, X-Drop', 'Connection: close', 'Upgrade: websocket\r\nConnection: Upgrade', 'Expect: 100-continue',
    `X-Big: ${'a'.repeat(8000 + Math.floor(r() * 12000))}`, 'X-Dup: 1\r\nX-Dup: 2', Array.from({ length: 200 }, (_, i) => `X-N${i}: v`).join('\r\n'),
    'X-Ctl: a\u0001b', 'Bad Name: x', ' X-Folded: x', 'X-Forwarded-Host: evil.example', 'Access-Control-Request-Method: POST', 'X-Request-Id: ../../etc/passwd',
    'Content-Type: application/json', 'Content-Encoding: gzip', 'X-Utf8: é']
  for (let n = Math.floor(r() * 4); n > 0; n--) headers.push(pick(extras))
  const body = makeBody(r, pick)
  headers.push(...body.headers)
  let text = `${method} ${target} ${either(['HTTP/1.1'], VERSIONS)}`.trimEnd() + eol + headers.map((h) => h + eol).join('') + eol + body.text
  let truncated = body.truncated
  if (r() < 0.05) {
    text = text.slice(0, Math.floor(r() * text.length)) // cut anywhere, even mid-header
    truncated = true
  }
  return { bytes: Buffer.from(text, 'latin1'), head: method === 'HEAD', truncated }
}

function makeBody (r: Rand, pick: <T>(list: readonly T[]) => T): { headers: string[], text: string, truncated: boolean } {
  const data = (n: number): string => 'cpu.load 0.5 source=web-1\n'.repeat(Math.ceil(n / 26)).slice(0, n)
  const size = pick([0, 1, 26, 1000, BODY_LIMIT, BODY_LIMIT + 1, 6000])
  switch (pick(['none', 'none', 'exact', 'exact', 'short', 'extra', 'bad-length', 'chunked', 'chunked', 'bad-hex', 'no-end', 'overlong-chunk', 'odd-te', 'both', 'chunked-smuggle'])) {
    case 'exact': return { headers: [`Content-Length: ${size}`], text: data(size), truncated: false }
    case 'short': return { headers: [`Content-Length: ${size + 10}`], text: data(size), truncated: true }
    case 'extra': return { headers: [`Content-Length: ${size}`], text: data(size) + pick(SMUGGLED), truncated: false }
    case 'bad-length': return { headers: [pick(['Content-Length: abc', 'Content-Length: -1', 'Content-Length: 1e3', 'Content-Length: 5 5', 'Content-Length: 5\r\nContent-Length: 6', 'Content-Length: 99999999999999999999'])], text: data(5), truncated: false }
    case 'chunked': {
      const chunks = Array.from({ length: 1 + Math.floor(r() * 3) }, () => data(size))
      const ext = r() < 0.3 ? ';ext=1' : ''
      const trailer = r() < 0.3 ? 'X-Trailer: 1\r\n' : ''
      return { headers: ['Transfer-Encoding: chunked'], text: chunks.map((c) => `${c.length.toString(16)}${ext}\r\n${c}\r\n`).join('') + `0\r\n${trailer}\r\n`, truncated: false }
    }
    case 'bad-hex': return { headers: ['Transfer-Encoding: chunked'], text: `zz\r\n${data(5)}\r\n0\r\n\r\n`, truncated: false }
    case 'no-end': return { headers: ['Transfer-Encoding: chunked'], text: `${size.toString(16)}\r\n${data(size)}\r\n`, truncated: true }
    case 'overlong-chunk': return { headers: ['Transfer-Encoding: chunked'], text: `2\r\n${data(size + 3)}\r\n0\r\n\r\n`, truncated: false }
    case 'odd-te': return { headers: [pick(['Transfer-Encoding: gzip, chunked', 'Transfer-Encoding: chunked, gzip', 'Transfer-Encoding: identity', 'Transfer-Encoding: Chunked', 'Transfer-Encoding:  chunked', 'Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked'])], text: `5\r\n${data(5)}\r\n0\r\n\r\n`, truncated: false }
    case 'both': return { headers: ['Content-Length: 5', 'Transfer-Encoding: chunked'], text: `5\r\n${data(5)}\r\n0\r\n\r\n`, truncated: false }
    case 'chunked-smuggle': return { headers: ['Transfer-Encoding: chunked'], text: `5\r\n${data(5)}\r\n0\r\n\r\n${pick(SMUGGLED)}`, truncated: false }
    default: return { headers: [], text: '', truncated: false }
  }
}
