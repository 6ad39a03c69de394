// READ_ONLY=true forwards only GET and HEAD: every other method is refused 403 locally, in a way an
// allowed page can read, and preflights offer only reads.
import t from 'tap'
import { call } from '../helpers/http.js'
import { assertRefused, refusals } from '../helpers/refusals.js'
import { startStack } from '../helpers/stack.js'

const PAGE = 'https://dashboards.example.com'

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
