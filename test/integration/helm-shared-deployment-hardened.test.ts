// Shared mode renders a hardened, probed, sized Deployment behind a ClusterIP Service, a
// NetworkPolicy that admits only labelled clients, and the optional HPA, PDB and ServiceMonitor.
import { join } from 'node:path'
import t from 'tap'
import { CHART, only, render, SERVICE, type KubeObject } from '../deploy/helm.js'
import { containerEnv, podSpecOf, proxyContainer } from '../deploy/pod-env.js'

t.setTimeout(120_000)

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

t.test('optional objects: HPA takes over replicas, PodDisruptionBudget, ServiceMonitor on /metrics', async (t) => {
  const objects = await render(CHART, ['-f', join(CHART, 'ci/existing-secret-extras-values.yaml')])
  const deployment = only(objects, 'Deployment') as KubeObject & { spec: Record<string, unknown> }
  t.equal(deployment.spec.replicas, undefined, 'the HPA owns the replica count')
  t.match(only(objects, 'HorizontalPodAutoscaler').spec, { scaleTargetRef: { kind: 'Deployment', name: deployment.metadata.name }, minReplicas: 2, maxReplicas: 4 })
  t.match(only(objects, 'PodDisruptionBudget').spec, { maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/instance': 'wap' } } })
  t.match(only(objects, 'ServiceMonitor').spec, { endpoints: [{ port: 'http', path: '/metrics' }] })
  t.equal((only(await render(CHART), 'Deployment').spec as { replicas: number }).replicas, 2, 'without the HPA, replicaCount')
})
