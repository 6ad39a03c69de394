// Secrets mounted from Kubernetes Secrets rotate without a restart. Kubernetes writes each
// version into a new directory and swaps the `..data` symlink; the file the proxy reads is a
// symlink through it.
import t from 'tap'
import { call } from '../helpers/http.js'
import { secretVolume } from '../helpers/secret-volume.js'
import { APP_ID, APP_SECRET, STATIC_TOKEN, startFakes, startProxy } from '../helpers/stack.js'

t.test('a wrong app secret fixed in the mounted Secret takes effect without a restart', async (t) => {
  const { csp, instance } = await startFakes(t)
  const secret = secretVolume('csp-app-secret', 'an-old-secret-value')
  const proxy = await startProxy(t, { WAVEFRONT_URL: instance.url, CSP_BASE_URL: csp.url, PORT: '0', CSP_APP_ID: APP_ID, CSP_APP_SECRET_FILE: secret.path })
  await proxy.logged((r) => r.event === 'token_fetch_failed')
  t.equal((await call(`${proxy.url}/api/v2/source`)).status, 503, 'rejected while the secret is wrong')

  secret.update(APP_SECRET)
  await proxy.logged((r) => r.event === 'credentials_changed')
  await proxy.logged((r) => r.event === 'token_refreshed')
  t.equal((await call(`${proxy.url}/api/v2/source`)).status, 200, 'the new secret is used at once, not after the 15 s backoff')
  t.equal(csp.requests.length, 2)
  t.notMatch(proxy.logs.join('\n'), /an-old-secret-value|Zq9xV2pL8wR4/, 'neither secret is logged')
})

t.test('a regenerated app secret: the instance refuses the old token, the rotated file provides the new secret', async (t) => {
  const { csp, instance } = await startFakes(t)
  const secret = secretVolume('csp-app-secret', APP_SECRET)
  const proxy = await startProxy(t, { WAVEFRONT_URL: instance.url, CSP_BASE_URL: csp.url, PORT: '0', CSP_APP_ID: APP_ID, CSP_APP_SECRET_FILE: secret.path })
  await proxy.logged((r) => r.event === 'token_refreshed')

  // The operator regenerates the secret at CSP (old tokens die at once), then updates the Secret.
  const app = csp.apps.get(APP_ID)
  if (app !== undefined) app.secret = 'the-regenerated-secret'
  csp.revokeAll()
  secret.update('the-regenerated-secret')
  await proxy.logged((r) => r.event === 'credentials_changed')
  await proxy.logged((r) => r.event === 'token_refreshed' && csp.requests.some((q) => q.outcome === 200 && q !== csp.requests[0]))
  const res = await call(`${proxy.url}/api/v2/source`)
  t.equal(res.status, 200)
  t.equal(instance.received.at(-1)?.auth, 'valid')
})

t.test('a rotated WAVEFRONT_TOKEN_FILE is sent from the next request on', async (t) => {
  const { instance } = await startFakes(t)
  const secret = secretVolume('token', STATIC_TOKEN)
  const proxy = await startProxy(t, { WAVEFRONT_URL: instance.url, PORT: '0', WAVEFRONT_TOKEN_FILE: secret.path })
  t.equal((await call(`${proxy.url}/api/v2/source`)).status, 200)

  const next = 'b522d27c-4df8-4a14-bf22-9bb6bbc9ac9e'
  instance.staticTokens.add(next)
  secret.update(next)
  await proxy.logged((r) => r.event === 'credentials_changed')
  t.equal((await call(`${proxy.url}/api/v2/source`)).status, 200)
  t.equal(instance.received.at(-1)?.headers.authorization, `Bearer ${next}`)
})
