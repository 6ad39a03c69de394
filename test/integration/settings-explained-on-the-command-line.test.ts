// The command line explains the settings: --help lists each with its variable, flag, file key and
// default; --print-config shows effective values and their sources, secrets masked; --version; a
// configuration error exits 2 before listening, naming what to set.
import t from 'tap'
import { SETTINGS } from '../../src/config/settings.js'
import { runBinary } from '../helpers/binary.js'
import { APP_ID, credentialsEnv } from '../helpers/stack.js'

t.test('--help lists every setting with its variable, flag, file key and default, grouped', async (t) => {
  const { code, stdout } = await runBinary({}, ['--help'])
  t.equal(code, 0)
  for (const s of SETTINGS) {
    t.match(stdout, s.env, `${s.env} listed`)
    t.match(stdout, `${s.key} (file)`, `${s.key} listed`)
    if ('flag' in s) t.match(stdout, `--${s.flag}`, `--${s.flag} listed`)
    if ('default' in s && !Array.isArray(s.default)) t.match(stdout, `default: ${String(s.default)}`, `${s.env} default shown`)
  }
  for (const group of new Set(SETTINGS.map((s) => s.group))) t.match(stdout, `\n${group}:\n`, `group ${group}`)
  t.match(stdout, 'CSP_APP_SECRET_FILE, --csp-app-secret-file, cspAppSecretFile (file)')
  t.match(stdout, /Exit codes: 0 success, 1 failure \(check, token: nothing on stdout\), 2 invalid configuration/)
})

t.test('--version prints the package version', async (t) => {
  const { code, stdout } = await runBinary({}, ['--version'])
  t.equal(code, 0)
  t.match(stdout, /^wavefront-auth-proxy \d+\.\d+\.\d+\n$/)
})

t.test('--print-config shows the effective values, where each came from, secrets masked', async (t) => {
  const { code, stdout } = await runBinary({ WAVEFRONT_URL: 'https://example.wavefront.com/api/', PORT: '9300', ...credentialsEnv('app') }, ['--print-config', '--log-level', 'debug'])
  t.equal(code, 0)
  t.match(stdout, 'wavefrontUrl: "https://example.wavefront.com"  # environment')
  t.match(stdout, 'port: 9300  # environment')
  t.match(stdout, 'logLevel: "debug"  # flag')
  t.match(stdout, 'host: "127.0.0.1"  # default')
  t.match(stdout, `cspAppId: "${APP_ID}"  # environment`)
  t.match(stdout, 'cspAppSecret: "********"  # environment')
  t.match(stdout, '# credential mode: csp-app')
})

t.test('a configuration error exits 2 before listening, naming what to set', async (t) => {
  const { code, stdout, stderr } = await runBinary({ PORT: '70000' })
  t.equal(code, 2)
  t.equal(stdout, '')
  t.match(stderr, /invalid configuration:\n {2}- no credentials are configured[^\n]*\n {2}- WAVEFRONT_URL is required[^\n]*\n {2}- PORT="70000" \(from environment\) is not valid/)
  t.match(stderr, /Run wavefront-auth-proxy --help for every setting/)
})
