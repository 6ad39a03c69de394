// `wavefront-auth-proxy token`, run as users run it: the built binary, alone or in a shell
// pipeline, against the fakes. stdout holds the bare token and a newline, or nothing.
import { spawn } from 'node:child_process'
import { Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { runToken } from '../../src/commands/token.js'
import { loadConfig } from '../../src/config/load.js'
import { CLI, runBinary } from '../helpers/binary.js'
import { API_TOKEN, APP_SECRET, credentialsEnv, startFakes, STATIC_TOKEN, type Mode } from '../helpers/stack.js'

for (const mode of ['app', 'api-token'] as Mode[]) {
  t.test(`${mode} mode: one token request; stdout is the bare token and a newline, nothing else`, async (t) => {
    const { csp, instance } = await startFakes(t)
    const run = await runBinary({ WAVEFRONT_URL: instance.url, CSP_BASE_URL: csp.url, ...credentialsEnv(mode) }, ['token'])
    t.equal(run.code, 0, run.stderr)
    t.match(run.stdout, /^csp-at-[\w-]+\n$/)
    t.equal(csp.validity(run.stdout.trimEnd()), 'valid', 'a token CSP issued and that is valid now')
    t.equal(run.stderr, '')
    t.equal(csp.requests.length, 1)
    t.equal(instance.received.length, 0, 'the instance is not called')
  })
}

t.test('static mode: the configured token, read from WAVEFRONT_TOKEN', async (t) => {
  const { csp, instance } = await startFakes(t)
  const run = await runBinary({ WAVEFRONT_URL: instance.url, ...credentialsEnv('static') }, ['token'])
  t.same(run, { code: 0, stdout: `${STATIC_TOKEN}\n`, stderr: '' })
  t.equal(csp.requests.length, 0)
})

t.test('in a pipeline: WAVEFRONT_TOKEN=$(wavefront-auth-proxy token) hands a tool a token the instance accepts', async (t) => {
  const { csp, instance } = await startFakes(t)
  // the "tool": a one-shot HTTPS-only client stand-in that sends its token straight to the instance
  const tool = 'fetch(process.env.INSTANCE + \'/api/v2/alert\', { headers: { authorization: \'Bearer \' + process.env.WAVEFRONT_TOKEN } }).then((r) => process.exit(r.status === 200 ? 0 : 1))'
  const script = `WAVEFRONT_TOKEN=$("${process.execPath}" "${CLI}" token) && export WAVEFRONT_TOKEN && "${process.execPath}" -e "$TOOL"`
  const child = spawn('sh', ['-c', script], {
    env: { PATH: process.env.PATH ?? '', WAVEFRONT_URL: instance.url, CSP_BASE_URL: csp.url, ...credentialsEnv('app'), INSTANCE: instance.url, TOOL: tool },
    stdio: 'inherit'
  })
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  t.equal(code, 0)
  t.same(instance.received.map((r) => [r.url, r.auth]), [['/api/v2/alert', 'valid']])
})

t.test('the README\'s script form stops when no token comes: the tool never runs with an empty token', async (t) => {
  const { csp, instance } = await startFakes(t)
  const tool = 'fetch(process.env.INSTANCE + \'/api/v2/alert\', { headers: { authorization: \'Bearer \' + process.env.WAVEFRONT_TOKEN } })'
  const script = `WAVEFRONT_TOKEN=$("${process.execPath}" "${CLI}" token) || exit 1\nexport WAVEFRONT_TOKEN\n"${process.execPath}" -e "$TOOL"`
  const child = spawn('sh', ['-c', script], {
    env: { PATH: process.env.PATH ?? '', WAVEFRONT_URL: instance.url, CSP_BASE_URL: csp.url, ...credentialsEnv('app'), CSP_APP_SECRET: 'wrong-secret-Gd7kP2sQ', INSTANCE: instance.url, TOOL: tool },
    stdio: ['ignore', 'ignore', 'pipe']
  })
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  t.equal(code, 1)
  t.same(instance.received, [], 'the tool did not run')
})

t.test('CSP rejecting the credentials: exit 1, nothing on stdout, check\'s token lines on stderr', async (t) => {
  const { csp, instance } = await startFakes(t)
  const run = await runBinary({ WAVEFRONT_URL: instance.url, CSP_BASE_URL: csp.url, ...credentialsEnv('app'), CSP_APP_SECRET: 'wrong-secret-Gd7kP2sQ' }, ['token'])
  t.equal(run.code, 1)
  t.equal(run.stdout, '')
  t.match(run.stderr, `wavefront-auth-proxy token: no token\n  ✗ token          CSP rejected the app credentials (HTTP 401, invalid_client) at ${csp.url}\n`)
  t.match(run.stderr, /\n +→ fix: check CSP_APP_ID and CSP_APP_SECRET/)
  t.notMatch(run.stderr, /wrong-secret|Gd7kP2sQ/)
  const check = await runBinary({ WAVEFRONT_URL: instance.url, CSP_BASE_URL: csp.url, ...credentialsEnv('app'), CSP_APP_SECRET: 'wrong-secret-Gd7kP2sQ' }, ['check'])
  t.ok(check.stdout.includes(run.stderr.split('\n').slice(1).join('\n')), 'the same operator message as check')
})

t.test('two credential modes: exit 2 with the proxy\'s own message, nothing on stdout, nothing contacted', async (t) => {
  const { csp, instance } = await startFakes(t)
  const env = { WAVEFRONT_URL: instance.url, CSP_BASE_URL: csp.url, CSP_API_TOKEN: API_TOKEN, CSP_APP_SECRET: APP_SECRET }
  const token = await runBinary(env, ['token'])
  const serve = await runBinary(env, [])
  t.equal(token.code, 2)
  t.equal(token.stdout, '')
  t.match(token.stderr, /invalid configuration:\n {2}- credentials for more than one mode are set/)
  t.same([serve.code, serve.stderr], [token.code, token.stderr], 'answered as the proxy answers')
  t.notMatch(token.stderr, new RegExp(`${API_TOKEN}|${APP_SECRET}`))
  t.equal(csp.requests.length + instance.received.length, 0)
})

/** A stream that keeps what is written to it. */
function sink (): { stream: Writable, text: () => string } {
  const chunks: Buffer[] = []
  const stream = new Writable({ write (chunk: Buffer, _enc, done) { chunks.push(Buffer.from(chunk)); done() } })
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') }
}

t.test('in process, as the binary runs it: runToken writes only the token, or only the reason', async (t) => {
  const { csp, instance } = await startFakes(t)
  const ok = { out: sink(), err: sink() }
  const config = loadConfig({ env: { WAVEFRONT_URL: instance.url, CSP_BASE_URL: csp.url, ...credentialsEnv('api-token') }, argv: [] })
  t.equal(await runToken(config, ok.out.stream, ok.err.stream), 0)
  t.equal(csp.validity(ok.out.text().trimEnd()), 'valid')
  t.equal(ok.err.text(), '')
  const bad = { out: sink(), err: sink() }
  const wrong = loadConfig({ env: { WAVEFRONT_URL: instance.url, CSP_BASE_URL: `${csp.url}/not-csp`, ...credentialsEnv('api-token') }, argv: [] })
  t.equal(await runToken(wrong, bad.out.stream, bad.err.stream), 1)
  t.equal(bad.out.text(), '')
  t.match(bad.err.text(), /✗ token +CSP answered HTTP 404 to the token request at .*\/not-csp\n +→ fix: CSP_BASE_URL does not look like a CSP console/)
})

t.test('the one-file bundle the image starts has the token and check commands too', async (t) => {
  const { csp, instance } = await startFakes(t)
  const bundle = fileURLToPath(new URL('../../dist/wavefront-auth-proxy.mjs', import.meta.url))
  const env = { WAVEFRONT_URL: instance.url, CSP_BASE_URL: csp.url, ...credentialsEnv('app') }
  const token = await runBinary(env, ['token'], bundle) // docker run … wavefront-auth-proxy token
  t.equal(token.code, 0, token.stderr)
  t.equal(csp.validity(token.stdout.trimEnd()), 'valid')
  const check = await runBinary(env, ['check'], bundle)
  t.equal(check.code, 0, check.stderr)
  t.match(check.stdout, /\nall checks passed\n$/)
})
