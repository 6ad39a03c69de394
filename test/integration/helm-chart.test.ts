// The Helm chart: lint, render, validate every object against the Kubernetes schemas, check the
// promises the chart makes (hardening, probes, NetworkPolicy, credentials as files, rollouts),
// and run the real proxy with the environment a rendered pod would get.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import t from 'tap'
import { SETTINGS, type Setting } from '../../src/config/settings.js'
import { CHART, exampleChartWithDependency, helm, only, render, ROOT, type KubeObject } from '../deploy/helm.js'
import { validateObject } from '../deploy/kube-schema.js'
import { containerEnv, mountSecrets, podSpecOf, relocate, writeSecretVolume, type Container, type ExtraSecrets } from '../deploy/pod-env.js'
import { baseEnv, startProxyProcess } from '../deploy/proxy-process.js'
import { call } from '../helpers/http.js'
import { APP_ID, APP_SECRET, API_TOKEN, ORG_ID, startFakes } from '../helpers/stack.js'

t.setTimeout(120_000)

const CI_VALUES = readdirSync(join(CHART, 'ci')).filter((f) => f.endsWith('-values.yaml')).sort()
const VALUE_SETS: Array<{ name: string, args: string[] }> = [
  { name: 'default values', args: [] },
  ...CI_VALUES.map((f) => ({ name: `ci/${f}`, args: ['-f', join(CHART, 'ci', f)] }))
]
const CLI = join(ROOT, 'dist/src/cli.js')
const SERVICE = 'wap-wavefront-auth-proxy' // release "wap" in namespace "tools"

function proxyContainer (objects: readonly KubeObject[]): Container {
  return podSpecOf(only(objects, 'Deployment')).containers[0] as Container
}

t.test('helm lint --strict passes with the default values and with each ci values file', async (t) => {
  t.ok(CI_VALUES.length >= 3, 'there are ci values files')
  for (const set of VALUE_SETS) {
    const lint = await helm(['lint', '--strict', CHART, ...set.args])
    t.equal(lint.code, 0, `${set.name}: ${lint.stdout}${lint.stderr}`)
    t.match(lint.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/)
  }
  const example = await helm(['lint', '--strict', exampleChartWithDependency(t)])
  t.equal(example.code, 0, `the sidecar example: ${example.stdout}${example.stderr}`)
})

t.test('every rendered object is valid against the Kubernetes schemas, unknown fields included', async (t) => {
  for (const set of VALUE_SETS) {
    const objects = await render(CHART, set.args)
    t.ok(objects.length > 0, `${set.name} renders objects`)
    for (const obj of objects) {
      t.same(await validateObject(obj), [], `${set.name}: ${obj.kind} ${obj.metadata.name}`)
    }
  }
  const example = await render(exampleChartWithDependency(t), [], 'demo')
  t.same(example.map((o) => o.kind), ['Deployment'], 'the sidecar example renders its own Deployment (the Secret is an existing one)')
  for (const obj of example) t.same(await validateObject(obj), [], `example: ${obj.kind} ${obj.metadata.name}`)
})

t.test('the schema check catches misspelt fields and wrong types (it is not a no-op)', async (t) => {
  const deployment = only(await render(CHART), 'Deployment')
  const pod = podSpecOf(deployment)
  const container = pod.containers[0] as Container & { securityContext: Record<string, unknown>, ports: Array<Record<string, unknown>> }
  container.securityContext.readOnlyRootFileSystem = true
  container.ports[0] = { ...container.ports[0], containerPort: 'http' }
  const problems = await validateObject(deployment)
  t.match(problems.join('\n'), /containers\/0\/ports\/0\/containerPort must be integer/)
  delete (container.ports[0] as Record<string, unknown>).containerPort
  container.ports[0] = { ...container.ports[0], containerPort: 9191 }
  t.match((await validateObject(deployment)).join('\n'), /securityContext\/readOnlyRootFileSystem is not a field of apps\/v1 Deployment/)
})

