// Request-target and message hygiene: what could reach another path, another host or another
// message on the instance is refused locally (400, 431, 413, 501) and never forwarded, while
// look-alikes that are plain paths still go through untouched.
import { connect } from 'node:net'
import t from 'tap'
import { call, envelopeMessage } from '../helpers/http.js'
import { rawRequest } from '../helpers/raw.js'
import { startStack } from '../helpers/stack.js'

const REFUSED_TARGET = /^Refused request target: (.+)\. Send origin-form paths under \/api\/v2\/ or \/report, without dot-segments, backslashes or double encoding$/

/** The status line and the envelope of a raw answer. */
function rawAnswer (text: string): { status: number, message: string } {
  const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(text)?.[1])
  const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as { status: { message: string, code: number } }
  if (body.status.code !== status) throw new Error(`envelope code ${body.status.code} differs from status ${status}`)
  return { status, message: body.status.message }
}

async function send (port: number, requestLine: string, headers = 'Host: localhost\r\n'): Promise<{ status: number, message: string }> {
  return rawAnswer(await rawRequest(port, `${requestLine}\r\n${headers}Connection: close\r\n\r\n`))
}

t.test('dot-segments in any spelling, encoded slashes and backslashes, NUL and fragments get 400 and are never forwarded', async (t) => {
  const { proxy, instance } = await startStack(t)
  const targets: Array<[string, string]> = [
    ['/api/v2/../v1/source', 'a dot-segment (. or ..) in the path'],
    ['/api/v2/./source', 'a dot-segment (. or ..) in the path'],
    ['/api/v2/source/..', 'a dot-segment (. or ..) in the path'],
    ['/api/v2/%2e%2e/admin', 'a dot-segment (. or ..) in the path'],
    ['/api/v2/%2E%2E/admin', 'a dot-segment (. or ..) in the path'],
    ['/api/v2/.%2E/admin', 'a dot-segment (. or ..) in the path'],
    ['/api/v2/%2e./admin', 'a dot-segment (. or ..) in the path'],
    ['/api/v2/%2e/source', 'a dot-segment (. or ..) in the path'],
    ['/api/v2/event/..%3F', 'a dot-segment (. or ..) in the path'],
    ['/api/v2/x/..%23/source', 'a dot-segment (. or ..) in the path'],
    ['/api/v2/..;/admin', 'a dot-segment (. or ..) in the path'],
    ['/api/v2/..;jsessionid=x/admin', 'a dot-segment (. or ..) in the path'],
    ['/api/v2/%2e%2e%3b/admin', 'a dot-segment (. or ..) in the path'],
    ['/report/../api/v1/x', 'a dot-segment (. or ..) in the path'],
    ['/api/v2/..%2fadmin', 'a dot-segment (. or ..) in the path'],
    ['/api/v2/event/x%2F..%2Fy', 'a dot-segment (. or ..) in the path'],
    ['/api/v2/event/a%2F.%2E/b', 'a dot-segment (. or ..) in the path'],
    ['/api/v2/event/1:a%2F%2E%2E', 'a dot-segment (. or ..) in the path'],
    ['/api/v2/%2F%2E%2E', 'an encoded slash (%2F) at the start of a path segment'],
    ['/api/v2%2Fsource', 'an encoded slash (%2F) in the /api/v2/ or /report prefix'],
    ['/api/v2%5Csource', 'a backslash in the path'],
    ['/api/v2/event/1:a%0d%0ab', 'control characters or NUL bytes'],
    ['/api/v2/..%5cadmin', 'a backslash in the path'],
    ['/api/v2/a%5Cb', 'a backslash in the path'],
    ['/api/v2/..\\admin', 'a backslash in the path'],
    ['/api/v2/%252e%252e/admin', 'double percent-encoding in the path'],
    ['/api/v2/%252F', 'double percent-encoding in the path'],
    ['/api/v2/event/1:a%252Fb', 'double percent-encoding in the path'],
    ['/api/v2/event/..%253F/x', 'double percent-encoding in the path'],
    ['/api/v2/event/..%2523/x', 'double percent-encoding in the path'],
    ['/api/v2/source%00', 'control characters or NUL bytes'],
    ['/api/v2/source?name=%00', 'control characters or NUL bytes'],
    ['/api/v2/source#/../../admin', 'a fragment (#) in the request target'],
    ['/api/v2/source?x=1#frag', 'a fragment (#) in the request target'],
    ['/%61pi/v2/source', 'a percent-encoded /api/v2/ or /report prefix'],
    ['/api/v%32/source', 'a percent-encoded /api/v2/ or /report prefix'],
    ['/%72eport', 'a percent-encoded /api/v2/ or /report prefix']
  ]
  for (const [target, problem] of targets) {
    for (const method of ['GET', 'POST']) {
      const res = await send(proxy.port, `${method} ${target} HTTP/1.1`)
      t.equal(res.status, 400, `${method} ${target}`)
      t.equal(REFUSED_TARGET.exec(res.message)?.[1], problem, `${method} ${target}`)
    }
  }
  t.same(instance.received, [], 'none was forwarded')
})

