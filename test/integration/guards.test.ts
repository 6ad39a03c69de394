// Who may use the credential: Host (DNS rebinding), Origin and Sec-Fetch-Site (web pages),
// CORS for allowed origins only, client addresses, READ_ONLY and ALLOWED_PATHS. Every refusal
// is answered locally in the envelope and never reaches the instance.
import { PassThrough } from 'node:stream'
import type { AddressInfo } from 'node:net'
import t, { type Test } from 'tap'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config/load.js'
import { parseCidr } from '../../src/config/addresses.js'
import { createLogger, SecretValues } from '../../src/observe/log.js'
import { call, envelopeMessage, type Answer } from '../helpers/http.js'
import { rawRequest } from '../helpers/raw.js'
import { credentialsEnv, startFakes, startStack } from '../helpers/stack.js'

const PAGE = 'https://dashboards.example.com'

/** Refusal counts by reason, from GET /metrics. */
async function refusals (url: string): Promise<Record<string, number>> {
  const text = (await call(`${url}/metrics`)).text
  const counts: Record<string, number> = {}
  for (const m of text.matchAll(/^wavefront_auth_proxy_refused_total\{reason="(\w+)"\} (\d+)$/gm)) counts[m[1] as string] = Number(m[2])
  return counts
}

function corsHeaders (res: Answer): string[] {
  return Object.keys(res.headers).filter((name) => name.startsWith('access-control-'))
}

function assertRefused (t: Test, res: Answer, code: number, message: RegExp, what: string): void {
  t.equal(res.status, code, what)
  t.match(envelopeMessage(res), { result: 'ERROR', code, message }, what)
}

t.test('DNS rebinding: only localhost, 127.0.0.1, [::1] and ALLOWED_HOSTS are served; any other Host gets 421 and is never forwarded', async (t) => {
  const { proxy, instance } = await startStack(t, { env: { ALLOWED_HOSTS: 'wavefront-auth-proxy.tools.svc,proxy.internal:8080' } })
  const port = proxy.port
  const served = ['localhost', `localhost:${port}`, 'LocalHost', '127.0.0.1', `127.0.0.1:${port}`, '[::1]', `[::1]:${port}`,
    'wavefront-auth-proxy.tools.svc', 'wavefront-auth-proxy.tools.svc:9191', 'WAVEFRONT-AUTH-PROXY.tools.svc', 'proxy.internal:8080']
  for (const host of served) t.equal((await call(`${proxy.url}/api/v2/source`, { headers: { host } })).status, 200, `Host: ${host} is served`)
  t.equal(instance.received.length, served.length)

  const rebound = ['attacker.example', `attacker.example:${port}`, 'localhost.attacker.example', 'localhost.', '127.0.0.2', '2130706433',
    '[::1]attacker.example', '[::2]', 'proxy.internal', 'proxy.internal:9999', 'tools.svc', 'localhost:80:80']
  for (const host of rebound) {
    assertRefused(t, await call(`${proxy.url}/api/v2/source`, { headers: { host } }), 421, /^Refused: the Host header names a host this proxy does not serve\. Use localhost, 127\.0\.0\.1 or \[::1\], or add the name to ALLOWED_HOSTS$/, `Host: ${host}`)
  }
  assertRefused(t, await call(`${proxy.url}/report?f=wavefront`, { method: 'POST', body: 'cpu 1 source=a\n', headers: { host: 'attacker.example' } }), 421, /ALLOWED_HOSTS/, 'ingestion too')
  t.equal(instance.received.length, served.length, 'nothing with a foreign Host was forwarded')
  t.equal((await refusals(proxy.url)).host, rebound.length + 1)
})

