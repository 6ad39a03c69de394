// An invalid configuration makes `check` exit 2 with the problem on stderr, before it contacts anything.
import t from 'tap'
import { assertNoSecrets, runCheck } from '../helpers/check.js'
import { APP_SECRET, startFakes, STATIC_TOKEN } from '../helpers/stack.js'

t.test('an invalid configuration exits 2 with the problem on stderr, before any check', async (t) => {
  const { csp, instance } = await startFakes(t)
  const run = await runCheck({ WAVEFRONT_URL: instance.url, CSP_BASE_URL: csp.url, CSP_APP_SECRET: APP_SECRET, WAVEFRONT_TOKEN: STATIC_TOKEN })
  t.equal(run.code, 2)
  t.match(run.stderr, /credentials for more than one mode are set \(CSP_APP_SECRET, WAVEFRONT_TOKEN\)/)
  t.equal(run.stdout, '')
  t.equal(csp.requests.length + instance.received.length, 0, 'nothing was contacted')
  assertNoSecrets(t, run, csp)
})
