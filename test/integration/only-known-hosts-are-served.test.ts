// Only localhost, 127.0.0.1, [::1] and ALLOWED_HOSTS are served (no DNS rebinding): any other Host,
// a missing one or two of them are refused locally and never forwarded.
import t from 'tap'
import { call } from '../helpers/http.js'
import { rawRequest } from '../helpers/raw.js'
import { assertRefused, refusals } from '../helpers/refusals.js'
import { startStack } from '../helpers/stack.js'

t.test('DNS rebinding: only localhost, 127.0.0.1, [::1] and ALLOWED_HOSTS are served; any other Host gets 421 and is never forwarded', async (t) => {
  const { proxy, instance } = await startStack(t, { env: { ALLOWED_HOSTS: 'wavefront-auth-proxy.tools.svc,proxy.internal:8080' } })
  const port = proxy.port
  const served = ['localhost', `localhost:${port}`, 'LocalHost', '127.0.0.1', `127.0.0.1:${port}`, '[::1]', `[::1]:${port}`,
    'wavefront-auth-proxy.tools.svc', 'wavefront-auth-proxy.tools.svc:9191', 'WAVEFRONT-AUTH-PROXY.tools.svc', 'proxy.internal:8080']
  for (const host of served) t.equal((await call(`${proxy.url}/api/v2/source`, { headers: { host } })).status, 200, `Host: ${host} is served`)
  t.equal(instance.received.length, served.length)

  const rebound = ['attacker.example', `attacker.example:${port}`, 'localhost.attacker.example', 'localhost.', '127.0.0.2', '2130706433',
    '[::1]attacker.example', '[::2]', 'proxy.internal', 'proxy.internal:9999', 'tools.svc', 'localhost:80:80']
  for (const host of rebound) {
    assertRefused(t, await call(`${proxy.url}/api/v2/source`, { headers: { host } }), 421, /^Refused: the Host header names a host this proxy does not serve\. Use localhost, 127\.0\.0\.1 or \[::1\], or add the name to ALLOWED_HOSTS$/, `Host: ${host}`)
  }
  assertRefused(t, await call(`${proxy.url}/report?f=wavefront`, { method: 'POST', body: 'cpu 1 source=a\n', headers: { host: 'attacker.example' } }), 421, /ALLOWED_HOSTS/, 'ingestion too')
  t.equal(instance.received.length, served.length, 'nothing with a foreign Host was forwarded')
  t.equal((await refusals(proxy.url)).host, rebound.length + 1)
})

t.test('a request with no Host header, or with two, is refused 400 and never forwarded', async (t) => {
  const { proxy, instance } = await startStack(t)
  const twoHosts = await rawRequest(proxy.port, 'GET /api/v2/source HTTP/1.1\r\nHost: localhost\r\nHost: attacker.example\r\n\r\n')
  t.match(twoHosts, /^HTTP\/1\.1 400 /)
  t.match(twoHosts, /"message":"Refused: the request has more than one Host header\. Send exactly one Host header naming localhost, 127\.0\.0\.1, \[::1\] or a name in ALLOWED_HOSTS"/)
  const http10 = await rawRequest(proxy.port, 'GET /api/v2/source HTTP/1.0\r\n\r\n')
  t.match(http10, /^HTTP\/1\.1 400 /)
  t.match(http10, /"message":"Refused: the request has no Host header\./)
  const http11 = await rawRequest(proxy.port, 'GET /api/v2/source HTTP/1.1\r\nConnection: close\r\n\r\n')
  t.match(http11, /^HTTP\/1\.1 400 /)
  t.match(http11, /"message":"Refused: the request has no Host header\./, 'HTTP/1.1 without Host: the same envelope')
  const health = await rawRequest(proxy.port, 'GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n')
  t.match(health, /^HTTP\/1\.1 200 /, 'local endpoints do not need a Host')
  t.equal(instance.received.length, 0)
})
