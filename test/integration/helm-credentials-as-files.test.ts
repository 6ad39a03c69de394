// Credentials reach the pod as files from a Secret (the operator's own or the chart's), never as
// values in the pod spec, and rotating them does not roll the pods while a settings change does.
import t from 'tap'
import { CHART, only, render } from '../deploy/helm.js'
import { podSpecOf, proxyContainer } from '../deploy/pod-env.js'
import { APP_ID, APP_SECRET, API_TOKEN, ORG_ID } from '../helpers/stack.js'

t.setTimeout(120_000)

t.test('credentials: a Secret with the operator\'s key names, mounted as a directory and passed as _FILE paths', async (t) => {
  const cases = [
    { args: ['--set', `credentials.cspAppId=${APP_ID}`, '--set', `credentials.cspAppSecret=${APP_SECRET}`, '--set', `credentials.cspOrgId=${ORG_ID}`], keys: ['csp-app-id', 'csp-app-secret', 'csp-org-id'], files: ['CSP_APP_ID_FILE', 'CSP_APP_SECRET_FILE'] },
    { args: ['--set', `credentials.cspApiToken=${API_TOKEN}`], keys: ['csp-api-token'], files: ['CSP_API_TOKEN_FILE'] },
    { args: ['--set', 'credentials.wavefrontToken=a411c16b'], keys: ['token'], files: ['WAVEFRONT_TOKEN_FILE'] }
  ]
  for (const { args, keys, files } of cases) {
    const objects = await render(CHART, args)
    const secret = only(objects, 'Secret')
    t.same(Object.keys(secret.data as object).sort(), [...keys].sort(), `Secret keys ${keys.join(', ')}`)
    const c = proxyContainer(objects)
    const fileEnv = (c.env ?? []).filter((e) => e.name.endsWith('_FILE'))
    t.same(fileEnv.map((e) => [e.name, e.value]), files.map((f, i) => [f, `/var/run/secrets/wavefront-auth-proxy/${keys[i] as string}`]))
    t.equal(JSON.stringify(c.env).includes(Buffer.from(APP_SECRET).toString('base64')), false, 'no secret value in the pod spec')
    t.same(c.volumeMounts, [{ name: 'wavefront-auth-proxy-credentials', mountPath: '/var/run/secrets/wavefront-auth-proxy', readOnly: true }], 'a directory mount (subPath mounts never see rotation)')
  }
  const existing = await render(CHART, ['--set', 'credentials.existingSecret=wavefront-credentials'])
  t.equal(existing.some((o) => o.kind === 'Secret'), false, 'no Secret is created for an existing one')
  t.match(podSpecOf(only(existing, 'Deployment')).volumes, [{ secret: { secretName: 'wavefront-credentials' } }])
})

t.test('the checksum annotation rolls the pods when settings change, not when credentials rotate', async (t) => {
  const checksum = async (args: string[]): Promise<string> => {
    const template = (only(await render(CHART, args), 'Deployment').spec as { template: { metadata: { annotations: Record<string, string> } } }).template
    return template.metadata.annotations['checksum/config'] as string
  }
  const base = await checksum(['--set', 'credentials.cspApiToken=one'])
  t.match(base, /^[0-9a-f]{64}$/)
  t.not(await checksum(['--set', 'credentials.cspApiToken=one', '--set', 'settings.LOG_LEVEL=debug']), base, 'a setting changes it')
  t.equal(await checksum(['--set', 'credentials.cspApiToken=two']), base, 'a rotated credential does not: the proxy re-reads the file')
})
