import t from 'tap'
import { API_TOKEN, APP_ID, APP_SECRET, credentialsEnv, ORG_ID, startFakes, startProxy, startStack } from '../helpers/stack.js'
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

t.test('app mode sends Basic id:secret and grant_type=client_credentials, with orgId when set', async (t) => {
  const { csp } = await startStack(t, { env: { CSP_ORG_ID: ORG_ID } })
  await csp.requestsAnswered(1)
  const req = csp.requests[0]
  t.equal(req?.path, '/csp/gateway/am/api/auth/authorize')
  t.equal(req?.headers.authorization, 'Basic ' + Buffer.from(`${APP_ID}:${APP_SECRET}`).toString('base64'))
  t.equal(req?.headers['content-type'], 'application/x-www-form-urlencoded')
  t.equal(req?.form.get('grant_type'), 'client_credentials')
  t.equal(req?.form.get('orgId'), ORG_ID)
  t.notOk(req?.form.has('client_secret'), 'the secret is never in the body')
  t.equal(csp.requests[0]?.outcome, 200)
})

t.test('API-token mode posts api_token to the api-tokens endpoint', async (t) => {
  const { csp, proxy } = await startStack(t, { mode: 'api-token' })
  await csp.requestsAnswered(1)
  t.equal(csp.requests[0]?.path, '/csp/gateway/am/api/auth/api-tokens/authorize')
  t.equal(csp.requests[0]?.form.get('api_token'), API_TOKEN)
  t.equal((await call(`${proxy.url}/api/v2/source`)).status, 200)
})

t.test('static mode sends the Wavefront token as is and never calls CSP', async (t) => {
  const { csp, proxy, instance } = await startStack(t, { mode: 'static' })
  t.equal((await call(`${proxy.url}/api/v2/source`)).status, 200)
  t.equal(instance.received[0]?.headers.authorization, 'Bearer a411c16b-3cf7-4f03-bf11-8ca05aab898d')
  t.equal(csp.requests.length, 0)
})

t.test('a token request that fails leaves requests answered 503 with Retry-After, never forwarded', async (t) => {
  const { proxy, instance } = await startStack(t, { cspOptions: { apps: {} } })
  const res = await call(`${proxy.url}/api/v2/source`)
  t.equal(res.status, 503)
  t.match(res.headers['retry-after'], /^\d+$/)
  t.match(res.json(), { status: { result: 'ERROR', code: 503, message: /CSP rejected the app credentials \(HTTP 401, invalid_client\): check CSP_APP_ID and CSP_APP_SECRET/ } })
  t.equal(instance.received.length, 0)
})
