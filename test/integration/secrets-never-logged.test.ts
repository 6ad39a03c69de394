// No secret, API token or access token in logs, error bodies or CLI output, at any level.
import t, { type Test } from 'tap'
import { runBinary } from '../helpers/binary.js'
import { call } from '../helpers/http.js'
import { API_TOKEN, APP_ID, APP_SECRET, credentialsEnv, type Mode, STATIC_TOKEN, startStack } from '../helpers/stack.js'

const CLIENT_SECRET_HEADER = 'Bearer client-private-token-9d8e7f'

function secretsOf (issued: Iterable<string>): string[] {
  return [APP_SECRET, API_TOKEN, STATIC_TOKEN, Buffer.from(`${APP_ID}:${APP_SECRET}`).toString('base64'), CLIENT_SECRET_HEADER.slice(7), ...issued]
}

function assertClean (t: Test, where: string, text: string, secrets: readonly string[]): void {
  const leaked = secrets.filter((s) => text.includes(s))
  t.same(leaked, [], `${where}: no secret or token`)
}

for (const mode of ['app', 'api-token', 'static'] as Mode[]) {
  t.test(`${mode} mode at LOG_LEVEL=trace: logs and answers carry no secret, token or Authorization value`, async (t) => {
    const { proxy, csp, instance } = await startStack(t, { mode, logLevel: 'trace', lifetimeSeconds: 2 })
    const bodies: string[] = []
    const answer = async (path: string, init?: Parameters<typeof call>[1]): Promise<void> => { bodies.push((await call(`${proxy.url}${path}`, init)).text) }

    await answer('/api/v2/source', { headers: { authorization: CLIENT_SECRET_HEADER } })
    await answer('/report?f=wavefront', { method: 'POST', body: 'x 1 source=a\n', headers: { authorization: CLIENT_SECRET_HEADER } })
    instance.faults.push({ kind: 'status', status: 401 }) // a revoked token: drop, refresh, retry
    await answer('/api/v2/alert')
    await answer('/api/v2/../etc/passwd')
    await answer('/readyz')
    if (mode !== 'static') {
      await proxy.logged((r) => r.event === 'token_refreshed' && r !== undefined && csp.requests.length >= 2) // a background refresh happened
      csp.apps.clear()
      csp.apiTokens.clear()
      csp.revokeAll() // now every exchange is rejected; CSP's error text quotes the credential
      await answer('/api/v2/source')
      await proxy.logged((r) => r.event === 'token_fetch_failed')
      await answer('/api/v2/source')
      await answer('/readyz')
    }
    await proxy.close()
    const secrets = secretsOf(csp.issued.keys())
    t.ok(proxy.logs.length > 5, `trace logging produced ${proxy.logs.length} lines`)
    assertClean(t, 'logs', proxy.logs.join('\n'), secrets)
    assertClean(t, 'response bodies', bodies.join('\n'), secrets)
    t.notMatch(proxy.logs.join('\n'), /client-private-token/, 'the client\'s Authorization header is not logged')
  })
}

t.test('a secret a client puts in the path or X-Request-Id is scrubbed from the access line', async (t) => {
  const { proxy, csp } = await startStack(t, { mode: 'app' })
  await call(`${proxy.url}/api/v2/source`) // a token is issued
  const [issued] = [...csp.issued.keys()]
  t.ok(issued, 'CSP issued a token')
  await call(`${proxy.url}/api/v2/source/${APP_SECRET}`, { headers: { 'x-request-id': issued as string } })
  await call(`${proxy.url}/nope/${APP_SECRET}`) // a local answer logs its path too
  await proxy.close()
  const lines = proxy.logs.filter((l) => l.includes('/source/') || l.includes('/nope/'))
  t.equal(lines.length, 2, 'both requests were logged')
  assertClean(t, 'access lines', lines.join('\n'), secretsOf(csp.issued.keys()))
  t.match(lines.join('\n'), /"path":"\/api\/v2\/source\/\[REDACTED\]"/, 'the path is logged with the secret censored')
  t.match(lines.join('\n'), /"requestId":"\[REDACTED\]"/, 'and so is the request id')
})

t.test('configuration errors and --print-config never print a secret', async (t) => {
  const base = { WAVEFRONT_URL: 'https://example.wavefront.com' }
  const conflicting = await runBinary({ ...base, ...credentialsEnv('app'), ...credentialsEnv('api-token'), ...credentialsEnv('static') })
  t.equal(conflicting.code, 2)
  t.match(conflicting.stderr, /more than one mode are set/)
  assertClean(t, 'stderr', conflicting.stderr + conflicting.stdout, secretsOf([]))

  const printed = await runBinary({ ...base, ...credentialsEnv('app') }, ['--print-config'])
  t.equal(printed.code, 0)
  t.match(printed.stdout, /cspAppSecret: "\*\*\*\*\*\*\*\*"/)
  t.match(printed.stdout, new RegExp(`cspAppId: "${APP_ID}"`), 'identifiers are shown')
  assertClean(t, '--print-config', printed.stdout, secretsOf([]))
})
