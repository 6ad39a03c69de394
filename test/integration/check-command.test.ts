// `wavefront-auth-proxy check`, run as users run it: the built binary in a child process with an
// explicit environment, against the fake CSP and fake instance.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { Writable } from 'node:stream'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { runCheck as runCheckInProcess } from '../../src/commands/check.js'
import { loadConfig } from '../../src/config/load.js'
import type { FakeCsp } from '../fixtures/fake-csp.js'
import type { FakeWavefront, WavefrontFault } from '../fixtures/fake-wavefront.js'
import { runBinary } from '../helpers/binary.js'
import { API_TOKEN, APP_ID, APP_SECRET, credentialsEnv, startFakes, STATIC_TOKEN, type Mode } from '../helpers/stack.js'

const WRONG_SECRET = 'wrong-secret-Gd7kP2sQ'
const WRONG_API_TOKEN = 'wrong-api-token-Lm4vX9cE'

interface Run { code: number | null, stdout: string, stderr: string, ms: number }

async function runCheck (env: Record<string, string>): Promise<Run> {
  const started = Date.now()
  const run = await runBinary(env, ['check'])
  return { ...run, ms: Date.now() - started }
}

/** No credential, no base64 of id:secret and no token CSP issued appears anywhere in the output. */
function assertNoSecrets (t: Test, run: Run, csp: FakeCsp): void {
  const values: Array<[string, string]> = [
    ['CSP_APP_SECRET', APP_SECRET], ['CSP_API_TOKEN', API_TOKEN], ['WAVEFRONT_TOKEN', STATIC_TOKEN],
    ['a wrong app secret', WRONG_SECRET], ['a wrong API token', WRONG_API_TOKEN],
    ['base64 of id:secret', Buffer.from(`${APP_ID}:${APP_SECRET}`).toString('base64')],
    ['base64 of id:wrong secret', Buffer.from(`${APP_ID}:${WRONG_SECRET}`).toString('base64')],
    ...[...csp.issued.keys()].map((v): [string, string] => ['an issued access token', v])
  ]
  for (const [name, value] of values) {
    t.notOk(run.stdout.includes(value), `stdout does not contain ${name}`)
    t.notOk(run.stderr.includes(value), `stderr does not contain ${name}`)
  }
}

async function closedPortUrl (): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `http://127.0.0.1:${port}`
}

async function fakesEnv (t: Test, mode: Mode): Promise<{ env: Record<string, string>, csp: FakeCsp, instance: FakeWavefront }> {
  const { csp, instance } = await startFakes(t)
  return { csp, instance, env: { WAVEFRONT_URL: instance.url, CSP_BASE_URL: csp.url, ...credentialsEnv(mode) } }
}

/** `check` against an instance that answers once with `fault`: exits 1 and prints no secret. */
async function failingCheck (t: Test, mode: Mode, fault: WavefrontFault): Promise<Run> {
  const { env, csp, instance } = await fakesEnv(t, mode)
  instance.faults.push(fault)
  const run = await runCheck(env)
  t.equal(run.code, 1)
  assertNoSecrets(t, run, csp)
  return run
}

const MODES: Array<{ mode: Mode, name: string, token: RegExp }> = [
  { mode: 'app', name: 'csp-app', token: /✓ token +ok: from http:\/\/127\.0\.0\.1:\d+, lifetime 29m 59s, expires \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n/ },
  { mode: 'api-token', name: 'csp-api-token', token: /✓ token +ok: from http:\/\/127\.0\.0\.1:\d+, lifetime 29m 59s, expires \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n/ },
  { mode: 'static', name: 'static-token', token: /✓ token +ok: static token \(WAVEFRONT_TOKEN\): no exchange needed\n/ }
]

for (const { mode, name, token } of MODES) {
  t.test(`${name} mode: every check passes and the exit code is 0`, async (t) => {
    const { env, csp, instance } = await fakesEnv(t, mode)
    const run = await runCheck(env)
    t.equal(run.code, 0, run.stdout + run.stderr)
    t.match(run.stdout, /^wavefront-auth-proxy check\n/)
    t.match(run.stdout, new RegExp(`✓ configuration +ok: ${name} mode, instance ${instance.url}`))
    t.match(run.stdout, token)
    t.match(run.stdout, /✓ instance +ok: GET \/api\/v2\/source\?limit=1 answered 200 \(1 source visible\)\n/)
    t.match(run.stdout, /\nall checks passed\n$/)
    t.equal(run.stderr, '')
    t.equal(csp.requests.length, mode === 'static' ? 0 : 1, 'one exchange at CSP, none for a static token')
    t.same(instance.received.map((r) => [r.url, r.auth]), [['/api/v2/source?limit=1', 'valid']], 'one authenticated call')
    assertNoSecrets(t, run, csp)
  })
}

t.test('a secret read from a _FILE is used, and not printed', async (t) => {
  const { env, csp } = await fakesEnv(t, 'app')
  const dir = mkdtempSync(join(tmpdir(), 'wap-check-'))
  writeFileSync(join(dir, 'secret'), APP_SECRET + '\n')
  const { CSP_APP_SECRET: _, ...rest } = env
  const run = await runCheck({ ...rest, CSP_APP_SECRET_FILE: join(dir, 'secret') })
  t.equal(run.code, 0, run.stdout + run.stderr)
  t.match(run.stdout, /all checks passed/)
  assertNoSecrets(t, run, csp)
})

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

t.test('an invalid configuration exits 2 with the problem on stderr, before any check', async (t) => {
  const { csp, instance } = await startFakes(t)
  const run = await runCheck({ WAVEFRONT_URL: instance.url, CSP_BASE_URL: csp.url, CSP_APP_SECRET: APP_SECRET, WAVEFRONT_TOKEN: STATIC_TOKEN })
  t.equal(run.code, 2)
  t.match(run.stderr, /credentials for more than one mode are set \(CSP_APP_SECRET, WAVEFRONT_TOKEN\)/)
  t.equal(run.stdout, '')
  t.equal(csp.requests.length + instance.received.length, 0, 'nothing was contacted')
  assertNoSecrets(t, run, csp)
})

t.test('in process, as the binary runs it: runCheck reports to the stream it is given', async (t) => {
  const { env, csp } = await fakesEnv(t, 'app')
  const chunks: Buffer[] = []
  const out = new Writable({ write (chunk: Buffer, _enc, done) { chunks.push(Buffer.from(chunk)); done() } })
  t.equal(await runCheckInProcess(loadConfig({ env, argv: [] }), out), 0)
  const text = Buffer.concat(chunks).toString('utf8')
  t.match(text, `✓ token          ok: from ${csp.url}, lifetime 29m 59s`)
  t.match(text, /\nall checks passed\n$/)
})
