// One concise, valid JSON access line per request at info (off at warn), with its real size and
// without the query string or any header.
import t from 'tap'
import { call } from '../helpers/http.js'
import { rawRequest } from '../helpers/raw.js'
import { logRecords, startStack } from '../helpers/stack.js'

t.test('one concise access line per request at info, with no query string and no headers', async (t) => {
  const { proxy } = await startStack(t)
  await call(`${proxy.url}/api/v2/source?limit=2&secretish=q`, { headers: { authorization: 'Bearer client-token-zz' } })
  await call(`${proxy.url}/report?f=wavefront`, { method: 'POST', body: 'cpu 1 source=a\n' })
  await call(`${proxy.url}/nope`)
  await call(`${proxy.url}/healthz`)
  const access = logRecords(proxy.logs).filter((r) => r.route !== undefined)
  t.equal(access.length, 4, 'one line each')
  t.match(access[0], { level: 30, method: 'GET', route: 'api', path: '/api/v2/source', status: 200, ms: Number, bytes: Number, requestId: String, msg: 'GET /api/v2/source 200' })
  t.ok((access[0]?.bytes as number) > 100, 'bytes sent')
  t.match(access[1], { method: 'POST', route: 'report', path: '/report', status: 202 })
  t.match(access[2], { route: 'none', status: 404 })
  t.match(access[3], { route: 'healthz', status: 200 })
  t.notMatch(proxy.logs.join('\n'), /secretish|client-token-zz/, 'no query string, no Authorization')
})

t.test('local answers on the forwarded routes are logged with their real size', async (t) => {
  const { proxy } = await startStack(t)
  const refused = await call(`${proxy.url}/api/v2/source`, { headers: { host: 'attacker.example' } })
  const line = logRecords(proxy.logs).find((r) => r.status === 421)
  t.match(line, { route: 'api', status: 421, bytes: Buffer.byteLength(refused.text) })
})

t.test('LOG_LEVEL=warn turns access lines off', async (t) => {
  const { proxy } = await startStack(t, { logLevel: 'warn' })
  await call(`${proxy.url}/api/v2/source`)
  t.same(logRecords(proxy.logs).filter((r) => r.route !== undefined), [])
})

t.test('paths that need escaping still give valid JSON lines', async (t) => {
  const { proxy } = await startStack(t)
  await rawRequest(proxy.port, 'GET /api/v2/"quoted" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')
  await rawRequest(proxy.port, 'GET /nope/back\\slash HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')
  const paths = logRecords(proxy.logs).map((r) => r.path) // every line parsed as JSON
  t.ok(paths.includes('/api/v2/"quoted"'), 'a quote is escaped')
  t.ok(paths.includes('/nope/back\\slash'), 'a backslash is escaped')
})
