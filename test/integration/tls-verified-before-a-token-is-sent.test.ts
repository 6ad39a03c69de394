// A token is sent only over TLS the proxy can verify: an instance or CSP whose certificate fails
// gets no request (502 or 503 saying why), and NODE_EXTRA_CA_CERTS adds a private CA.
import t from 'tap'
import { CA_FILE, ISSUED, SELF_SIGNED, tlsFront } from '../fixtures/tls-front.js'
import { startBinary } from '../helpers/binary.js'
import { call, envelopeMessage } from '../helpers/http.js'
import { credentialsEnv, startFakes, startProxy } from '../helpers/stack.js'

t.test('an instance whose certificate cannot be verified gets no request and no token: 502 saying so', async (t) => {
  const { csp, instance } = await startFakes(t)
  for (const [what, identity, code] of [['self-signed', SELF_SIGNED, 'DEPTH_ZERO_SELF_SIGNED_CERT'], ['issued by an unknown CA', ISSUED, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE']] as const) {
    const front = await tlsFront(t, instance.url, identity)
    const proxy = await startProxy(t, { WAVEFRONT_URL: front.url, CSP_BASE_URL: csp.url, PORT: '0', ...credentialsEnv('app') })
    const res = await call(`${proxy.url}/api/v2/source`)
    t.equal(res.status, 502, what)
    t.same(envelopeMessage(res), {
      result: 'ERROR',
      code: 502,
      message: `The Wavefront instance presented a TLS certificate that could not be verified (${code}), so no token was sent: for a private CA set NODE_EXTRA_CA_CERTS to its PEM file`
    }, what)
    await front.handshakeRefused // the proxy did try, and walked away during the handshake
    t.same(front.requests, [], `${what}: no request crossed the connection`)
  }
  t.equal(csp.requests.length, 2, 'each proxy held a token it did not send')
  t.same(instance.received, [])
})

t.test('CSP with a certificate that cannot be verified: 503 whose message names the certificate, and no credential sent', async (t) => {
  const { csp, instance } = await startFakes(t)
  const front = await tlsFront(t, csp.url, SELF_SIGNED)
  const proxy = await startProxy(t, { WAVEFRONT_URL: instance.url, CSP_BASE_URL: front.url, PORT: '0', ...credentialsEnv('app') })
  const res = await call(`${proxy.url}/api/v2/source`)
  t.equal(res.status, 503)
  t.match(envelopeMessage(res).message, /^No valid access token is available, so the request was not forwarded: CSP presented a TLS certificate that could not be verified \(DEPTH_ZERO_SELF_SIGNED_CERT\): for a private CA set NODE_EXTRA_CA_CERTS/)
  t.same(front.requests, [], 'the app secret never crossed the connection')
  t.same(csp.requests, [])
  t.same(instance.received, [])
})

t.test('NODE_EXTRA_CA_CERTS trusts a private CA: the real binary reaches CSP and the instance over verified TLS', async (t) => {
  const { csp, instance } = await startFakes(t)
  const cspFront = await tlsFront(t, csp.url, ISSUED)
  const instanceFront = await tlsFront(t, instance.url, ISSUED)
  const proxy = await startBinary(t, { WAVEFRONT_URL: instanceFront.url, CSP_BASE_URL: cspFront.url, PORT: '0', NODE_EXTRA_CA_CERTS: CA_FILE, ...credentialsEnv('app') })
  const res = await call(`${proxy.url}/api/v2/source?limit=1`)
  t.equal(res.status, 200, res.text)
  t.equal(instance.received.at(-1)?.auth, 'valid')
  t.same(instanceFront.requests, ['GET /api/v2/source?limit=1'])
  t.equal(cspFront.requests.length, 1)

  // The private CA vouches for what it issued, not for any self-signed certificate.
  const stranger = await tlsFront(t, instance.url, SELF_SIGNED)
  const strict = await startBinary(t, { WAVEFRONT_URL: stranger.url, CSP_BASE_URL: cspFront.url, PORT: '0', NODE_EXTRA_CA_CERTS: CA_FILE, ...credentialsEnv('app') })
  const refused = await call(`${strict.url}/api/v2/source`)
  t.equal(refused.status, 502)
  t.match(envelopeMessage(refused).message, /could not be verified \(DEPTH_ZERO_SELF_SIGNED_CERT\), so no token was sent/)
  t.same(stranger.requests, [])
})