t.test('shared mode: Deployment, ClusterIP Service and ServiceAccount, hardened, probed and sized', async (t) => {
  const objects = await render(CHART)
  t.same(objects.map((o) => o.kind).sort(), ['ConfigMap', 'Deployment', 'NetworkPolicy', 'Secret', 'Service', 'ServiceAccount'])
  const service = only(objects, 'Service') as KubeObject & { spec: { type: string, ports: Array<{ port: number, targetPort: string }> } }
  t.equal(service.spec.type, 'ClusterIP')
  t.same(service.spec.ports.map((p) => [p.port, p.targetPort]), [[9191, 'http']])

  const pod = podSpecOf(only(objects, 'Deployment'))
  t.equal(pod.serviceAccountName, only(objects, 'ServiceAccount').metadata.name)
  t.equal(pod.automountServiceAccountToken, false, 'no Kubernetes API token in the pod')
  t.match(pod.securityContext, { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } })
  const c = proxyContainer(objects)
  t.same(c.securityContext, {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsGroup: 1000,
    runAsNonRoot: true,
    runAsUser: 1000,
    seccompProfile: { type: 'RuntimeDefault' }
  })
  t.match(c.resources, { requests: { cpu: String, memory: String }, limits: { memory: String } })
  t.match(c, {
    startupProbe: { httpGet: { path: '/healthz', port: 9191 } },
    readinessProbe: { httpGet: { path: '/readyz', port: 9191 } },
    livenessProbe: { httpGet: { path: '/healthz', port: 9191 } }
  })
  const env = containerEnv(objects, c)
  t.equal(env.HOST, '0.0.0.0', 'reachable through the Service')
  t.same(env.ALLOWED_HOSTS?.split(','), [SERVICE, `${SERVICE}.tools`, `${SERVICE}.tools.svc`, `${SERVICE}.tools.svc.cluster.local`])

  // Kubernetes sends SIGTERM after preStop; the proxy then drains for SHUTDOWN_GRACE_MS.
  const grace = Number(pod.terminationGracePeriodSeconds) * 1000
  const preStop = (c.lifecycle as { preStop: { sleep: { seconds: number } } }).preStop.sleep.seconds * 1000
  t.ok(grace > preStop + 10_000, `terminationGracePeriodSeconds (${grace} ms) exceeds preStop (${preStop} ms) + the default drain (10000 ms)`)
  const older = proxyContainer(await render(CHART, ['--kube-version', '1.28.0']))
  t.equal(older.lifecycle, undefined, 'no preStop sleep action before Kubernetes 1.30')
})

t.test('the NetworkPolicy admits only pods with the client label, on the proxy port', async (t) => {
  const policy = only(await render(CHART), 'NetworkPolicy') as KubeObject & { spec: Record<string, unknown> }
  t.same(policy.spec, {
    podSelector: { matchLabels: { 'app.kubernetes.io/name': 'wavefront-auth-proxy', 'app.kubernetes.io/instance': 'wap' } },
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ podSelector: { matchLabels: { 'wavefront-auth-proxy-client': 'true' } } }], ports: [{ port: 'http', protocol: 'TCP' }] }]
  })
  const chosen = only(await render(CHART, ['--set', 'networkPolicy.clientLabels.team=sre', '--set', 'networkPolicy.clientLabels.wavefront-auth-proxy-client=null']), 'NetworkPolicy')
  t.match(chosen.spec, { ingress: [{ from: [{ podSelector: { matchLabels: { team: 'sre' } } }] }] })
  t.equal(JSON.stringify(chosen.spec).includes('wavefront-auth-proxy-client'), false, 'only the chosen label')
  t.equal((await render(CHART, ['--set', 'networkPolicy.enabled=false'])).some((o) => o.kind === 'NetworkPolicy'), false)
})

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

