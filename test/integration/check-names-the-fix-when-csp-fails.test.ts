// When the token cannot be had, `check` exits 1, says what CSP answered and which setting to fix
// (naming the other CSP console where that is the likely cause), skips the instance, prints no secret.
import t from 'tap'
import { assertNoSecrets, closedPortUrl, fakesEnv, runCheck, WRONG_API_TOKEN, WRONG_SECRET } from '../helpers/check.js'

t.test('CSP rejecting the app credentials: exit 1, names the variables to fix, skips the instance', async (t) => {
  const { env, csp, instance } = await fakesEnv(t, 'app')
  const run = await runCheck({ ...env, CSP_APP_SECRET: WRONG_SECRET })
  t.equal(run.code, 1)
  t.match(run.stdout, `✗ token          CSP rejected the app credentials (HTTP 401, invalid_client) at ${csp.url}\n`, 'names the CSP host it used')
  t.match(run.stdout, /\n +→ fix: check CSP_APP_ID and CSP_APP_SECRET .*; or, if this app \(and org\) belongs to the other CSP console, set CSP_BASE_URL=https:\/\/console\.cloud\.vmware\.com or https:\/\/console\.tanzu\.broadcom\.com\n/)
  t.match(run.stdout, /- instance +skipped/)
  t.match(run.stdout, /\ncheck failed\n$/)
  t.notMatch(run.stdout, /all checks passed/)
  t.equal(instance.received.length, 0, 'the instance is not called without a token')
  assertNoSecrets(t, run, csp)
})

t.test('CSP rejecting the API token: exit 1, names CSP_API_TOKEN, never echoes CSP\'s text', async (t) => {
  const { env, csp } = await fakesEnv(t, 'api-token')
  const run = await runCheck({ ...env, CSP_API_TOKEN: WRONG_API_TOKEN })
  t.equal(run.code, 1)
  t.match(run.stdout, /✗ token +CSP rejected the API token \(HTTP 400, invalid_grant\) at http:\/\/127\.0\.0\.1:\d+\n +→ fix: check CSP_API_TOKEN.*; or, if this API token belongs to the other CSP console, set CSP_BASE_URL=/)
  t.notMatch(run.stdout, /Invalid refresh token/, 'CSP\'s own message (which quotes the token) is not shown')
  assertNoSecrets(t, run, csp)
})

t.test('a CSP that does not know the app or the org: the fix names the other CSP host', async (t) => {
  const { env, csp } = await fakesEnv(t, 'app')
  const unknown: Array<[string, Record<string, string>]> = [['an unknown app', { CSP_APP_ID: 'app-from-the-other-console' }], ['an unknown org', { CSP_ORG_ID: 'org-from-the-other-console' }]]
  for (const [what, wrong] of unknown) {
    const run = await runCheck({ ...env, ...wrong })
    t.equal(run.code, 1)
    t.match(run.stdout, /✗ token +CSP rejected the app credentials \(HTTP 40[01], invalid_\w+\) at /, what)
    t.match(run.stdout, /→ fix: .*set CSP_BASE_URL=https:\/\/console\.cloud\.vmware\.com or https:\/\/console\.tanzu\.broadcom\.com\n/, what)
    assertNoSecrets(t, run, csp)
  }
})

t.test('CSP forbidding the app (403): the fix names the credentials and the other CSP host', async (t) => {
  const { env, csp } = await fakesEnv(t, 'app')
  csp.faults.push({ kind: 'status', status: 403, body: '{"statusCode":403,"errorCode":"forbidden","message":"Forbidden"}' })
  const run = await runCheck(env)
  t.equal(run.code, 1)
  t.match(run.stdout, /✗ token +CSP rejected the app credentials \(HTTP 403, forbidden\) at /)
  t.match(run.stdout, /→ fix: check CSP_APP_ID and CSP_APP_SECRET.*; or, if this app \(and org\) belongs to the other CSP console, set CSP_BASE_URL=https:\/\/console\.cloud\.vmware\.com or https:\/\/console\.tanzu\.broadcom\.com\n/)
  assertNoSecrets(t, run, csp)
})

t.test('CSP answering 404 on the token path: the fix says CSP_BASE_URL is not a CSP console and names both hosts', async (t) => {
  const { env, csp, instance } = await fakesEnv(t, 'app')
  const run = await runCheck({ ...env, CSP_BASE_URL: `${csp.url}/not-csp` })
  t.equal(run.code, 1)
  t.match(run.stdout, `✗ token          CSP answered HTTP 404 to the token request at ${csp.url}/not-csp\n`)
  t.match(run.stdout, /→ fix: CSP_BASE_URL does not look like a CSP console: set it to https:\/\/console\.cloud\.vmware\.com or https:\/\/console\.tanzu\.broadcom\.com \(Wavefront organizations sign in at https:\/\/console\.cloud\.vmware\.com, Broadcom's Tanzu products at https:\/\/console\.tanzu\.broadcom\.com\)\n/)
  t.equal(instance.received.length, 0)
})

t.test('CSP unreachable: exit 1, says to check CSP_BASE_URL', async (t) => {
  const { env, csp, instance } = await fakesEnv(t, 'app')
  const run = await runCheck({ ...env, CSP_BASE_URL: await closedPortUrl() })
  t.equal(run.code, 1)
  t.match(run.stdout, /✗ token +CSP could not be reached \(ECONNREFUSED\) at http:\/\/127\.0\.0\.1:\d+\n +→ fix: check CSP_BASE_URL, DNS and HTTPS_PROXY\n/)
  t.equal(instance.received.length, 0)
  assertNoSecrets(t, run, csp)
})

t.test('CSP hanging: the check still reports and exits 1 within CSP_TIMEOUT_MS plus start-up', async (t) => {
  const { env, csp } = await fakesEnv(t, 'app')
  csp.persistentFault = { kind: 'hang' }
  const run = await runCheck({ ...env, CSP_TIMEOUT_MS: '300' })
  t.equal(run.code, 1)
  t.match(run.stdout, /✗ token +CSP did not answer the token request within 300 ms at http:\/\/127\.0\.0\.1:\d+\n +→ fix: raise CSP_TIMEOUT_MS/)
  t.ok(run.ms < 9000, `finished in ${run.ms} ms, before the 10 s default CSP timeout would have ended it`)
  assertNoSecrets(t, run, csp)
})
