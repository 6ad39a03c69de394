// `npm run demo`: the real proxy, started as its own process, against local simulators of CSP
// and a Wavefront instance (the test fakes), so anyone can try it without credentials.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { FakeCsp } from '../test/fixtures/fake-csp.js'
import { FakeWavefront } from '../test/fixtures/fake-wavefront.js'

const DEMO_APP_ID = 'demo-app'
const DEMO_APP_SECRET = 'demo-secret-not-real'
const LIFETIME_SECONDS = 60 // short, so the background refresh shows up in the log within a minute

const csp = await new FakeCsp({ apps: { [DEMO_APP_ID]: { secret: DEMO_APP_SECRET } }, lifetimeSeconds: LIFETIME_SECONDS }).listen()
const instance = await new FakeWavefront({ csp }).listen()
const port = process.env.PORT ?? '9191'

process.stdout.write([
  '',
  'wavefront-auth-proxy demo',
  `  simulated CSP:                ${csp.url} (tokens live ${LIFETIME_SECONDS} s)`,
  `  simulated Wavefront instance: ${instance.url}`,
  `  proxy:                        http://127.0.0.1:${port}`,
  '',
  'Try, in another terminal:',
  `  curl -s localhost:${port}/api/v2/source`,
  `  curl -s localhost:${port}/readyz`,
  `  curl -s -X POST --data-binary 'demo.metric 1 source=laptop' 'localhost:${port}/report?f=wavefront' -w '%{http_code}\\n'`,
  `  curl -s localhost:${port}/api/v2/nothing-here`,
  '',
  'Ctrl-C stops everything.',
  '',
  ''
].join('\n'))

const cli = fileURLToPath(new URL('../wavefront-auth-proxy.mjs', import.meta.url))
const proxy = spawn(process.execPath, [cli], {
  stdio: 'inherit',
  env: {
    PATH: process.env.PATH,
    WAVEFRONT_URL: instance.url,
    CSP_BASE_URL: csp.url,
    CSP_APP_ID: DEMO_APP_ID,
    CSP_APP_SECRET: DEMO_APP_SECRET,
    PORT: port,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    LOG_FORMAT: process.env.LOG_FORMAT ?? 'auto'
  }
})

const stop = (): void => { proxy.kill('SIGTERM') }
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
proxy.on('exit', (code) => {
  void Promise.all([csp.close(), instance.close()]).then(() => { process.exit(code ?? 0) })
})
