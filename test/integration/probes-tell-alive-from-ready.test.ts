// The probes tell alive from ready: /healthz answers 200 while the process serves, token or not;
// /readyz is 503 with the reason until a token is held (static mode: always ready).
import t from 'tap'
import { call, envelopeMessage } from '../helpers/http.js'
import { credentialsEnv, startFakes, startProxy, startStack } from '../helpers/stack.js'

t.test('/healthz answers 200 while the process serves, token or not', async (t) => {
  const { proxy, instance } = await startStack(t, { cspOptions: { apps: {} } })
  const res = await call(`${proxy.url}/healthz`)
  t.equal(res.status, 200)
  t.match(res.json(), { status: { result: 'OK', code: 200 } })
  t.equal(instance.received.length, 0, 'never forwarded')
})

t.test('/readyz is 503 with the reason while the first token is being fetched', async (t) => {
  const { csp, instance } = await startFakes(t)
  csp.faults.push({ kind: 'hang' }) // the start-up token request never answers
  const proxy = await startProxy(t, { WAVEFRONT_URL: instance.url, CSP_BASE_URL: csp.url, PORT: '0', CSP_TIMEOUT_MS: '60000', ...credentialsEnv('app') })
  const notReady = await call(`${proxy.url}/readyz`)
  t.equal(notReady.status, 503)
  t.equal(envelopeMessage(notReady).message, 'not ready: fetching the first access token from CSP')
  t.equal(instance.received.length, 0, 'never forwarded')
})

t.test('/readyz reports a failed token fetch, and turns ready once a token is held', async (t) => {
  const { csp, instance } = await startFakes(t)
  csp.faults.push({ kind: 'status', status: 503 })
  const proxy = await startProxy(t, { WAVEFRONT_URL: instance.url, CSP_BASE_URL: csp.url, PORT: '0', ...credentialsEnv('app') })
  await proxy.logged((r) => r.event === 'token_fetch_failed')
  const failed = await call(`${proxy.url}/readyz`)
  t.equal(failed.status, 503)
  t.match(envelopeMessage(failed).message, /^not ready: CSP answered HTTP 503 to the token request/)
  await proxy.logged((r) => r.event === 'token_refreshed') // the retry after backoff succeeds
  const ready = await call(`${proxy.url}/readyz`)
  t.equal(ready.status, 200)
  t.match(ready.json(), { status: { result: 'OK' }, response: { mode: 'csp-app', tokenExpiresInSeconds: Number } })
})

t.test('static mode is always ready', async (t) => {
  const { proxy } = await startStack(t, { mode: 'static' })
  const res = await call(`${proxy.url}/readyz`)
  t.equal(res.status, 200)
  t.same(res.json(), { status: { result: 'OK', message: 'ready', code: 200 }, response: { mode: 'static-token' } })
})
