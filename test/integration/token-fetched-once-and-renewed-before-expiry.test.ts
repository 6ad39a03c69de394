// Requests share one token: 200 concurrent cold requests cause one CSP exchange, and under
// steady traffic each token is replaced before it expires, so none carries an expired one, and
// every refresh of a short token reaches CSP.
import t from 'tap'
import { credentialsEnv, startFakes, startProxy, startStack } from '../helpers/stack.js'
import { call } from '../helpers/http.js'

t.test('200 concurrent cold requests cause exactly one token request, and all succeed', async (t) => {
  const { csp, instance } = await startFakes(t)
  csp.faults.push({ kind: 'slow', delayMs: 300 }) // keep the start-up exchange in flight while requests pile up
  const proxy = await startProxy(t, { WAVEFRONT_URL: instance.url, CSP_BASE_URL: csp.url, PORT: '0', ...credentialsEnv('app') })
  const answers = await Promise.all(Array.from({ length: 200 }, async (_, i) => await call(`${proxy.url}/api/v2/source?limit=${i % 5}`)))
  t.same([...new Set(answers.map((a) => a.status))], [200], 'every request answered 200')
  t.equal(csp.requests.length, 1, 'one token request for all of them')
  t.equal(instance.received.length, 200)
  t.equal(instance.received.filter((r) => r.auth !== 'valid').length, 0, 'none forwarded without a valid token')
})

// The timing itself is tested on a simulated clock (test/unit/token-source.test.ts); this runs
// the real servers across four refreshes of 1-second tokens, about a second of real time.
t.test('across 1-second tokens, steady traffic never carries an expired token and never waits for a refresh', async (t) => {
  const { proxy, csp, instance } = await startStack(t, { lifetimeSeconds: 1 })
  await csp.requestsAnswered(1)
  const statuses = new Map<number, number>()
  const worker = async (): Promise<void> => {
    while (csp.requests.length < 5) {
      const res = await call(`${proxy.url}/api/v2/alert`)
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
    }
  }
  await Promise.all(Array.from({ length: 8 }, worker))
  t.same([...statuses.keys()], [200], `all answered 200 (${statuses.get(200) ?? 0} requests)`)
  t.equal(instance.expiredTokenRequests, 0, 'no expired token reached the instance')
  // Each replacement was issued while its predecessor was still valid: no gap where requests would wait.
  const issued = [...csp.issued.values()].sort((a, b) => a.issuedAt - b.issuedAt)
  t.ok(issued.length >= 4, `${issued.length} tokens issued`)
  for (let i = 1; i < issued.length; i++) {
    t.ok((issued[i] as { issuedAt: number }).issuedAt < (issued[i - 1] as { expiresAt: number }).expiresAt, `token ${i + 1} issued before token ${i} expired`)
  }
})

t.test('with 4-second tokens every refresh reaches CSP: the shortened attempt timeout is whole milliseconds', async (t) => {
  // the refresh of a short token may take a third of its remaining life; a fraction of a
  // millisecond made AbortSignal.timeout() throw, so most refreshes failed before reaching CSP
  const { proxy, csp } = await startStack(t, { lifetimeSeconds: 4 })
  await csp.requestsAnswered(5)
  t.same(csp.requests.map((r) => r.outcome), [200, 200, 200, 200, 200])
  t.same(proxy.logs.filter((l) => l.includes('"token_fetch_failed"')), [], 'no failed attempt in between')
})
