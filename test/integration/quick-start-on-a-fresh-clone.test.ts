// The README's Quick start works in the order written, on a fresh checkout (the files git would
// commit, nothing built, no node_modules): npm ci (offline, from the npm cache CI's own `npm ci`
// fills) builds the proxy, so `npx wavefront-auth-proxy check` answers right after it; then
// npm run demo with its curl, and npm start. Against the simulators, never a real CSP.
import { spawn, type ChildProcess } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import t from 'tap'
import { ROOT } from '../deploy/helm.js'
import { runOk } from '../deploy/proxy-process.js'
import { call } from '../helpers/http.js'
import { freePort } from '../helpers/ports.js'
import { APP_ID, APP_SECRET, startFakes } from '../helpers/stack.js'

t.setTimeout(600_000)

const README = readFileSync(join(ROOT, 'README.md'), 'utf8')
const QUICK_START = README.slice(README.indexOf('## Quick start'), README.indexOf('## Using it\n'))

/** npm as a user runs it: none of the npm_* variables of the `npm test` that runs this file. */
function userEnv (extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^npm_/i.test(k) && !/^(?:TAP|NODE_OPTIONS|NODE_V8_COVERAGE)/.test(k)) env[k] = v
  return { ...env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', ...extra }
}

/** A long-running command in its own process group; resolves once `ready` matches its output. */
async function startCommand (t: { teardown: (fn: () => Promise<void>) => void }, command: string[], cwd: string, env: Record<string, string>, ready: RegExp): Promise<{ child: ChildProcess, stop: (signal: NodeJS.Signals) => Promise<number | null> }> {
  const child = spawn(command[0] as string, command.slice(1), { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) process.kill(-(child.pid as number), 'SIGKILL')
    await exited
  })
  let seen = ''
  await new Promise<void>((resolve, reject) => {
    const look = (chunk: Buffer): void => {
      seen += chunk.toString('utf8')
      if (ready.test(seen)) resolve()
    }
    child.stdout?.on('data', look)
    child.stderr?.on('data', look)
    void exited.then((code) => { reject(new Error(`${command.join(' ')} exited ${String(code)} before it was ready:\n${seen}`)) })
  })
  return { child, stop: async (signal) => { process.kill(-(child.pid as number), signal); return await exited } }
}

t.test('every Quick start command works in the order written, on a fresh clone', async (t) => {
  for (const command of ['npm ci', 'npm test', 'npm run demo', 'curl -s localhost:9191/api/v2/source', 'npx wavefront-auth-proxy check', 'npm start']) {
    t.ok(QUICK_START.includes(command), `the Quick start says ${command}`)
  }
  t.ok(QUICK_START.indexOf('npx wavefront-auth-proxy check') < QUICK_START.lastIndexOf('npm start'), 'check comes before npm start')

  const dir = mkdtempSync(join(tmpdir(), 'wap-fresh-clone-'))
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
  const files = (await runOk(['git', 'ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT })).split('\0').filter((f) => f !== '' && existsSync(join(ROOT, f)))
  for (const file of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true })
    cpSync(join(ROOT, file), join(dir, file))
  }
  t.notOk(existsSync(join(dir, 'dist')) || existsSync(join(dir, 'node_modules')), 'nothing built, nothing installed')

  // 1. npm ci: offline, from the npm cache; a package missing there fails here, with npm's message
  await runOk(['npm', 'ci', '--offline', '--no-audit', '--no-fund'], { cwd: dir, env: userEnv() })
  t.ok(existsSync(join(dir, 'dist/src/cli.js')), 'npm ci built the proxy (the prepare script)')
  // 2. npm test is the suite this file belongs to: not run again from inside it
  t.comment('npm test: the suite this test is part of, so not run from inside it')

  // 3. npm run demo, then its curl
  const demoPort = await freePort()
  const demo = await startCommand(t, ['npm', 'run', 'demo'], dir, userEnv({ PORT: String(demoPort), LOG_FORMAT: 'json' }), /"event":"started"/)
  const curl = await runOk(['curl', '-s', `localhost:${demoPort}/api/v2/source`])
  t.match(JSON.parse(curl), { status: { result: 'OK' }, response: { items: Array } }, 'curl -s localhost:PORT/api/v2/source')
  await demo.stop('SIGINT')

  // 4. the exports, then npx wavefront-auth-proxy check
  const { csp, instance } = await startFakes(t)
  const real = userEnv({ WAVEFRONT_URL: instance.url, CSP_BASE_URL: csp.url, CSP_APP_ID: APP_ID, CSP_APP_SECRET: APP_SECRET })
  const check = await runOk(['npx', '--offline', 'wavefront-auth-proxy', 'check'], { cwd: dir, env: real })
  t.match(check, /\nall checks passed\n$/, 'npx wavefront-auth-proxy check')

  // 5. npm start
  const port = await freePort()
  const started = await startCommand(t, ['npm', 'start'], dir, { ...real, PORT: String(port), LOG_FORMAT: 'json' }, /"event":"started"/)
  const res = await call(`http://127.0.0.1:${port}/api/v2/source?limit=1`)
  t.equal(res.status, 200, 'npm start: the proxy forwards')
  t.equal(instance.received.at(-1)?.auth, 'valid')
  await started.stop('SIGTERM')
})
