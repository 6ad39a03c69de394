// ALLOWED_PATHS forwards a listed prefix and what lies below it, never a sibling or another spelling.
import t from 'tap'
import { call } from '../helpers/http.js'
import { assertRefused } from '../helpers/refusals.js'
import { startStack } from '../helpers/stack.js'

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
