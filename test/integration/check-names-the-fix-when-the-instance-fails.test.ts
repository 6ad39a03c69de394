// When the instance refuses or cannot be reached, `check` exits 1 and says which setting to fix,
// within the configured timeout, and prints no secret.
import t, { type Test } from 'tap'
import type { WavefrontFault } from '../fixtures/fake-wavefront.js'
import { assertNoSecrets, closedPortUrl, fakesEnv, runCheck, type Run } from '../helpers/check.js'
import type { Mode } from '../helpers/stack.js'

/** `check` against an instance that answers once with `fault`: exits 1 and prints no secret. */
async function failingCheck (t: Test, mode: Mode, fault: WavefrontFault): Promise<Run> {
  const { env, csp, instance } = await fakesEnv(t, mode)
  instance.faults.push(fault)
  const run = await runCheck(env)
  t.equal(run.code, 1)
  assertNoSecrets(t, run, csp)
  return run
}

t.test('the instance answering 401: exit 1, says the credential lacks access', async (t) => {
  const run = await failingCheck(t, 'app', { kind: 'status', status: 401 })
  t.match(run.stdout, /✓ token +ok: from http:\/\/127\.0\.0\.1:\d+, lifetime/)
  t.match(run.stdout, /✗ instance +GET \/api\/v2\/source\?limit=1 answered 401: injected failure\n +→ fix: the app lacks access to this instance or its API/)
  t.match(run.stdout, /\ncheck failed\n$/)
})

t.test('the instance refusing a static token: the fix names WAVEFRONT_TOKEN', async (t) => {
  const run = await failingCheck(t, 'static', { kind: 'status', status: 403, body: 'not json' })
  t.match(run.stdout, /✗ instance +GET \/api\/v2\/source\?limit=1 answered 403: Forbidden\n +→ fix: the instance refused WAVEFRONT_TOKEN/)
})

t.test('a 200 that is not the Wavefront API: exit 1, says to check WAVEFRONT_URL', async (t) => {
  const run = await failingCheck(t, 'app', { kind: 'status', status: 200, body: '<html>login</html>' })
  t.match(run.stdout, /✗ instance +GET \/api\/v2\/source\?limit=1 answered 200 without a Wavefront API response\n +→ fix: check that WAVEFRONT_URL/)
})

t.test('the instance unreachable: exit 1, says to check WAVEFRONT_URL', async (t) => {
  const { env, csp } = await fakesEnv(t, 'app')
  const run = await runCheck({ ...env, WAVEFRONT_URL: await closedPortUrl() })
  t.equal(run.code, 1)
  t.match(run.stdout, /✓ token +ok/)
  t.match(run.stdout, /✗ instance +The Wavefront instance could not be reached \(ECONNREFUSED\)\n +→ fix: check WAVEFRONT_URL/)
  assertNoSecrets(t, run, csp)
})

t.test('the instance hanging: exit 1 within UPSTREAM_TIMEOUT_MS plus start-up', async (t) => {
  const { env, csp, instance } = await fakesEnv(t, 'app')
  instance.faults.push({ kind: 'hang' })
  const run = await runCheck({ ...env, UPSTREAM_TIMEOUT_MS: '300' })
  t.equal(run.code, 1)
  t.match(run.stdout, /✗ instance +The Wavefront instance did not answer within 300 ms\n/)
  t.ok(run.ms < 14000, `finished in ${run.ms} ms, before the 15 s cap would have ended it`)
  assertNoSecrets(t, run, csp)
})