t.test('optional objects: HPA takes over replicas, PodDisruptionBudget, ServiceMonitor on /metrics', async (t) => {
  const objects = await render(CHART, ['-f', join(CHART, 'ci/existing-secret-extras-values.yaml')])
  const deployment = only(objects, 'Deployment') as KubeObject & { spec: Record<string, unknown> }
  t.equal(deployment.spec.replicas, undefined, 'the HPA owns the replica count')
  t.match(only(objects, 'HorizontalPodAutoscaler').spec, { scaleTargetRef: { kind: 'Deployment', name: deployment.metadata.name }, minReplicas: 2, maxReplicas: 4 })
  t.match(only(objects, 'PodDisruptionBudget').spec, { maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/instance': 'wap' } } })
  t.match(only(objects, 'ServiceMonitor').spec, { endpoints: [{ port: 'http', path: '/metrics' }] })
  t.equal((only(await render(CHART), 'Deployment').spec as { replicas: number }).replicas, 2, 'without the HPA, replicaCount')
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

/** Writes the pod's Secret files to a temp dir and returns the container's environment pointing at them. */
function runtimeEnv (t: Teardown, objects: readonly KubeObject[], workload: KubeObject, container: Container, extra: ExtraSecrets = {}): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'wap-pod-'))
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
  const mounts = mountSecrets(objects, podSpecOf(workload), container, dir, extra)
  return relocate(containerEnv(objects, container, extra), mounts)
}
interface Teardown { teardown: (fn: () => void) => void }

t.test('the rendered Deployment\'s environment starts the real proxy, which serves the Service\'s DNS names only', async (t) => {
  t.ok(existsSync(CLI), `${CLI} exists (npm run build)`)
  const { csp, instance } = await startFakes(t)
  const objects = await render(CHART, [
    '--set', `wavefront.url=${instance.url}`, '--set', `settings.CSP_BASE_URL=${csp.url}`,
    '--set', `credentials.cspAppId=${APP_ID}`, '--set', `credentials.cspAppSecret=${APP_SECRET}`, '--set', `credentials.cspOrgId=${ORG_ID}`
  ])
  const env = runtimeEnv(t, objects, only(objects, 'Deployment'), proxyContainer(objects))
  t.equal(env.CSP_ORG_ID, ORG_ID, 'the org id comes from the Secret')
  const proxy = await startProxyProcess(t, ['node', CLI], { ...baseEnv(), ...env, PORT: '0' }) // the port: one free here
  t.equal(proxy.started.mode, 'csp-app')

  const viaService = await call(`${proxy.url}/api/v2/source?limit=1`, { headers: { host: `${SERVICE}.tools.svc:9191` } })
  t.equal(viaService.status, 200, viaService.text)
  t.match(viaService.json(), { status: { result: 'OK' }, response: { items: [{ id: 'web-1' }] } })
  t.equal(csp.requests.at(-1)?.form.get('orgId'), ORG_ID)
  // The kubelet probes, and Prometheus scrapes, with the pod's IP as Host, which no ALLOWED_HOSTS lists.
  const podIp = { host: '10.42.0.17:9191' }
  for (const path of ['/healthz', '/readyz', '/metrics']) {
    const res = await call(`${proxy.url}${path}`, { headers: podIp })
    t.equal(res.status, 200, `${path} answers a probe or scrape addressed to the pod IP`)
  }
  const rebound = await call(`${proxy.url}/api/v2/source`, { headers: { host: 'attacker.example:9191' } })
  t.equal(rebound.status, 421, 'a Host outside ALLOWED_HOSTS is refused')

  // Rotation: the app secret is regenerated at CSP (old tokens die at once) and the kubelet
  // swaps the mounted Secret; the next request still succeeds, with a token from the new secret.
  const rotated = 'app-secret-rotated-Yt6wQ'
  csp.apps.set(APP_ID, { secret: rotated, orgIds: [ORG_ID] })
  csp.revokeAll()
  writeSecretVolume(secretDir(env), { 'csp-app-id': APP_ID, 'csp-app-secret': rotated, 'csp-org-id': ORG_ID })
  const after = await call(`${proxy.url}/api/v2/source?limit=1`, { headers: { host: `${SERVICE}.tools.svc` } })
  t.equal(after.status, 200, `served after rotation without a restart: ${after.text}`)
  t.equal(basicSecret(csp.requests.at(-1)?.headers.authorization), rotated, 'the last token was fetched with the rotated secret')
  t.equal(await proxy.stop(), 0, 'SIGTERM drains and exits 0')
})

function secretDir (env: Record<string, string>): string {
  return dirname(env.CSP_APP_SECRET_FILE as string)
}

function basicSecret (authorization: string | undefined): string | undefined {
  const encoded = /^Basic (.+)$/.exec(authorization ?? '')?.[1]
  return encoded === undefined ? undefined : Buffer.from(encoded, 'base64').toString('utf8').split(':').slice(1).join(':')
}

t.test('sidecar: a native sidecar that gates the application on a token, whose rendered environment serves loopback clients', async (t) => {
  const { csp, instance } = await startFakes(t)
  const chart = exampleChartWithDependency(t)
  const objects = await render(chart, ['--set', `wavefront-auth-proxy.wavefront.url=${instance.url}`, '--set', `wavefront-auth-proxy.settings.CSP_BASE_URL=${csp.url}`], 'demo')
  const deployment = only(objects, 'Deployment')
  const pod = podSpecOf(deployment)
  t.same(pod.containers.map((c) => c.name), ['app'])
  const sidecar = pod.initContainers?.[0] as Container
  t.match(sidecar, { name: 'wavefront-auth-proxy', restartPolicy: 'Always', startupProbe: { httpGet: { path: '/readyz' } } })
  t.equal(sidecar.readinessProbe, undefined, 'no readinessProbe: a CSP outage must not pull the application from its Service')
  t.match(sidecar.securityContext, { runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } })
  t.match(pod.volumes, [{ name: 'wavefront-auth-proxy-credentials', secret: { secretName: 'wavefront-credentials' } }])

  const existingSecret = { 'wavefront-credentials': { 'csp-app-id': APP_ID, 'csp-app-secret': `${APP_SECRET}\n` } } // as kubectl create secret --from-file writes it
  const env = runtimeEnv(t, objects, deployment, sidecar, existingSecret)
  t.equal(env.ALLOWED_CLIENTS, '127.0.0.0/8,::1/128', 'only the pod\'s own containers may use the credential')
  const proxy = await startProxyProcess(t, ['node', CLI], { ...baseEnv(), ...env, PORT: '0' })
  const res = await call(`${proxy.url}/api/v2/source?limit=1`)
  t.equal(res.status, 200, res.text)
  t.equal(instance.received.at(-1)?.auth, 'valid')
  const ready = await call(`${proxy.url}/readyz`)
  t.equal(ready.status, 200, 'the startupProbe passes once a token is held')
  const write = await call(`${proxy.url}/api/v2/event`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })
  t.equal(write.status, 403, 'READ_ONLY from the example values reached the proxy')
  t.equal(await proxy.stop(), 0)
})

