// Web pages cannot use the credential: a foreign Origin or a cross-site fetch is refused 403, no
// answer carries a permissive CORS header, and only an ALLOWED_ORIGINS origin gets its own name back.
import t from 'tap'
import { call } from '../helpers/http.js'
import { assertRefused, corsHeaders, refusals } from '../helpers/refusals.js'
import { startStack } from '../helpers/stack.js'

const PAGE = 'https://dashboards.example.com'

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