t.test('absolute-form targets, asterisk-form and CONNECT get 400 and are never forwarded', async (t) => {
  const { proxy, instance } = await startStack(t)
  for (const line of ['GET http://elsewhere.example/api/v2/source HTTP/1.1', 'GET https://127.0.0.1/api/v2/source HTTP/1.1', 'POST http://localhost/report HTTP/1.1', 'OPTIONS * HTTP/1.1']) {
    const res = await send(proxy.port, line)
    t.equal(res.status, 400, line)
    t.equal(REFUSED_TARGET.exec(res.message)?.[1], 'not an origin-form path (absolute URLs and CONNECT are not proxied)', line)
  }
  const connect = rawAnswer(await rawRequest(proxy.port, 'CONNECT elsewhere.example:443 HTTP/1.1\r\nHost: elsewhere.example:443\r\n\r\n'))
  t.same(connect, { status: 400, message: 'Refused request target: CONNECT is not supported. Send origin-form paths under /api/v2/ or /report, without dot-segments, backslashes or double encoding' })
  const other = await send(proxy.port, 'GET //elsewhere.example/api/v2/source HTTP/1.1')
  t.equal(other.status, 404, 'a network-path reference is no route')
  t.same(instance.received, [])
})

t.test('free-text event ids with %2F are read, updated, closed and deleted byte for byte', async (t) => {
  const { proxy, instance } = await startStack(t)
  const id = '1700000000000%3Adeploy%20api%2Fv2' // wavefront_api_client quotes path parameters with safe=''
  const json = { 'content-type': 'application/json', accept: 'application/json' }
  const calls: Array<[string, string, string | undefined]> = [
    ['GET', `/api/v2/event/${id}`, undefined],
    ['PUT', `/api/v2/event/${id}`, '{"name":"deploy api/v2","startTime":1700000000000}'],
    ['POST', `/api/v2/event/${id}/close`, '{}'],
    ['DELETE', `/api/v2/event/${id}`, '{}'], // the Python client's DELETE carries {}
    ['GET', '/api/v2/event/1700000000000:deploy%20api%2Fv2', undefined]
  ]
  for (const [method, target, body] of calls) {
    const res = await call(`${proxy.url}${target}`, { method, headers: json, ...(body === undefined ? {} : { body }) })
    t.equal(res.status, 200, `${method} ${target}`)
    const got = instance.received.at(-1)
    t.same([got?.method, got?.url, got?.bodyBytes], [method, target, body?.length ?? 0], `${method} ${target} arrived as sent`)
  }
})

t.test('ALLOWED_PATHS compares the path as sent: /api/v2/event%2Fx is not under /api/v2/event, /api/v2/event/1:a%2Fb is', async (t) => {
  const { proxy, instance } = await startStack(t, { env: { ALLOWED_PATHS: '/api/v2/event' } })
  t.equal((await call(`${proxy.url}/api/v2/event%2Fx`)).status, 403)
  t.equal((await call(`${proxy.url}/api/v2/event/1:a%2Fb`)).status, 200)
  t.same(instance.received.map((r) => r.url), ['/api/v2/event/1:a%2Fb'])
})

