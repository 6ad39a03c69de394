// /metrics reports the token's state and every answer by route, method and status in the
// Prometheus text format (histograms included), without secrets, and can be turned off.
import t from 'tap'
import { call } from '../helpers/http.js'
import { metricValue as value } from '../helpers/metrics.js'
import { API_TOKEN, APP_SECRET, STATIC_TOKEN, startStack } from '../helpers/stack.js'

t.test('/metrics exposes the token, forwarding and refusal series in the Prometheus text format', async (t) => {
  const { proxy, csp, instance } = await startStack(t)
  await call(`${proxy.url}/api/v2/source`)
  await call(`${proxy.url}/api/v2/source`)
  await call(`${proxy.url}/report?f=wavefront`, { method: 'POST', body: 'x 1 source=a\n' })
  instance.faults.push({ kind: 'status', status: 429 })
  await call(`${proxy.url}/api/v2/alert`)
  await call(`${proxy.url}/not-forwarded`)
  await call(`${proxy.url}/api/v2/source`, { headers: { host: 'attacker.example' } })

  const res = await call(`${proxy.url}/metrics`)
  t.equal(res.status, 200)
  t.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/)
  const text = res.text
  t.ok(value(text, 'process_cpu_seconds_total') !== undefined, 'process defaults')
  t.ok(value(text, 'nodejs_heap_size_used_bytes') !== undefined, 'runtime defaults')
  const expiry = value(text, 'wavefront_auth_proxy_token_expiry_seconds') ?? 0
  t.ok(expiry > 1500 && expiry <= 1799, `token expires in ${expiry} s`)
  t.equal(value(text, 'wavefront_auth_proxy_token_fetches_total{outcome="success"}'), 1)
  t.equal(value(text, 'wavefront_auth_proxy_token_fetches_total{outcome="rejected"}'), 0)
  t.equal(value(text, 'wavefront_auth_proxy_token_fetch_duration_seconds_count'), 1)
  t.equal(value(text, 'wavefront_auth_proxy_requests_total{route="api",method="GET",status="200"}'), 2)
  t.equal(value(text, 'wavefront_auth_proxy_requests_total{route="report",method="POST",status="202"}'), 1)
  t.equal(value(text, 'wavefront_auth_proxy_requests_total{route="api",method="GET",status="429"}'), 1)
  t.equal(value(text, 'wavefront_auth_proxy_upstream_duration_seconds_count{route="api"}'), 3)
  t.equal(value(text, 'wavefront_auth_proxy_refused_total{reason="not_found"}'), 1)
  t.equal(value(text, 'wavefront_auth_proxy_refused_total{reason="host"}'), 1)
  t.equal(value(text, 'wavefront_auth_proxy_info{version="0.1.0",mode="csp-app"}'), 1)
  t.equal(instance.received.filter((r) => r.url.includes('metrics')).length, 0, 'never forwarded')
  for (const secret of [APP_SECRET, ...csp.issued.keys()]) t.notOk(text.includes(secret), 'no secret or token in metrics')

  await call(`${proxy.url}/api/v2/source`)
  const again = (await call(`${proxy.url}/metrics`)).text
  t.equal(value(again, 'wavefront_auth_proxy_requests_total{route="api",method="GET",status="200"}'), 3, 'a later scrape counts on from the first')
  t.equal(value(again, 'wavefront_auth_proxy_requests_total{route="report",method="POST",status="202"}'), 1, 'and keeps what nothing added to')
  t.equal(value(again, 'wavefront_auth_proxy_upstream_duration_seconds_count{route="api"}'), 4)
})

t.test('upstream_duration_seconds is a Prometheus histogram per route: cumulative buckets, +Inf, sum and count', async (t) => {
  const { proxy, instance } = await startStack(t)
  for (let i = 0; i < 3; i++) await call(`${proxy.url}/api/v2/source`)
  instance.faults.push({ kind: 'slow', delayMs: 120 })
  await call(`${proxy.url}/report?f=wavefront`, { method: 'POST', body: 'x 1 source=a\n' })
  const text = (await call(`${proxy.url}/metrics`)).text
  const name = 'wavefront_auth_proxy_upstream_duration_seconds'
  const block = text.split('\n').filter((l) => l.includes(name))
  t.same(block.slice(0, 2), [`# HELP ${name} Time until the instance answered (response headers)`, `# TYPE ${name} histogram`])
  const bounds = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '30', '60', '+Inf']
  for (const [route, count] of [['api', 3], ['report', 1]] as const) {
    const series = [...bounds.map((le) => `${name}_bucket{le="${le}",route="${route}"}`), `${name}_sum{route="${route}"}`, `${name}_count{route="${route}"}`]
    t.same(block.filter((l) => l.includes(`route="${route}"`)).map((l) => l.split(' ')[0]), series, `${route}: every bucket, then sum and count`)
    const buckets = bounds.map((le) => value(text, `${name}_bucket{le="${le}",route="${route}"}`) ?? NaN)
    t.ok(buckets.every((b, i) => i === 0 || b >= (buckets[i - 1] as number)), `${route}: buckets are cumulative ${JSON.stringify(buckets)}`)
    t.equal(buckets.at(-1), count, `${route}: +Inf holds every request`)
    t.equal(value(text, `${name}_count{route="${route}"}`), count)
  }
  const reportSum = value(text, `${name}_sum{route="report"}`) ?? 0
  t.ok(reportSum >= 0.12 && reportSum < 60, `the sum is the answer time in seconds (${reportSum})`)
  t.equal(value(text, `${name}_bucket{le="0.1",route="report"}`), 0, 'an answer held back 120 ms is not counted under 0.1 s')
})

t.test('without a token the expiry gauge is 0 and the rejection is counted', async (t) => {
  const { proxy } = await startStack(t, { mode: 'api-token', cspOptions: { apiTokens: [] } })
  await proxy.logged((r) => r.event === 'token_fetch_failed')
  await call(`${proxy.url}/api/v2/source`)
  const text = (await call(`${proxy.url}/metrics`)).text
  t.equal(value(text, 'wavefront_auth_proxy_token_expiry_seconds'), 0)
  t.equal(value(text, 'wavefront_auth_proxy_token_fetches_total{outcome="rejected"}'), 1)
  t.equal(value(text, 'wavefront_auth_proxy_refused_total{reason="no_token"}'), 1)
  t.notOk(text.includes(API_TOKEN))
})

t.test('a static token never expires (+Inf)', async (t) => {
  const { proxy } = await startStack(t, { mode: 'static' })
  const text = (await call(`${proxy.url}/metrics`)).text
  t.equal(value(text, 'wavefront_auth_proxy_token_expiry_seconds'), Infinity)
  t.notOk(text.includes(STATIC_TOKEN))
})

t.test('METRICS=false turns the endpoint off, and it is still never forwarded', async (t) => {
  const { proxy, instance } = await startStack(t, { env: { METRICS: 'false' } })
  const res = await call(`${proxy.url}/metrics`)
  t.equal(res.status, 404)
  t.equal(instance.received.length, 0)
})
