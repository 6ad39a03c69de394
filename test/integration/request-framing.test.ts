// Where a request body ends must be unambiguous, or the bytes after it could be read as a
// request the client never framed (request smuggling). HTTP/1.0 has no chunked coding (RFC 9112
// §6.1): any Transfer-Encoding there is refused and the connection closed, whatever follows.
import t from 'tap'
import { call } from '../helpers/http.js'
import { rawConversation } from '../helpers/raw.js'
import { startStack } from '../helpers/stack.js'

const HTTP10_TE = 'Refused: an HTTP/1.0 request cannot carry Transfer-Encoding (RFC 9112 section 6.1), so where its body ends is ambiguous. Send HTTP/1.1, or the body with Content-Length'
const SMUGGLED = 'GET /api/v2/alert HTTP/1.1\r\nHost: localhost\r\n\r\n'

function answers (conversation: string): Array<{ status: number, message: string | undefined }> {
  return [...conversation.matchAll(/HTTP\/1\.[01] (\d{3}) [^\r]*\r\n(?:[^\r]+\r\n)*\r\n(\{[^\n]*?\}\}|\{[^\n]*?"response":)?/g)].map((m) => {
    const body = m[2]?.endsWith('}}') === true ? JSON.parse(m[2]) as { status?: { message?: string } } : undefined
    return { status: Number(m[1]), message: body?.status?.message }
  })
}

t.test('HTTP/1.0 with Transfer-Encoding: 400 in the envelope, the connection closed, nothing after the body read', async (t) => {
  const { proxy, instance } = await startStack(t)
  const cases: Array<[string, string]> = [
    ['chunked, keep-alive, a request after the body', `POST /api/v2/event HTTP/1.0\r\nHost: localhost\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n${SMUGGLED}`],
    ['chunked, keep-alive, a request inside what chunked would call the body', `POST /api/v2/event HTTP/1.0\r\nHost: localhost\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n${(SMUGGLED.length).toString(16)}\r\n${SMUGGLED}\r\n0\r\n\r\n`],
    ['chunked without keep-alive', 'POST /report HTTP/1.0\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'],
    ['chunked in another case, GET', `GET /api/v2/source HTTP/1.0\r\nHost: localhost\r\nConnection: keep-alive\r\nTransfer-Encoding: CHUNKED\r\n\r\n0\r\n\r\n${SMUGGLED}`],
    ['another coding', 'POST /report HTTP/1.0\r\nHost: localhost\r\nConnection: keep-alive\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n']
  ]
  for (const [what, bytes] of cases) {
    const conversation = await rawConversation(proxy.port, bytes)
    t.same(answers(conversation), [{ status: 400, message: HTTP10_TE }], `${what}: one answer, then the connection closed`)
    t.match(conversation, /\r\nconnection: close\r\n/i, `${what}: says it closes`)
  }
  t.same(instance.received, [], 'nothing reached the instance')
  const metrics = (await call(`${proxy.url}/metrics`)).text
  t.match(metrics, /wavefront_auth_proxy_refused_total\{reason="framing"\} 5\n/)
})

t.test('HTTP/1.0 with both Content-Length and Transfer-Encoding: refused, never forwarded', async (t) => {
  const { proxy, instance } = await startStack(t)
  const conversation = await rawConversation(proxy.port, `POST /report HTTP/1.0\r\nHost: localhost\r\nConnection: keep-alive\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`)
  t.same(answers(conversation).map((a) => a.status), [400])
  t.same(instance.received, [])
})

t.test('neighbours that stay as they are: HTTP/1.0 with Content-Length, HTTP/1.1 chunked then a pipelined request', async (t) => {
  const { proxy, instance } = await startStack(t)
  const http10 = await rawConversation(proxy.port, 'POST /report?f=wavefront HTTP/1.0\r\nHost: localhost\r\nContent-Length: 5\r\n\r\ncpu 1')
  t.same(answers(http10).map((a) => a.status), [202], 'HTTP/1.0 with Content-Length is forwarded')
  const http11 = await rawConversation(proxy.port, 'POST /report?f=wavefront HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n5\r\ncpu 1\r\n0\r\n\r\nGET /api/v2/alert HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')
  t.same(answers(http11).map((a) => a.status), [202, 200], 'HTTP/1.1 chunked then a pipelined GET: both, as the client framed them')
  t.same(instance.received.map((r) => `${r.method} ${r.url} ${r.bodyBytes}`).sort(), ['GET /api/v2/alert 0', 'POST /report?f=wavefront 5', 'POST /report?f=wavefront 5'])
})
