// The proxy binds 127.0.0.1 by default, silently; a non-loopback HOST logs a warning naming the risk.
import t from 'tap'
import { nextLogRecord, parse, startBinary } from '../helpers/binary.js'
import { call } from '../helpers/http.js'
import { credentialsEnv, startFakes } from '../helpers/stack.js'

t.test('the default bind is 127.0.0.1, silently; HOST=0.0.0.0 logs a warning that names the risk', async (t) => {
  const { csp, instance } = await startFakes(t)
  const env = { WAVEFRONT_URL: instance.url, CSP_BASE_URL: csp.url, PORT: '0', ...credentialsEnv('app') }
  const local = await startBinary(t, env)
  t.match(local.url, /^http:\/\/127\.0\.0\.1:\d+$/)
  await call(`${local.url}/healthz`)
  await nextLogRecord(local, (r) => r.path === '/healthz') // every line logged at start-up is in by now
  t.notOk(local.stdout.map(parse).some((r) => r?.event === 'exposed'), 'no warning on loopback')

  const exposed = await startBinary(t, { ...env, HOST: '0.0.0.0' })
  const warning = await nextLogRecord(exposed, (r) => r.event === 'exposed')
  t.equal(warning.level, 40, 'logged at warn')
  t.match(warning.msg, /^listening on 0\.0\.0\.0, not loopback: anyone who can reach this address acts with the configured credential\. Restrict who can connect \(ALLOWED_CLIENTS, a NetworkPolicy\) and set ALLOWED_HOSTS/)
})
