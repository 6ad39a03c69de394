// Values are checked at install: bad ones fail with a message that names them, the schema lists
// exactly the proxy settings the chart leaves open, and NOTES.txt warns of what is missing.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { SETTINGS, type Setting } from '../../src/config/settings.js'
import { CHART, helm, render, SERVICE } from '../deploy/helm.js'

t.setTimeout(120_000)

t.test('bad values fail at install with a message that names them', async (t) => {
  const bad: Array<[string[], RegExp]> = [
    [['--set', 'wavefront.url=ftp://example.wavefront.com'], /\/wavefront\/url/],
    [['--set', 'settings.READ_ONLY=yes'], /\/settings\/READ_ONLY.*want boolean/],
    [['--set', 'settings.LOG_LEVEL=loud'], /\/settings\/LOG_LEVEL/],
    [['--set', 'settings.HOST=0.0.0.0'], /additional properties 'HOST' not allowed/],
    [['--set', 'settings.UPSTREAM_TIMEOUT_MS=0'], /\/settings\/UPSTREAM_TIMEOUT_MS/],
    [['--set', 'wavefrontUrl=https://example.wavefront.com'], /additional properties 'wavefrontUrl' not allowed/],
    [['--set', 'mode=daemonset'], /\/mode/],
    [['--set', 'credentials.cspApiToken=a', '--set', 'credentials.wavefrontToken=b'], /more than one mode/],
    [['--set', 'credentials.existingSecret=s', '--set', 'credentials.cspApiToken=a'], /existingSecret is set together with credential values/],
    [['--set', 'credentials.cspAppId=a'], /needs both cspAppId and cspAppSecret/],
    [['--set', 'credentials.mode=static-token', '--set', 'credentials.cspApiToken=a'], /credentials.mode is static-token but the values given are for csp-api-token/],
    [['--set', 'settings.SHUTDOWN_GRACE_MS=30000'], /terminationGracePeriodSeconds \(30 s\) must exceed/],
    [['--set', 'serviceMonitor.enabled=true', '--set', 'settings.METRICS=false'], /serviceMonitor.enabled needs the proxy's metrics/],
    [['--set', 'podDisruptionBudget.enabled=true', '--set', 'podDisruptionBudget.maxUnavailable=1'], /minAvailable or maxUnavailable, not both/]
  ]
  for (const [args, message] of bad) {
    await t.rejects(render(CHART, args), message, args.join(' '))
  }
})

t.test('NOTES.txt: the curl to try from a labelled pod, and warnings for what is missing', async (t) => {
  const notes = async (args: string[]): Promise<string> => {
    const result = await helm(['install', 'wap', CHART, '--namespace', 'tools', '--dry-run=client', ...args])
    t.equal(result.code, 0, result.stderr)
    return result.stdout.slice(result.stdout.indexOf('NOTES:'))
  }
  const configured = await notes(['--set', 'wavefront.url=https://example.wavefront.com', '--set', 'credentials.existingSecret=wavefront-credentials'])
  t.match(configured, '--labels=wavefront-auth-proxy-client=true')
  t.match(configured, `curl -s 'http://${SERVICE}.tools.svc:9191/api/v2/source?limit=1'`)
  t.notMatch(configured, /WARNING/)
  const bare = await notes([])
  t.match(bare, /WARNING: wavefront.url is not set/)
  t.match(bare, /WARNING: no credentials are set/)
})

t.test('values.schema.json lists exactly the proxy settings the chart does not set itself, with their types and ranges', async (t) => {
  const schema = JSON.parse(readFileSync(join(CHART, 'values.schema.json'), 'utf8')) as { properties: { settings: { properties: Record<string, Record<string, unknown>> } } }
  const props = schema.properties.settings.properties
  const managed = new Set(['WAVEFRONT_URL', 'HOST', 'PORT', 'ALLOWED_HOSTS'])
  const expected = (SETTINGS as readonly Setting[]).filter((s) => s.fileable !== true && !managed.has(s.env))
  t.same(Object.keys(props).sort(), expected.map((s) => s.env).sort())
  for (const s of expected) {
    const p = props[s.env] as Record<string, unknown>
    if (s.type === 'integer') t.match(p, { type: 'integer', minimum: s.min, maximum: s.max }, s.env)
    if (s.type === 'boolean') t.match(p, { type: 'boolean' }, s.env)
    if (s.type === 'enum') t.same(p.enum, s.values, s.env)
    if (s.type === 'list') t.same(p.type, ['array', 'string'], s.env)
  }
})
