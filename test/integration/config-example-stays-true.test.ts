// config.example.yaml cannot go stale: every setting is in it with its real default, the
// defaults shown are ones the proxy reads back as such, and the file starts the proxy as it is.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { parse as parseYaml } from 'yaml'
import { SETTINGS, type Setting } from '../../src/config/settings.js'
import { ROOT } from '../deploy/helm.js'
import { baseEnv, run, startProxyProcess } from '../deploy/proxy-process.js'
import { call } from '../helpers/http.js'
import { APP_ID, APP_SECRET, startFakes } from '../helpers/stack.js'

t.setTimeout(60_000)

const EXAMPLE = join(ROOT, 'config.example.yaml')
const TEXT = readFileSync(EXAMPLE, 'utf8')
const CLI = join(ROOT, 'dist/src/cli.js')
const ALL = SETTINGS as readonly Setting[]
const CREDENTIALS = { CSP_APP_ID: APP_ID, CSP_APP_SECRET: APP_SECRET }

/** How the example writes a default: YAML a reader can copy. */
function shown (value: NonNullable<Setting['default']>): string {
  if (Array.isArray(value)) return value.length === 0 ? '[]' : `[${value.join(', ')}]`
  return String(value)
}

t.test('every setting appears, commented with its default where it has one', async (t) => {
  for (const s of ALL) {
    if (s.default === undefined) {
      t.match(TEXT, new RegExp(`^(# )?${s.key}:`, 'm'), `${s.key} (no default) is there`)
    } else {
      t.match(TEXT, new RegExp(`^# ${s.key}: ${shown(s.default).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'), `# ${s.key}: ${shown(s.default)}`)
    }
    t.match(TEXT, new RegExp(`\\b${s.env}\\b`), `names the environment variable ${s.env}`)
    if (s.flag !== undefined) t.match(TEXT, new RegExp(`--${s.flag}\\b`), `names the flag --${s.flag}`)
  }
  const secrets = ALL.filter((s) => s.secret === true).map((s) => s.key)
  const set = Object.keys((parseYaml(TEXT) ?? {}) as object)
  t.same(set, ['wavefrontUrl'], `as shipped it sets only the instance; no credential (${secrets.join(', ')}) is filled in`)
})

t.test('uncommented, every default line is read back by the proxy as that same default', async (t) => {
  t.ok(existsSync(CLI), `${CLI} exists (npm run build)`)
  const keys = new Set(ALL.map((s) => s.key))
  const uncommented = TEXT.replace(/^# (\w+):/gm, (line, key: string) => keys.has(key) ? `${key}:` : line)
  const dir = mkdtempSync(join(tmpdir(), 'wap-config-'))
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
  const file = join(dir, 'config.yaml')
  writeFileSync(file, uncommented)

  const printed = await run(['node', CLI, '--print-config', '--config', file], { env: { ...baseEnv(), ...CREDENTIALS } })
  t.equal(printed.code, 0, printed.stderr)
  const effective = parseYaml(printed.stdout) as Record<string, unknown>
  for (const s of ALL.filter((s) => s.default !== undefined)) {
    const value = Array.isArray(s.default) ? [...s.default] : s.default
    t.same(effective[s.key], value, `${s.key} reads back as ${shown(s.default as NonNullable<Setting['default']>)}`)
    t.match(printed.stdout, new RegExp(`^${s.key}: .*# file$`, 'm'), `${s.key} was taken from the file`)
  }
})

t.test('the proxy starts from config.example.yaml as it is, with credentials from the environment', async (t) => {
  // The file alone, plus credentials, is a complete configuration (nothing is contacted here).
  const printed = await run(['node', CLI, '--print-config', '--config', EXAMPLE], { env: { ...baseEnv(), ...CREDENTIALS } })
  t.equal(printed.code, 0, printed.stderr)
  t.match(printed.stdout, /^wavefrontUrl: "https:\/\/example\.wavefront\.com"\s+# file$/m)
  t.match(printed.stdout, /^# credential mode: csp-app$/m)

  // Served for real, the instance and CSP pointed at the fakes through the environment, which
  // takes precedence over the file; the port is a free one.
  const { csp, instance } = await startFakes(t)
  const proxy = await startProxyProcess(t, ['node', CLI], {
    ...baseEnv(), ...CREDENTIALS, CONFIG_FILE: EXAMPLE, WAVEFRONT_URL: instance.url, CSP_BASE_URL: csp.url, PORT: '0'
  })
  t.match(proxy.started, { mode: 'csp-app', instance: instance.url, listen: /^http:\/\/127\.0\.0\.1:\d+$/ }, 'listens on the default host, loopback')
  const res = await call(`${proxy.url}/api/v2/source?limit=1`)
  t.equal(res.status, 200, res.text)
  t.match(res.json(), { status: { result: 'OK' }, response: { items: [{ id: 'web-1' }] } })
  t.equal((await call(`${proxy.url}/readyz`)).status, 200, 'ready: a token is held')
  t.equal(await proxy.stop(), 0, 'SIGTERM: exits 0')
})
