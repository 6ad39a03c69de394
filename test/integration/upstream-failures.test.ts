// When no token or no answer can be had, the client gets 502, 503 or 504 in the Wavefront envelope
// saying what to check, with no internal address, and nothing unauthenticated is forwarded.
import t from 'tap'
import { call, envelopeMessage } from '../helpers/http.js'
import { freePort } from '../helpers/ports.js'
import { credentialsEnv, startFakes, startProxy, startStack } from '../helpers/stack.js'

t.test('no token: 503 with Retry-After and the reason, in the Wavefront envelope', async (t) => {
  const { proxy, instance } = await startStack(t, { mode: 'api-token', cspOptions: { apiTokens: [] } })
  const res = await call(`${proxy.url}/api/v2/source`)
  t.equal(res.status, 503)
  t.match(res.headers['content-type'], /^application\/json/)
  t.ok(Number(res.headers['retry-after']) >= 1, 'Retry-After in whole seconds')
  t.same(envelopeMessage(res), {
    result: 'ERROR',
    code: 503,
    message: 'No valid access token is available, so the request was not forwarded: CSP rejected the API token (HTTP 400, invalid_grant): check CSP_API_TOKEN: it may be mistyped, expired or revoked'
  })
  t.equal(instance.received.length, 0, 'never forwarded unauthenticated')
})

t.test('a token request that fails leaves requests answered 503 with Retry-After, never forwarded', async (t) => {
  const { proxy, instance } = await startStack(t, { cspOptions: { apps: {} } })
  const res = await call(`${proxy.url}/api/v2/source`)
  t.equal(res.status, 503)
  t.match(res.headers['retry-after'], /^\d+$/)
  t.match(res.json(), { status: { result: 'ERROR', code: 503, message: /CSP rejected the app credentials \(HTTP 401, invalid_client\): check CSP_APP_ID and CSP_APP_SECRET/ } })
  t.equal(instance.received.length, 0)
})

t.test('CSP unreachable: 503 naming what to check', async (t) => {
  const { instance } = await startFakes(t)
  const proxy = await startProxy(t, { WAVEFRONT_URL: instance.url, CSP_BASE_URL: `http://127.0.0.1:${await freePort()}`, PORT: '0', ...credentialsEnv('app') })
  const res = await call(`${proxy.url}/api/v2/source`)
  t.equal(res.status, 503)
  t.match(envelopeMessage(res).message, /CSP could not be reached \(ECONNREFUSED\): check CSP_BASE_URL, DNS and HTTPS_PROXY/)
  t.notMatch(res.text, /127\.0\.0\.1/, 'no internal address in the answer')
})

t.test('instance unreachable: 502 saying what to check, without the address', async (t) => {
  const { csp } = await startFakes(t)
  const proxy = await startProxy(t, { WAVEFRONT_URL: `http://127.0.0.1:${await freePort()}`, CSP_BASE_URL: csp.url, PORT: '0', ...credentialsEnv('app') })
  const res = await call(`${proxy.url}/api/v2/source`)
  t.equal(res.status, 502)
  t.same(envelopeMessage(res), { result: 'ERROR', code: 502, message: 'The Wavefront instance could not be reached (ECONNREFUSED): check WAVEFRONT_URL, DNS and any HTTPS_PROXY setting' })
  t.notMatch(res.text, /127\.0\.0\.1|at .*\.js/, 'no address, no stack trace')
})

t.test('instance too slow: 504 after UPSTREAM_TIMEOUT_MS', async (t) => {
  const { proxy, instance } = await startStack(t, { env: { UPSTREAM_TIMEOUT_MS: '200' } })
  instance.faults.push({ kind: 'hang' })
  const res = await call(`${proxy.url}/api/v2/source`)
  t.equal(res.status, 504)
  t.equal(envelopeMessage(res).message, 'The Wavefront instance did not answer within 200 ms: retry, narrow the query, or raise UPSTREAM_TIMEOUT_MS')
  t.equal((await call(`${proxy.url}/api/v2/source`)).status, 200, 'the next request is fine')
})

t.test('instance closes the connection before answering: 502', async (t) => {
  const { proxy, instance } = await startStack(t)
  instance.faults.push({ kind: 'reset-before-headers' })
  const res = await call(`${proxy.url}/api/v2/source`, { method: 'POST', body: '{}' })
  t.equal(res.status, 502)
  t.match(envelopeMessage(res).message, /closed the connection before answering/)
})

t.test('a CSP_BASE_URL with nothing at the token path (404): the 503 says to fix CSP_BASE_URL, not to wait for CSP', async (t) => {
  const { csp, instance } = await startFakes(t)
  const proxy = await startProxy(t, { WAVEFRONT_URL: instance.url, CSP_BASE_URL: `${csp.url}/not-csp`, PORT: '0', ...credentialsEnv('app') })
  const res = await call(`${proxy.url}/api/v2/source`)
  t.equal(res.status, 503)
  t.match(envelopeMessage(res).message, /CSP answered HTTP 404 to the token request: CSP_BASE_URL does not look like a CSP console; set it to https:\/\/console\.cloud\.vmware\.com \(Wavefront organizations\) or https:\/\/console\.tanzu\.broadcom\.com \(Broadcom's Tanzu products\), without a path/)
  t.notMatch(res.text, /status\.broadcom\.com/, 'not sent to the status page')
  t.equal(instance.received.length, 0)
})