t.test('a request with no Host header, or with two, is refused 400 and never forwarded', async (t) => {
  const { proxy, instance } = await startStack(t)
  const twoHosts = await rawRequest(proxy.port, 'GET /api/v2/source HTTP/1.1\r\nHost: localhost\r\nHost: attacker.example\r\n\r\n')
  t.match(twoHosts, /^HTTP\/1\.1 400 /)
  t.match(twoHosts, /"message":"Refused: the request has more than one Host header\. Send exactly one Host header naming localhost, 127\.0\.0\.1, \[::1\] or a name in ALLOWED_HOSTS"/)
  const http10 = await rawRequest(proxy.port, 'GET /api/v2/source HTTP/1.0\r\n\r\n')
  t.match(http10, /^HTTP\/1\.1 400 /)
  t.match(http10, /"message":"Refused: the request has no Host header\./)
  const http11 = await rawRequest(proxy.port, 'GET /api/v2/source HTTP/1.1\r\nConnection: close\r\n\r\n')
  t.match(http11, /^HTTP\/1\.1 400 /)
  t.match(http11, /"message":"Refused: the request has no Host header\./, 'HTTP/1.1 without Host: the same envelope')
  const health = await rawRequest(proxy.port, 'GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n')
  t.match(health, /^HTTP\/1\.1 200 /, 'local endpoints do not need a Host')
  t.equal(instance.received.length, 0)
})

t.test('browser guard: a page from an origin not in ALLOWED_ORIGINS, or any cross-site or same-site fetch, is refused 403', async (t) => {
  const { proxy, instance } = await startStack(t)
  const pages: Array<[string, { method?: string, body?: string, headers: Record<string, string> }]> = [
    ['/api/v2/source', { headers: { origin: 'https://evil.example' } }],
    ['/api/v2/event', { method: 'POST', body: '{}', headers: { origin: 'http://localhost:3000', 'content-type': 'text/plain' } }],
    ['/report?f=wavefront', { method: 'POST', body: 'cpu 1 source=a\n', headers: { origin: 'null' } }],
    ['/api/v2/event', { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } }],
    ['/api/v2/source', { headers: { origin: `http://127.0.0.1:${proxy.port}` } }],
    ['/api/v2/source', { headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' } }],
    ['/api/v2/source', { headers: { 'sec-fetch-site': 'same-site' } }]
  ]
  for (const [path, init] of pages) {
    const res = await call(`${proxy.url}${path}`, init)
    assertRefused(t, res, 403, /^Refused: requests from web pages are not allowed \((Origin ".*" is not in ALLOWED_ORIGINS|Sec-Fetch-Site: (cross|same)-site)\)\. Call the proxy from a script or tool, or add the origin to ALLOWED_ORIGINS$/, JSON.stringify(init.headers))
    t.same(corsHeaders(res), [], 'no CORS header on a refusal')
  }
  t.equal(instance.received.length, 0, 'no page reached the instance')
  // What the user does in their own browser tab (address bar, same origin) is not a foreign page.
  for (const site of ['none', 'same-origin']) t.equal((await call(`${proxy.url}/api/v2/source`, { headers: { 'sec-fetch-site': site } })).status, 200, `Sec-Fetch-Site: ${site}`)
  t.equal((await refusals(proxy.url)).origin, pages.length)
})

t.test('no answer carries a permissive CORS header: the instance\'s own are dropped, Vary names Origin', async (t) => {
  const { proxy, instance } = await startStack(t)
  instance.faults.push({
    kind: 'status',
    status: 200,
    headers: { 'access-control-allow-origin': '*', 'access-control-allow-credentials': 'true', 'access-control-allow-methods': '*', 'access-control-expose-headers': '*', vary: 'Accept-Encoding' }
  })
  const res = await call(`${proxy.url}/api/v2/source`)
  t.equal(res.status, 200)
  t.same(corsHeaders(res), [])
  t.equal(res.headers.vary, 'Accept-Encoding, Origin', 'the instance\'s Vary is kept, with Origin added')
  const plain = await call(`${proxy.url}/api/v2/source`)
  t.equal(plain.headers.vary, 'Origin')
})

t.test('ALLOWED_ORIGINS: that origin, and only it, gets its own name back (never *) and its preflight is answered locally', async (t) => {
  const { proxy, instance } = await startStack(t, { env: { ALLOWED_ORIGINS: `${PAGE}/` } })
  instance.faults.push({ kind: 'status', status: 200, headers: { 'access-control-allow-origin': '*', 'access-control-allow-credentials': 'true' } })
  const res = await call(`${proxy.url}/api/v2/source`, { headers: { origin: PAGE } })
  t.equal(res.status, 200)
  t.equal(res.headers['access-control-allow-origin'], PAGE)
  t.equal(res.headers['access-control-allow-credentials'], undefined, 'credentials are never allowed')
  t.match(res.headers.vary, /Origin/)
  t.equal(instance.received.at(-1)?.url, '/api/v2/source')

  const forwarded = instance.received.length
  const preflight = await call(`${proxy.url}/api/v2/event`, { method: 'OPTIONS', headers: { origin: PAGE, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } })
  t.equal(preflight.status, 204)
  t.match(preflight.headers, {
    'access-control-allow-origin': PAGE,
    'access-control-allow-methods': 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS',
    'access-control-allow-headers': 'content-type, content-encoding, x-request-id',
    'access-control-max-age': '600',
    vary: 'Origin'
  })
  t.equal(instance.received.length, forwarded, 'the preflight was not forwarded')
  const options = await call(`${proxy.url}/api/v2/echo`, { method: 'OPTIONS', headers: { origin: PAGE } })
  t.equal(instance.received.at(-1)?.method, 'OPTIONS', 'an OPTIONS request that is not a preflight is forwarded')
  t.equal(options.headers['access-control-allow-origin'], PAGE)

  for (const origin of [`${PAGE}.evil.example`, 'http://dashboards.example.com', 'https://evil.example']) {
    const refused = await call(`${proxy.url}/api/v2/event`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } })
    assertRefused(t, refused, 403, /is not in ALLOWED_ORIGINS/, origin)
    t.same(corsHeaders(refused), [], origin)
  }
  t.equal(instance.received.length, forwarded + 1)
})

t.test('READ_ONLY=true forwards only GET and HEAD; other methods get 403 locally, and an allowed page can read why', async (t) => {
  const { proxy, instance } = await startStack(t, { env: { READ_ONLY: 'true', ALLOWED_ORIGINS: PAGE } })
  t.equal((await call(`${proxy.url}/api/v2/source`)).status, 200)
  t.equal((await call(`${proxy.url}/api/v2/source`, { method: 'HEAD' })).status, 200)
  t.same(instance.received.map((r) => r.method), ['GET', 'HEAD'])
  const writes: Array<[string, string]> = [['POST', '/api/v2/event'], ['PUT', '/api/v2/alert/1'], ['PATCH', '/api/v2/alert/1'], ['DELETE', '/api/v2/alert/1'], ['OPTIONS', '/api/v2/alert'], ['POST', '/report?f=wavefront']]
  for (const [method, path] of writes) {
    const res = await call(`${proxy.url}${path}`, { method, body: method === 'POST' || method === 'PUT' ? 'x' : undefined })
    assertRefused(t, res, 403, /^Refused: the proxy is read-only \(READ_ONLY=true\), so only GET and HEAD are forwarded$/, `${method} ${path}`)
  }
  const fromPage = await call(`${proxy.url}/api/v2/event`, { method: 'POST', body: '{}', headers: { origin: PAGE } })
  t.equal(fromPage.status, 403)
  t.equal(fromPage.headers['access-control-allow-origin'], PAGE, 'the page can read the refusal')
  const preflight = await call(`${proxy.url}/api/v2/event`, { method: 'OPTIONS', headers: { origin: PAGE, 'access-control-request-method': 'POST' } })
  t.equal(preflight.status, 204)
  t.equal(preflight.headers['access-control-allow-methods'], 'GET, HEAD', 'a read-only proxy offers only reads')
  t.equal(instance.received.length, 2, 'no write was forwarded')
  t.equal((await refusals(proxy.url)).read_only, writes.length + 1)
})

t.test('ALLOWED_PATHS forwards a listed prefix and what lies below it, never a sibling or another spelling', async (t) => {
  const { proxy, instance } = await startStack(t, { env: { ALLOWED_PATHS: '/api/v2/source,/report' } })
  const allowed: Array<[string, string]> = [['GET', '/api/v2/source'], ['GET', '/api/v2/source?limit=1'], ['GET', '/api/v2/source/web-1'], ['POST', '/report?f=wavefront']]
  for (const [method, path] of allowed) {
    const res = await call(`${proxy.url}${path}`, { method, body: method === 'POST' ? 'cpu 1 source=a\n' : undefined })
    t.not(res.status, 403, path)
    t.equal(instance.received.at(-1)?.url, path, `${path} forwarded`)
  }
  for (const path of ['/api/v2/sources', '/api/v2/sourcefoo', '/api/v2/alert', '/api/v2/Source', '/api/v2/%73ource', '/api/v2/source;x', '/api/v2/event?x=/api/v2/source']) {
    assertRefused(t, await call(`${proxy.url}${path}`), 403, /^Refused: this path is not in ALLOWED_PATHS$/, path)
  }
  t.equal(instance.received.length, allowed.length)
})

t.test('ALLOWED_CLIENTS: a client outside the listed ranges is refused 403 before anything is forwarded', async (t) => {
  const outside = await startStack(t, { env: { ALLOWED_CLIENTS: '10.0.0.0/8,fd00::/8' } })
  assertRefused(t, await call(`${outside.proxy.url}/api/v2/source`), 403, /^Refused: this client address is not in ALLOWED_CLIENTS$/, '127.0.0.1 is not in 10.0.0.0/8')
  t.equal(outside.instance.received.length, 0)
  t.equal((await refusals(outside.proxy.url)).client, 1)
  const inside = await startStack(t, { env: { ALLOWED_CLIENTS: '10.0.0.0/8, 127.0.0.1/32' } })
  t.equal((await call(`${inside.proxy.url}/api/v2/source`)).status, 200)
})

/** The proxy built as stack.ts builds it, but listening on `host` (an IPv6 or IPv4-mapped address). */
async function startProxyOn (t: Test, host: string, extraEnv: Record<string, string>): Promise<{ url: string, remoteAddresses: string[] }> {
  const { csp, instance } = await startFakes(t)
  const config = loadConfig({ env: { WAVEFRONT_URL: instance.url, CSP_BASE_URL: csp.url, PORT: '0', ...credentialsEnv('app'), ...extraEnv }, argv: [] })
  const secrets = new SecretValues()
  const app = await buildApp(config, { log: createLogger({ level: 'silent', format: 'json', secrets, destination: new PassThrough() }), secrets })
  t.teardown(async () => { await app.close() })
  const remoteAddresses: string[] = []
  app.server.on('connection', (socket: { remoteAddress?: string }) => remoteAddresses.push(String(socket.remoteAddress)))
  await new Promise<void>((resolve) => app.server.listen({ host, port: 0 }, resolve))
  const { port } = app.server.address() as AddressInfo
  return { url: host === '::1' ? `http://[::1]:${port}` : `http://127.0.0.1:${port}`, remoteAddresses }
}

t.test('ALLOWED_CLIENTS matches IPv6 clients, and IPv4 clients that a dual-stack socket shows as ::ffff:a.b.c.d', async (t) => {
  const v6 = await startProxyOn(t, '::1', { ALLOWED_CLIENTS: '::1/128' })
  t.equal((await call(`${v6.url}/api/v2/source`)).status, 200, '::1 is in ::1/128')
  t.same(v6.remoteAddresses, ['::1'])
  const v6Outside = await startProxyOn(t, '::1', { ALLOWED_CLIENTS: '127.0.0.0/8,fd00::/8' })
  assertRefused(t, await call(`${v6Outside.url}/api/v2/source`), 403, /ALLOWED_CLIENTS/, '::1 is in neither range')

  const mapped = await startProxyOn(t, '::ffff:127.0.0.1', { ALLOWED_CLIENTS: '127.0.0.1' })
  t.equal((await call(`${mapped.url}/api/v2/source`)).status, 200, '::ffff:127.0.0.1 matches 127.0.0.1')
  t.same(mapped.remoteAddresses, ['::ffff:127.0.0.1'], 'the client really was seen as IPv4-mapped')
  const mappedOutside = await startProxyOn(t, '::ffff:127.0.0.1', { ALLOWED_CLIENTS: '10.0.0.0/8' })
  assertRefused(t, await call(`${mappedOutside.url}/api/v2/source`), 403, /ALLOWED_CLIENTS/, '::ffff:127.0.0.1 is not in 10.0.0.0/8')
})

t.test('ALLOWED_CLIENTS entries: addresses and CIDR ranges of either family, nothing else', async (t) => {
  t.same(parseCidr('10.0.0.0/8'), { address: '10.0.0.0', prefix: 8, family: 'ipv4' })
  t.same(parseCidr(' 192.168.1.7 '), { address: '192.168.1.7', prefix: 32, family: 'ipv4' })
  t.same(parseCidr('fd00::/8'), { address: 'fd00::', prefix: 8, family: 'ipv6' })
  t.same(parseCidr('::1'), { address: '::1', prefix: 128, family: 'ipv6' })
  t.same(parseCidr('0.0.0.0/0'), { address: '0.0.0.0', prefix: 0, family: 'ipv4' })
  for (const bad of ['banana', '10.0.0.0/33', '::/129', '10.0.0.0/', '10.0.0.0/8/9', '10.0.0.0/-1', '10.0.0.0/8.5', '10.0.0/8', 'fe80::1%eth0/64', 'localhost']) {
    t.equal(parseCidr(bad), undefined, bad)
  }
})
