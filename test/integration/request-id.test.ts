import t from 'tap'
import { call } from '../helpers/http.js'
import { logRecords, startStack } from '../helpers/stack.js'

t.test('a sane incoming X-Request-Id is forwarded, returned and on every log line of that request', async (t) => {
  const { proxy, instance } = await startStack(t, { logLevel: 'trace' })
  const res = await call(`${proxy.url}/api/v2/source`, { headers: { 'x-request-id': 'build-4711.step:3' } })
  t.equal(res.headers['x-request-id'], 'build-4711.step:3', 'returned to the client')
  t.equal(instance.received.at(-1)?.headers['x-request-id'], 'build-4711.step:3', 'forwarded to the instance')
  const lines = logRecords(proxy.logs).filter((r) => r.requestId === 'build-4711.step:3')
  t.ok(lines.length >= 3, `${lines.length} log lines carry it (trace, answer, access)`)
  t.ok(lines.some((r) => r.route === 'api' && r.status === 200), 'including the access line')
})

t.test('a missing, oversized or odd X-Request-Id is replaced by a generated one', async (t) => {
  const { proxy, instance } = await startStack(t)
  const ids = new Set<string>()
  for (const given of [undefined, 'x'.repeat(200), 'has spaces and "quotes"', '<script>']) {
    const res = await call(`${proxy.url}/api/v2/source`, { headers: given === undefined ? {} : { 'x-request-id': given } })
    const id = res.headers['x-request-id'] as string
    ids.add(id)
    t.match(id, /^[\w-]{8}-[0-9a-z]+$/, `generated for ${JSON.stringify(given?.slice(0, 20))}`)
    t.equal(instance.received.at(-1)?.headers['x-request-id'], id, 'the same id goes upstream')
  }
  t.equal(ids.size, 4, 'each request gets its own')
})

t.test('local answers carry the request id too', async (t) => {
  const { proxy } = await startStack(t)
  const res = await call(`${proxy.url}/nowhere`, { headers: { 'x-request-id': 'abc-123' } })
  t.equal(res.status, 404)
  t.equal(res.headers['x-request-id'], 'abc-123')
})
