// A request under /api/v2 or /report reaches the instance as the client sent it (path, query,
// method, body, headers) with only the credential replaced and hop-by-hop headers dropped, and
// the instance's answer comes back as it gave it.
import { createHash } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import t from 'tap'
import { call } from '../helpers/http.js'
import { rawRequest } from '../helpers/raw.js'
import { startStack } from '../helpers/stack.js'

t.test('a GET under /api/v2 reaches the same path and query on the instance with the bearer token', async (t) => {
  const { proxy, instance, csp } = await startStack(t)
  const res = await call(`${proxy.url}/api/v2/source?limit=1&cursor=web-0`)
  t.equal(res.status, 200)
  t.same((res.json() as { response: { items: unknown[] } }).response.items, [{ id: 'web-1', hidden: false }])
  const got = instance.received.at(-1)
  t.equal(got?.url, '/api/v2/source?limit=1&cursor=web-0')
  t.equal(got?.auth, 'valid')
  t.match(got?.headers.authorization, /^Bearer csp-at-/)
  t.equal(got?.headers.host, new URL(instance.url).host, 'Host is the instance')
  t.equal(csp.requests.length, 1)
})

t.test('the client\'s Authorization header is replaced, never forwarded', async (t) => {
  const { proxy, instance } = await startStack(t)
  const res = await call(`${proxy.url}/api/v2/source`, { headers: { authorization: 'Bearer client-supplied-token' } })
  t.equal(res.status, 200)
  t.match(instance.received[0]?.headers.authorization, /^Bearer csp-at-/)
  t.notMatch(JSON.stringify(instance.received[0]?.rawHeaders), /client-supplied-token/)
})

t.test('path and query reach the instance byte for byte', async (t) => {
  const { proxy, instance } = await startStack(t)
  const targets = [
    '/api/v2/chart/api?q=ts(%22cpu.load%22%2C%20source%3D%22web-*%22)&s=1700000000000&g=m&strict=true',
    '/api/v2/source?tag=a&tag=b&empty=&flag',
    '/api/v2/dashboard/my%20dash/history?offset=0',
    '/api/v2/search/alert?q=%E2%9C%93%20caf%C3%A9',
    '/report?f=histogram'
  ]
  for (const target of targets) {
    const res = await call(`${proxy.url}${target}`, { method: target.startsWith('/report') ? 'POST' : 'GET', body: target.startsWith('/report') ? 'x 1' : undefined })
    t.not(res.status, 400, target)
    t.equal(instance.received.at(-1)?.url, target, target)
  }
  const chart = await call(`${proxy.url}${targets[0] as string}`)
  t.equal((chart.json() as { query: string }).query, 'ts("cpu.load", source="web-*")', 'the chart API answers its bare result')
})

t.test('methods and bodies pass through unchanged, with their headers', async (t) => {
  const { proxy, instance } = await startStack(t)
  const event = JSON.stringify({ name: 'deploy', startTime: 1700000000000, annotations: { severity: 'info' } })
  const res = await call(`${proxy.url}/api/v2/event`, { method: 'POST', body: event, headers: { 'content-type': 'application/json', 'x-custom-header': 'kept' } })
  t.equal(res.status, 200)
  const got = instance.received.at(-1)
  t.equal(got?.method, 'POST')
  t.equal(got?.bodySha256, createHash('sha256').update(event).digest('hex'))
  t.equal(got?.headers['content-type'], 'application/json')
  t.equal(got?.headers['content-length'], String(Buffer.byteLength(event)))
  t.equal(got?.headers['x-custom-header'], 'kept')

  const gz = gzipSync(Buffer.from('cpu.load 0.5 source=web-1\n'.repeat(1000)))
  await call(`${proxy.url}/report?f=wavefront`, { method: 'POST', body: gz, headers: { 'content-encoding': 'gzip', 'content-type': 'application/octet-stream' } })
  t.equal(instance.received.at(-1)?.bodySha256, createHash('sha256').update(gz).digest('hex'), 'gzip bodies are not decoded')
  t.equal(instance.received.at(-1)?.headers['content-encoding'], 'gzip')

  for (const method of ['PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD']) {
    const r = await call(`${proxy.url}/api/v2/echo/thing`, { method, body: method === 'PUT' || method === 'PATCH' ? '{"a":1}' : undefined })
    t.equal(instance.received.at(-1)?.method, method, `${method} is forwarded as ${method}`)
    t.equal(r.status, 200)
    if (method === 'HEAD') t.equal(r.text, '', 'HEAD has no body')
  }
})

t.test('hop-by-hop headers stop at the proxy in both directions', async (t) => {
  const { proxy, instance } = await startStack(t)
  const res = await rawRequest(proxy.port, [
    'GET /api/v2/echo HTTP/1.1',
    'Host: localhost',
    'Connection: keep-alive, X-Drop-Me',
    'X-Drop-Me: listed in Connection',
    'Keep-Alive: timeout=5',
    'TE: trailers',
    'Proxy-Authorization: Basic cHJveHk6cGFzcw==',
    'X-Keep-Me: yes',
    '', ''
  ].join('\r\n'))
  t.match(res, /^HTTP\/1.1 200 /)
  const headers = instance.received.at(-1)?.headers ?? {}
  for (const name of ['x-drop-me', 'keep-alive', 'te', 'proxy-authorization']) t.notOk(name in headers, `${name} not forwarded`)
  t.equal(headers['x-keep-me'], 'yes')
})

t.test('status codes and response headers from the instance reach the client', async (t) => {
  const { proxy, instance } = await startStack(t)
  instance.faults.push({ kind: 'status', status: 429, headers: { 'retry-after': '7', 'x-wavefront-trace': 'abc' }, body: JSON.stringify({ status: { result: 'ERROR', message: 'TOO_MANY_REQUESTS', code: 429 } }) })
  const limited = await call(`${proxy.url}/api/v2/source`)
  t.equal(limited.status, 429)
  t.equal(limited.headers['retry-after'], '7')
  t.equal(limited.headers['x-wavefront-trace'], 'abc')
  t.match(limited.json(), { status: { message: 'TOO_MANY_REQUESTS' } })
  const missing = await call(`${proxy.url}/api/v2/dashboard/nope`)
  t.equal(missing.status, 404)
  t.match(missing.json(), { status: { result: 'ERROR', message: '/api/v2/dashboard/nope does not exist', code: 404 } }, 'the instance\'s own 404 passes through')
})
