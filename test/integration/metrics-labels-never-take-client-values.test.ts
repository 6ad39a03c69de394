// No metric label takes a path, query or other client-chosen value: the series stay few however
// many distinct requests arrive.
import t from 'tap'
import { call } from '../helpers/http.js'
import { startStack } from '../helpers/stack.js'

t.test('no label takes a path, query or other client-chosen value', async (t) => {
  const { proxy } = await startStack(t)
  for (let i = 0; i < 50; i++) {
    await call(`${proxy.url}/api/v2/dashboard/dash-${i}?q=${i}`, { headers: { 'x-request-id': `id-${i}`, 'user-agent': `agent-${i}` } })
    await call(`${proxy.url}/random-${i}`)
  }
  const text = (await call(`${proxy.url}/metrics`)).text
  const series = text.split('\n').filter((l) => l.startsWith('wavefront_auth_proxy_requests_total{'))
  t.same(series.map((l) => l.split(' ')[0]), ['wavefront_auth_proxy_requests_total{route="api",method="GET",status="404"}'], 'one series for 50 distinct paths')
  t.notMatch(text, /dash-\d|random-\d|id-\d|agent-\d/, 'no client-chosen text anywhere')
})
