// `check` passes in every credential mode (a secret from a _FILE included, and in process as the
// binary runs it), exits 0 after one CSP exchange and one authenticated call, and prints no secret.
import { Writable } from 'node:stream'
import { join } from 'node:path'
import { writeFileSync } from 'node:fs'
import t from 'tap'
import { runCheck as runCheckInProcess } from '../../src/commands/check.js'
import { loadConfig } from '../../src/config/load.js'
import { assertNoSecrets, fakesEnv, runCheck } from '../helpers/check.js'
import { APP_SECRET, type Mode } from '../helpers/stack.js'
import { tempDir } from '../helpers/temp-dir.js'

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
  const dir = tempDir(t, 'wap-check-')
  writeFileSync(join(dir, 'secret'), APP_SECRET + '\n')
  const { CSP_APP_SECRET: _, ...rest } = env
  const run = await runCheck({ ...rest, CSP_APP_SECRET_FILE: join(dir, 'secret') })
  t.equal(run.code, 0, run.stdout + run.stderr)
  t.match(run.stdout, /all checks passed/)
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
