import t from 'tap'
import { call, envelopeMessage } from './helpers/http.js'
import { startStack } from './helpers/stack.js'

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
