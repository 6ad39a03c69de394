// As a native sidecar (the example chart) the proxy gates the application on a token, serves only
// loopback clients, and can hand the token to a Job through a shared in-memory file.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { exampleChartWithDependency, helm, only, render } from '../deploy/helm.js'
import { validateObject } from '../deploy/kube-schema.js'
import { podSpecOf, runtimeEnv, type Container } from '../deploy/pod-env.js'
import { baseEnv, startProxyProcess } from '../deploy/proxy-process.js'
import { CLI } from '../helpers/binary.js'
import { call } from '../helpers/http.js'
import { APP_ID, APP_SECRET, startFakes } from '../helpers/stack.js'
import { tempDir } from '../helpers/temp-dir.js'

t.setTimeout(120_000)

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
  const shared = tempDir(t, 'wap-emptydir-')
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
