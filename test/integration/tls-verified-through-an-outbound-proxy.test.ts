// Through an HTTPS_PROXY tunnel the instance's certificate is still verified, whatever
// NODE_TLS_REJECT_UNAUTHORIZED says, and a private CA from NODE_EXTRA_CA_CERTS still applies.
import t from 'tap'
import { startForwardProxy } from '../fixtures/forward-proxy.js'
import { CA_FILE, ISSUED, SELF_SIGNED, tlsFront } from '../fixtures/tls-front.js'
import { startBinary } from '../helpers/binary.js'
import { call, envelopeMessage } from '../helpers/http.js'
import { credentialsEnv, startFakes, startProxy } from '../helpers/stack.js'

t.test('HTTPS_PROXY: the instance\'s certificate is still verified through the tunnel', async (t) => {
  const { csp, instance } = await startFakes(t)
  const outbound = await startForwardProxy(t)
  const front = await tlsFront(t, instance.url, SELF_SIGNED)
  const proxy = await startProxy(t, { WAVEFRONT_URL: front.url, CSP_BASE_URL: csp.url, PORT: '0', HTTPS_PROXY: outbound.url, ...credentialsEnv('app') })
  const res = await call(`${proxy.url}/api/v2/source`)
  t.equal(res.status, 502)
  t.match(envelopeMessage(res).message, /could not be verified \(DEPTH_ZERO_SELF_SIGNED_CERT\), so no token was sent/)
  t.same(outbound.tunnels, [front.hostPort], 'the tunnel was opened (CSP, plain http, went direct)')
  await front.handshakeRefused
  t.same(front.requests, [], 'but nothing was sent through it')
})

t.test('HTTPS_PROXY with a private CA: the real binary reaches both over verified TLS through the tunnel', async (t) => {
  const { csp, instance } = await startFakes(t)
  const outbound = await startForwardProxy(t)
  const cspFront = await tlsFront(t, csp.url, ISSUED)
  const instanceFront = await tlsFront(t, instance.url, ISSUED)
  const proxy = await startBinary(t, { WAVEFRONT_URL: instanceFront.url, CSP_BASE_URL: cspFront.url, PORT: '0', HTTPS_PROXY: outbound.url, NODE_EXTRA_CA_CERTS: CA_FILE, ...credentialsEnv('app') })
  const res = await call(`${proxy.url}/api/v2/source`)
  t.equal(res.status, 200, res.text)
  t.equal(instance.received.at(-1)?.auth, 'valid')
  t.same([...outbound.tunnels].sort(), [cspFront.hostPort, instanceFront.hostPort].sort())
})

t.test('HTTPS_PROXY: verification does not depend on NODE_TLS_REJECT_UNAUTHORIZED either', async (t) => {
  const { csp, instance } = await startFakes(t)
  const outbound = await startForwardProxy(t)
  const front = await tlsFront(t, instance.url, SELF_SIGNED)
  const proxy = await startBinary(t, { WAVEFRONT_URL: front.url, CSP_BASE_URL: csp.url, PORT: '0', HTTPS_PROXY: outbound.url, NODE_TLS_REJECT_UNAUTHORIZED: '0', ...credentialsEnv('app') })
  const res = await call(`${proxy.url}/api/v2/source`)
  t.equal(res.status, 502, res.text)
  t.same(front.requests, [], 'no token crossed the tunnel')
})
