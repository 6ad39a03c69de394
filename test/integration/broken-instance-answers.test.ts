// An instance (or a load balancer in front of it) that answers with something that is not
// HTTP is the instance's fault: 502 in the envelope saying what it sent, counted by kind,
// never the 500 kept for the proxy's own defects; the proxy keeps serving.
import t from 'tap'
import { call, envelopeMessage } from '../helpers/http.js'
import { startStack } from '../helpers/stack.js'

const CASES = [
  { name: 'a garbage status line', bytes: 'HTTP/1.1 ABC Garbage\r\ncontent-length: 2\r\n\r\n{}', kind: 'malformed', message: /sent a response that is not valid HTTP\/1\.1: invalid (status|response status)/i },
  { name: 'no HTTP at all', bytes: 'SSH-2.0-OpenSSH_9.6\r\n', kind: 'malformed', message: /sent a response that is not valid HTTP\/1\.1/ },
  { name: 'a 1 MiB response header', bytes: `HTTP/1.1 200 OK\r\nx-big: ${'a'.repeat(1024 * 1024)}\r\ncontent-length: 2\r\n\r\n{}`, kind: 'headers-too-large', message: /sent response headers larger than 16384 bytes/ },
  { name: 'a header value with a NUL byte', bytes: 'HTTP/1.1 200 OK\r\nx-bad: a\u0000b\r\ncontent-length: 2\r\n\r\n{}', kind: 'malformed', message: /sent a response that is not valid HTTP\/1\.1/ },
  { name: 'Content-Length and chunked together', bytes: 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\ntransfer-encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n', kind: 'length-mismatch', message: /sent a body that does not match its Content-Length/ }
] as const

for (const c of CASES) {
  t.test(`an instance answering with ${c.name}: 502 naming it, counted as ${c.kind}`, async (t) => {
    const { proxy, instance } = await startStack(t)
    instance.faults.push({ kind: 'raw', bytes: c.bytes })
    const res = await call(`${proxy.url}/api/v2/source`)
    t.equal(res.status, 502)
    const { message } = envelopeMessage(res)
    t.match(message, c.message)
    t.notMatch(message, /failed unexpectedly|report it/, 'not presented as a proxy bug')
    t.notMatch(message, /aaaa|OpenSSH/, 'the instance\'s bytes are not echoed')
    const metrics = (await call(`${proxy.url}/metrics`)).text
    t.match(metrics, new RegExp(`wavefront_auth_proxy_upstream_errors_total\\{kind="${c.kind}"\\} 1\n`))
    t.equal((await call(`${proxy.url}/api/v2/source`)).status, 200, 'the next request is served')
  })
}

t.test('an instance sending a body shorter than its Content-Length: the client connection is broken, not ended as if complete', async (t) => {
  const { proxy, instance } = await startStack(t)
  instance.faults.push({ kind: 'raw', bytes: 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"short":' })
  await t.rejects(call(`${proxy.url}/api/v2/source`), 'the client sees the answer break')
  const metrics = (await call(`${proxy.url}/metrics`)).text
  t.match(metrics, /wavefront_auth_proxy_upstream_errors_total\{kind="(length-mismatch|reset)"\} 1\n/)
})