t.test('look-alikes that are plain paths are forwarded byte for byte', async (t) => {
  const { proxy, instance } = await startStack(t)
  const targets = ['/api/v2/echo/a..b', '/api/v2/echo/...', '/api/v2/echo/.well-known', '/api/v2/echo/v1.2/x.', '/api/v2/echo/my%20dash',
    '/api/v2/echo?q=../../admin&p=%2F%5C', '/api/v2/chart/api?q=ts(%22cpu.load%22)&s=1700000000000&g=m', '/api/v2/echo;v=1', '/report?f=wavefront']
  for (const target of targets) {
    const res = await call(`${proxy.url}${target}`, target.startsWith('/report') ? { method: 'POST', body: 'cpu 1 source=a\n' } : {})
    t.ok(res.status < 400, `${target}: ${res.status}`)
    t.equal(instance.received.at(-1)?.url, target, target)
  }
})

t.test('malformed percent-encoding gets 400 and is never forwarded', async (t) => {
  const { proxy, instance } = await startStack(t)
  for (const target of ['/api/v2/%zz', '/api/v2/%c0%ae%c0%ae/admin', '/api/v2/%u002e%u002e/admin', '/api/v2/%']) {
    const answer = await rawRequest(proxy.port, `GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`)
    t.match(answer, /^HTTP\/1\.1 400 /, target)
    t.match(answer, /\{"status":\{"result":"ERROR","message":"Refused request target: malformed percent-encoding\./, `${target}: in the envelope, not echoed`)
  }
  t.same(instance.received, [])
})

t.test('what the HTTP parser refuses is answered 400 or 431 in the envelope, never forwarded', async (t) => {
  const { proxy, instance } = await startStack(t)
  const malformed = 'Malformed HTTP request: the proxy could not parse it'
  const cases: Array<[string, string | Buffer, number, string]> = [
    ['a junk method', 'FOO /api/v2/source HTTP/1.1\r\nHost: localhost\r\n\r\n', 400, malformed],
    ['a NUL byte in the target', Buffer.from('GET /api/v2/sou\0rce HTTP/1.1\r\nHost: localhost\r\n\r\n', 'latin1'), 400, malformed],
    ['a control character in the target', 'GET /api/v2/sou\x01rce HTTP/1.1\r\nHost: localhost\r\n\r\n', 400, malformed],
    ['a NUL byte in a header', Buffer.from('GET /api/v2/source HTTP/1.1\r\nHost: localhost\r\nX-A: a\0b\r\n\r\n', 'latin1'), 400, malformed],
    ['a bare LF line ending', 'GET /api/v2/source HTTP/1.1\nHost: localhost\n\n', 400, malformed],
    ['an obsolete folded header', 'GET /api/v2/source HTTP/1.1\r\nHost: localhost\r\nX-A: a\r\n b\r\n\r\n', 400, malformed],
    ['two Content-Length headers', 'POST /report HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1\r\nContent-Length: 5\r\n\r\nhello', 400, malformed],
    ['Content-Length and Transfer-Encoding', 'POST /report HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 400, malformed],
    ['a chunk size that is not hex', 'POST /report HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n', 400, malformed],
    ['a chunk longer than its size', 'POST /report HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhello\r\n0\r\n\r\n', 400, malformed],
    ['chunked that is not the last coding', 'POST /report HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n', 400, malformed],
    ['a negative Content-Length', 'POST /report HTTP/1.1\r\nHost: localhost\r\nContent-Length: -1\r\n\r\n', 400, malformed],
    ['one huge header', `GET /api/v2/source HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'Request headers are too large (over 16 KiB): send fewer or smaller headers'],
    ['many headers', `GET /api/v2/source HTTP/1.1\r\nHost: localhost\r\n${'X-Many: 0123456789abcdef\r\n'.repeat(1000)}\r\n`, 431, 'Request headers are too large (over 16 KiB): send fewer or smaller headers'],
    ['a huge target', `GET /api/v2/${'a'.repeat(20_000)} HTTP/1.1\r\nHost: localhost\r\n\r\n`, 431, 'Request headers are too large (over 16 KiB): send fewer or smaller headers']
  ]
  for (const [what, bytes, status, message] of cases) t.same(rawAnswer(await rawRequest(proxy.port, bytes)), { status, message }, what)
  t.same(instance.received, [])
  t.equal((await call(`${proxy.url}/healthz`)).status, 200, 'still serving')
})

t.test('a transfer coding other than chunked gets 501: it would be dropped on the way upstream', async (t) => {
  const { proxy, instance } = await startStack(t)
  const res = rawAnswer(await rawRequest(proxy.port, 'POST /report HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n'))
  t.same(res, { status: 501, message: 'Refused: Transfer-Encoding "gzip, chunked" is not supported. Send the body with Content-Length or Transfer-Encoding: chunked (compress it with Content-Encoding: gzip)' })
  const chunked = await rawRequest(proxy.port, 'POST /report?f=wavefront HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: Chunked\r\nConnection: close\r\n\r\n5\r\ncpu 1\r\n0\r\n\r\n')
  t.match(chunked, /^HTTP\/1\.1 202 /, 'plain chunked, in any case, is forwarded')
  t.same(instance.received.map((r) => [r.url, r.bodyBytes]), [['/report?f=wavefront', 5]])
})

t.test('BODY_LIMIT: a larger body gets 413, declared or chunked; 0 disables the limit; the default suits ingestion', async (t) => {
  const { proxy, instance } = await startStack(t, { env: { BODY_LIMIT: '1024' } })
  const tooLarge = 'Request body is larger than BODY_LIMIT (1024 bytes): split the batch or raise BODY_LIMIT (0 disables the limit)'
  const declared = await call(`${proxy.url}/report?f=wavefront`, { method: 'POST', body: Buffer.alloc(1025, 'a') })
  t.same([declared.status, envelopeMessage(declared).message], [413, tooLarge])
  const chunk = 'a'.repeat(600)
  const chunked = await rawRequest(proxy.port, `POST /report?f=wavefront HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n${chunk}\r\n258\r\n${chunk}\r\n0\r\n\r\n`)
  t.same(rawAnswer(chunked), { status: 413, message: tooLarge })
  t.same(instance.received.filter((r) => r.bodyBytes > 1024), [], 'no oversized body was delivered')
  t.equal((await call(`${proxy.url}/report?f=wavefront`, { method: 'POST', body: Buffer.alloc(1024, 'a') })).status, 202, 'exactly the limit is fine')

  const unlimited = await startStack(t, { env: { BODY_LIMIT: '0' } })
  t.equal((await call(`${unlimited.proxy.url}/report?f=wavefront`, { method: 'POST', body: Buffer.alloc(2 * 1024 * 1024, 'a') })).status, 202)
  t.equal(unlimited.instance.received.at(-1)?.bodyBytes, 2 * 1024 * 1024)
  const defaults = await startStack(t)
  t.equal(defaults.proxy.config.bodyLimit, 256 * 1024 * 1024, 'default 256 MiB')
})

t.test('a client that resets its connection after the CONNECT refusal does not take the proxy down', async (t) => {
  const { proxy, instance } = await startStack(t)
  const resets = await Promise.all(Array.from({ length: 20 }, async () => await new Promise<boolean>((resolve) => {
    const socket = connect(proxy.port, '127.0.0.1', () => { socket.write('CONNECT elsewhere.example:443 HTTP/1.1\r\nHost: elsewhere.example:443\r\n\r\n') })
    socket.once('data', () => { socket.resetAndDestroy(); resolve(true) }) // a TCP RST once the answer has arrived
    socket.on('error', () => { resolve(false) })
  })))
  t.ok(resets.filter(Boolean).length > 0, 'resets were sent after the answer')
  await new Promise((resolve) => setTimeout(resolve, 100)) // the resets reach the proxy
  t.equal((await call(`${proxy.url}/healthz`)).status, 200, 'still serving')
  t.same(instance.received, [])
})