t.test('sidecar.tokenOutputFile: a shared in-memory emptyDir, TOKEN_OUTPUT_FILE on it, and the example Job reading the token from there', async (t) => {
  const { csp, instance } = await startFakes(t)
  const chart = exampleChartWithDependency(t)
  const objects = await render(chart, [
    '--set', 'tokenJob.enabled=true', '--set', 'wavefront-auth-proxy.sidecar.tokenOutputFile.enabled=true',
    '--set', `wavefront-auth-proxy.wavefront.url=${instance.url}`, '--set', `wavefront-auth-proxy.settings.CSP_BASE_URL=${csp.url}`
  ], 'demo')
  for (const obj of objects) t.same(await validateObject(obj), [], `${obj.kind} ${obj.metadata.name}`)
  const job = only(objects, 'Job')
  const pod = podSpecOf(job)
  const sidecar = pod.initContainers?.[0] as Container
  const tool = pod.containers[0] as Container & { securityContext: Record<string, unknown>, command: string[] }
  t.match(pod.volumes, [{ name: 'wavefront-auth-proxy-credentials' }, { name: 'wavefront-token', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } }])
  t.match(sidecar.volumeMounts, [{ name: 'wavefront-auth-proxy-credentials' }, { name: 'wavefront-token', mountPath: '/var/run/wavefront-token' }])
  t.same(tool.volumeMounts, [{ name: 'wavefront-token', mountPath: '/var/run/wavefront-token', readOnly: true }])
  t.equal(tool.securityContext.runAsUser, 1000, 'the tool runs as the proxy\'s user: the file is mode 0600')
  t.match(tool.command.join(' '), /WAVEFRONT_TOKEN=\$\(cat \/var\/run\/wavefront-token\/token\)/)

  const existingSecret = { 'wavefront-credentials': { 'csp-app-id': APP_ID, 'csp-app-secret': APP_SECRET } }
  const env = runtimeEnv(t, objects, job, sidecar, existingSecret)
  t.equal(env.TOKEN_OUTPUT_FILE, '/var/run/wavefront-token/token')
  const shared = mkdtempSync(join(tmpdir(), 'wap-emptydir-'))
  t.teardown(() => { rmSync(shared, { recursive: true, force: true }) })
  const proxy = await startProxyProcess(t, ['node', CLI], { ...baseEnv(), ...env, TOKEN_OUTPUT_FILE: join(shared, 'token'), PORT: '0' })
  let ready = 0 // what the kubelet does: probe /readyz until it passes, then start the tool
  for (let i = 0; i < 200 && ready !== 200; i++) {
    ready = (await call(`${proxy.url}/readyz`)).status
    if (ready !== 200) await new Promise((resolve) => setTimeout(resolve, 50))
  }
  t.equal(ready, 200, 'the startupProbe passes once a token is held')
  t.equal(csp.validity(readFileSync(join(shared, 'token'), 'utf8')), 'valid', 'and by then the file holds it')
  t.equal(await proxy.stop(), 0)
  t.equal(readFileSync(join(shared, 'token'), 'utf8'), '', 'emptied when the proxy stops')

  const without = await helm(['template', 'demo', chart, '--set', 'tokenJob.enabled=true'])
  t.not(without.code, 0)
  t.match(without.stderr, /wavefront-auth-proxy\.tokenVolumeMount needs sidecar\.tokenOutputFile\.enabled: true/)
})
