// Streamed uploads share UPLOAD_CONNECTIONS: when every one is busy, an upload waits its turn,
// and after UPSTREAM_TIMEOUT_MS of waiting it is answered 503 in the envelope without ever
// reaching the instance, while ordinary API calls go on being served.
import t from 'tap'
import { call, type Answer } from '../helpers/http.js'
import { heldUpload, MiB } from '../helpers/held-upload.js'
import { startStack } from '../helpers/stack.js'

const upload = async (url: string): Promise<Answer> =>
  await call(`${url}/report?f=wavefront`, { method: 'POST', body: Buffer.alloc(2 * MiB, 'b') })

t.test('every upload connection busy past UPSTREAM_TIMEOUT_MS: 503 saying so, never sent; GETs still served', async (t) => {
  const { proxy, instance } = await startStack(t, { env: { UPLOAD_CONNECTIONS: '1', UPSTREAM_TIMEOUT_MS: '1000', BODY_MIN_RATE: '0' } })
  const held = heldUpload(proxy.port)
  t.teardown(() => { held.socket.destroy() })
  await instance.nextArrival() // the held upload has its connection
  const waiting = upload(proxy.url)
  t.equal((await call(`${proxy.url}/api/v2/source`)).status, 200, 'an API call is served meanwhile')
  const refused = await waiting
  t.equal(refused.status, 503)
  const status = (JSON.parse(refused.text) as { status: { message: string, errorCode: string } }).status
  t.equal(status.errorCode, 'WAP_ERR_UPLOADS_BUSY')
  t.equal(status.message, 'All 1 connections for streamed uploads (UPLOAD_CONNECTIONS) stayed busy for 1000 ms, so this upload was not forwarded: retry later; if uploads often wait, raise UPLOAD_CONNECTIONS')
  t.equal(refused.headers['retry-after'], '10')
  t.match((await call(`${proxy.url}/metrics`)).text, /wavefront_auth_proxy_refused_total\{reason="uploads_busy"\} 1\n/)
  t.match(await held.finish(), /^HTTP\/1\.1 202 /, 'the held upload completes')
  t.same(instance.received.filter((r) => r.url.startsWith('/report')).map((r) => r.bodyBytes), [2 * MiB], 'only the held upload reached the instance')
  t.equal((await upload(proxy.url)).status, 202, 'the freed connection takes the next upload')
})

t.test('an upload waiting for a connection goes through as soon as one is free', async (t) => {
  const { proxy, instance } = await startStack(t, { env: { UPLOAD_CONNECTIONS: '1', UPSTREAM_TIMEOUT_MS: '30000', BODY_MIN_RATE: '0' } })
  const held = heldUpload(proxy.port)
  t.teardown(() => { held.socket.destroy() })
  await instance.nextArrival()
  const waiting = upload(proxy.url)
  setTimeout(() => { void held.finish() }, 300)
  t.equal((await waiting).status, 202)
  t.equal(instance.received.filter((r) => r.url.startsWith('/report')).length, 2)
})
