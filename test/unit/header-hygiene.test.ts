// Header hygiene as pure functions: no client credential reaches the instance, in any case or
// number; hop-by-hop headers stop in both directions; the instance's cookies and CORS stop too.
import type { IncomingHttpHeaders } from 'node:http'
import t from 'tap'
import { clientResponseHeaders, upstreamRequestHeaders } from '../../src/forward/headers.js'

/** Headers as Node parses them from the wire: names in lower case, repeats joined
 * (Cookie with "; ", the rest with ", "); the integration tests send them on a real socket. */
function parsed (raw: string[]): IncomingHttpHeaders {
  const out: Record<string, string> = {}
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase()
    const value = raw[i + 1] as string
    out[name] = out[name] === undefined ? value : `${out[name]}${name === 'cookie' ? '; ' : ', '}${value}`
  }
  return out
}

t.test('Authorization, X-AUTH-TOKEN (any case, repeated), Cookie and Proxy-Authorization never go upstream', async (t) => {
  const incoming = parsed([
    'Authorization', 'Bearer old-client-token',
    'X-AUTH-TOKEN', 'Bearer a411c16b-3cf7-4f03-bf11-8ca05aab898d',
    'x-auth-token', 'second-copy',
    'X-Auth-Token', 'third',
    'Cookie', 'JSESSIONID=abc',
    'cookie', 'b=2',
    'Proxy-Authorization', 'Basic eDp5',
    'Accept', 'application/json',
    'User-Agent', 'Swagger-Codegen/2.219.6/python',
    'X-WF-PROXY-ID', '6a0a3bd7-1f0a-4d5e-9d1b-0c1d2e3f4a5b'
  ])
  const out = upstreamRequestHeaders(incoming, 'example.wavefront.com', 'Bearer proxy-token', 'req-1')
  t.same(out, {
    accept: 'application/json',
    'user-agent': 'Swagger-Codegen/2.219.6/python',
    'x-wf-proxy-id': '6a0a3bd7-1f0a-4d5e-9d1b-0c1d2e3f4a5b',
    host: 'example.wavefront.com',
    authorization: 'Bearer proxy-token',
    'x-request-id': 'req-1'
  })
})

t.test('hop-by-hop headers and those a Connection header names are dropped; the rest pass as sent', async (t) => {
  const incoming = parsed(['Connection', 'keep-alive, X-Secret-Hop', 'Keep-Alive', 'timeout=5', 'TE', 'trailers', 'X-Secret-Hop', '1', 'Content-Encoding', 'gzip', 'Content-Type', 'application/octet-stream', 'Expect', '100-continue', 'Host', 'localhost:9191', 'X-Request-Id', 'theirs'])
  t.same(upstreamRequestHeaders(incoming, 'i.example', 'Bearer t', 'ours'), {
    'content-encoding': 'gzip', 'content-type': 'application/octet-stream', host: 'i.example', authorization: 'Bearer t', 'x-request-id': 'ours'
  })
})

t.test('answers: no Set-Cookie, no CORS, no hop-by-hop from the instance; Vary names Origin', async (t) => {
  const out = clientResponseHeaders({
    'content-type': 'application/json',
    'set-cookie': ['JSESSIONID=abc; Path=/; HttpOnly', 'AWSALB=x'],
    'access-control-allow-origin': '*',
    'access-control-allow-credentials': 'true',
    connection: 'keep-alive',
    'proxy-authenticate': 'Basic',
    vary: 'Accept-Encoding'
  }, 'req-2')
  t.same(out, { 'content-type': 'application/json', 'x-request-id': 'req-2', vary: 'Accept-Encoding, Origin' })
  t.equal(clientResponseHeaders({ vary: '*' }, 'r').vary, '*')
  t.equal(clientResponseHeaders({}, 'r').vary, 'Origin')
})
