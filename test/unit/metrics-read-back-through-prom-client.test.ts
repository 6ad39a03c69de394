// requests_total and upstream_duration_seconds are counted by hand for speed. Read back through
// prom-client's registry they must give what prom-client's own Counter and Histogram give for
// the same observations: the same JSON (getMetricsAsJSON) and the same exposition text.
import client from 'prom-client'
import t from 'tap'
import { Metrics } from '../../src/observe/metrics.js'
import { RequestCounter, RouteHistogram } from '../../src/observe/request-metrics.js'
import type { Completion, ForwardedRoute } from '../../src/vocabulary.js'

const BUCKETS = [0.005, 0.01, 0.1, 1, 10]

/** A registry's metrics as JSON, each metric's samples in a fixed order: the order of series
 * within a metric means nothing to Prometheus, and prom-client keeps first-seen order. */
async function json (registry: client.Registry): Promise<unknown[]> {
  const key = (v: { metricName?: string, labels: object }): string => `${v.metricName ?? ''}${JSON.stringify(v.labels)}`
  const metrics = (await registry.getMetricsAsJSON()).map((m) => ({ ...m, values: [...m.values].sort((a, b) => key(a).localeCompare(key(b))) }))
  return JSON.parse(JSON.stringify(metrics)) as unknown[] // as JSON: a key set to undefined is no key
}

/** The exposition text, its lines sorted within each metric block. */
async function text (registry: client.Registry): Promise<string[]> {
  return (await registry.metrics()).split('\n# HELP').map((block) => block.split('\n').sort().join('\n'))
}

function pair (): { ours: client.Registry, theirs: client.Registry, count: (route: ForwardedRoute, method: string, status: number) => void, observe: (route: ForwardedRoute, seconds: number) => void } {
  const ours = new client.Registry()
  const theirs = new client.Registry()
  const counter = new RequestCounter({ name: 'requests_total', help: 'requests', registers: [ours] })
  const histogram = new RouteHistogram({ name: 'upstream_seconds', help: 'seconds', buckets: BUCKETS, registers: [ours] })
  const promCounter = new client.Counter({ name: 'requests_total', help: 'requests', labelNames: ['route', 'method', 'status'], registers: [theirs] })
  const promHistogram = new client.Histogram({ name: 'upstream_seconds', help: 'seconds', labelNames: ['route'], buckets: BUCKETS, registers: [theirs] })
  return {
    ours,
    theirs,
    count: (route, method, status) => {
      counter.count(route, method, status)
      promCounter.inc({ route, method, status: String(status) })
    },
    observe: (route, seconds) => {
      histogram.observe(route, seconds)
      promHistogram.observe({ route }, seconds)
    }
  }
}

t.test('the hand-counted metrics read back as prom-client counts them, scrape after scrape', async (t) => {
  const { ours, theirs, count, observe } = pair()
  t.same(await json(ours), await json(theirs), 'nothing counted yet')
  for (let i = 0; i < 7; i++) count('api', 'GET', 200)
  count('api', 'GET', 429)
  count('report', 'POST', 202)
  count('api', 'DELETE', 404)
  for (const seconds of [0.001, 0.005, 0.0051, 0.05, 0.5, 2, 30, 0.01]) observe('api', seconds)
  observe('report', 0.2)
  t.same(await json(ours), await json(theirs), 'the same JSON')
  t.same(await text(ours), await text(theirs), 'the same exposition text')

  count('api', 'GET', 200)
  count('report', 'PUT', 500)
  observe('report', 3)
  t.same(await json(ours), await json(theirs), 'a later scrape counts on from the first')
  t.same(await text(ours), await text(theirs))
})

t.test('the values read back are the ones counted', async (t) => {
  const { ours, count, observe } = pair()
  for (let i = 0; i < 3; i++) count('api', 'GET', 200)
  observe('api', 0.02)
  observe('api', 5)
  const json = await ours.getMetricsAsJSON()
  const requests = json.find((m) => m.name === 'requests_total')
  t.same(requests?.values, [{ value: 3, labels: { route: 'api', method: 'GET', status: '200' } }])
  const seconds = (json.find((m) => m.name === 'upstream_seconds')?.values ?? []) as Array<{ metricName: string, value: number, labels: Record<string, string | number> }>
  t.same(seconds.filter((v) => v.metricName === 'upstream_seconds_bucket').map((v) => [v.labels.le, v.value]), [[0.005, 0], [0.01, 0], [0.1, 1], [1, 1], [10, 2], ['+Inf', 2]])
  t.match(seconds.find((v) => v.metricName === 'upstream_seconds_sum'), { value: 5.02 })
  t.match(seconds.find((v) => v.metricName === 'upstream_seconds_count'), { value: 2 })
})

t.test('the completion event counts requests_total for the forwarded routes only', async (t) => {
  const metrics = new Metrics('static-token')
  const done = (route: Completion['route'], status: number): void => {
    metrics.completed({ requestId: 'r', method: 'GET', route, path: '/', status, ms: 1, bytes: 0, aborted: false })
  }
  done('api', 200)
  done('report', 202)
  done('healthz', 200)
  done('metrics', 200)
  done('none', 404)
  const requests = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === 'wavefront_auth_proxy_requests_total')
  t.same(requests?.values.map((v) => [v.labels.route, v.labels.status, v.value]), [['api', '200', 1], ['report', '202', 1]])
})
