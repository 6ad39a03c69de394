// HTTP_PROXY, HTTPS_PROXY and NO_PROXY: CSP and the instance are reached through the outbound
// proxy (or directly, per NO_PROXY), a proxy that wants credentials takes them from its URL, and a
// refused tunnel is answered with the proxy's status and what to do, never as a proxy defect.
import t from 'tap'
import { runBinary } from '../helpers/binary.js'
import { call, envelopeMessage } from '../helpers/http.js'
import { APP_SECRET, credentialsEnv, startFakes, startProxy } from '../helpers/stack.js'
import { startForwardProxy } from '../fixtures/forward-proxy.js'

const hostPortOf = (url: string): string => new URL(url).host
const PROXY_PASSWORD = 'pr0xy@pass:w0rd'
const withCredentials = (url: string): string => url.replace('http://', `http://corp-user:${encodeURIComponent(PROXY_PASSWORD)}@`)

t.test('HTTP_PROXY: the token exchange and the forwarded request both go through the outbound proxy', async (t) => {
  const { csp, instance } = await startFakes(t)
  const outbound = await startForwardProxy(t)
  const proxy = await startProxy(t, { WAVEFRONT_URL: instance.url, CSP_BASE_URL: csp.url, PORT: '0', HTTP_PROXY: outbound.url, ...credentialsEnv('app') })
  const res = await call(`${proxy.url}/api/v2/source`)
  t.equal(res.status, 200, res.text)
  t.equal(instance.received.at(-1)?.auth, 'valid')
  t.ok(outbound.tunnels.includes(hostPortOf(csp.url)), `CSP through the proxy: ${outbound.tunnels.join(', ')}`)
  t.ok(outbound.tunnels.includes(hostPortOf(instance.url)), 'the instance through the proxy')
})

t.test('NO_PROXY=127.0.0.1: CSP and the instance are reached directly', async (t) => {
  const { csp, instance } = await startFakes(t)
  const outbound = await startForwardProxy(t)
  const proxy = await startProxy(t, { WAVEFRONT_URL: instance.url, CSP_BASE_URL: csp.url, PORT: '0', HTTP_PROXY: outbound.url, HTTPS_PROXY: outbound.url, NO_PROXY: 'localhost,127.0.0.1', ...credentialsEnv('app') })
  t.equal((await call(`${proxy.url}/api/v2/source`)).status, 200)
  t.equal(instance.received.at(-1)?.auth, 'valid')
  t.same(outbound.tunnels, [])
  t.same(outbound.relayed, [])
})

t.test('a proxy that wants credentials gets them from the URL: Basic, percent-decoded, never logged', async (t) => {
  const { csp, instance } = await startFakes(t)
  const outbound = await startForwardProxy(t, { credentials: `corp-user:${PROXY_PASSWORD}` })
  const proxy = await startProxy(t, { WAVEFRONT_URL: instance.url, CSP_BASE_URL: csp.url, PORT: '0', HTTP_PROXY: withCredentials(outbound.url), ...credentialsEnv('app') })
  const res = await call(`${proxy.url}/api/v2/source`)
  t.equal(res.status, 200, res.text)
  t.equal(outbound.tunnels.length, 2, 'CSP and the instance, both through the proxy')
  t.notOk(proxy.logs.join('\n').includes(PROXY_PASSWORD) || proxy.logs.join('\n').includes(encodeURIComponent(PROXY_PASSWORD)), 'the password is not logged')
  t.ok(outbound.proxyAuthorizations.every((a) => a === `Basic ${Buffer.from(`corp-user:${PROXY_PASSWORD}`).toString('base64')}`), 'sent on every CONNECT')
})

t.test('the instance behind a proxy refusing with 407: 502 naming the status and the fix, counted as proxy-refused', async (t) => {
  const { csp, instance } = await startFakes(t)
  const outbound = await startForwardProxy(t, { credentials: `corp-user:${PROXY_PASSWORD}` })
  // CSP is reached directly, so only the instance's tunnel is refused
  const proxy = await startProxy(t, { WAVEFRONT_URL: instance.url, CSP_BASE_URL: csp.url, PORT: '0', HTTP_PROXY: outbound.url, NO_PROXY: hostPortOf(csp.url), ...credentialsEnv('app') })
  const res = await call(`${proxy.url}/api/v2/source`)
  t.equal(res.status, 502, res.text)
  const body = JSON.parse(res.text) as { status: { message: string, errorCode: string } }
  t.equal(body.status.errorCode, 'WAP_ERR_OUTBOUND_PROXY_REFUSED')
  t.match(body.status.message, /outbound proxy \(HTTPS_PROXY or HTTP_PROXY\) refused to open a connection to the Wavefront instance \(HTTP 407\): it wants credentials: put them in the proxy URL/)
  t.equal(instance.received.length, 0)
  t.match((await call(`${proxy.url}/metrics`)).text, /wavefront_auth_proxy_upstream_errors_total\{kind="proxy-refused"\} 1\n/)
})

t.test('CSP behind a proxy refusing with 407: the 503 and the log say so, not that the proxy is shutting down', async (t) => {
  const { csp, instance } = await startFakes(t)
  const outbound = await startForwardProxy(t, { credentials: `corp-user:${PROXY_PASSWORD}` })
  const proxy = await startProxy(t, { WAVEFRONT_URL: instance.url, CSP_BASE_URL: csp.url, PORT: '0', HTTP_PROXY: outbound.url, ...credentialsEnv('app') })
  const failed = await proxy.logged((r) => r.event === 'token_fetch_failed')
  t.match(failed.msg, /refused to open a connection to CSP \(HTTP 407\): it wants credentials/)
  const res = await call(`${proxy.url}/api/v2/source`)
  t.equal(res.status, 503)
  t.match(envelopeMessage(res).message, /refused to open a connection to CSP \(HTTP 407\)/)
  t.notMatch(res.text, /shutting down/)
  t.equal(csp.requests.length, 0, 'nothing reached CSP')
})

t.test('check through a proxy that refuses its credentials: the token step names the refusal and the way out', async (t) => {
  const { csp, instance } = await startFakes(t)
  const outbound = await startForwardProxy(t, { credentials: 'someone:else' })
  const run = await runBinary({ WAVEFRONT_URL: instance.url, CSP_BASE_URL: csp.url, HTTP_PROXY: outbound.url, ...credentialsEnv('app') }, ['check'])
  t.equal(run.code, 1)
  t.match(run.stdout, /✗ token +the outbound proxy \(HTTPS_PROXY or HTTP_PROXY\) refused to open a connection to CSP \(HTTP 407\) at http:\/\/127\.0\.0\.1:\d+\n +→ fix: it wants credentials: put them in the proxy URL/)
  t.notOk(run.stdout.includes(APP_SECRET) || run.stderr.includes(APP_SECRET))
})
