import t from 'tap'
import { call } from './helpers/http.js'
import { logRecords, startStack } from './helpers/stack.js'

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

t.test('LOG_LEVEL=warn turns access lines off', async (t) => {
  const { proxy } = await startStack(t, { logLevel: 'warn' })
  await call(`${proxy.url}/api/v2/source`)
  t.same(logRecords(proxy.logs).filter((r) => r.route !== undefined), [])
})
