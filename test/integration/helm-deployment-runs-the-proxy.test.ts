// The rendered Deployment's environment and Secret files start the real proxy, which serves the
// Service's DNS names and the pod-IP probes, refuses other Hosts and survives a secret rotation.
import { existsSync } from 'node:fs'
import { dirname } from 'node:path'
import t from 'tap'
import { CHART, only, render, SERVICE } from '../deploy/helm.js'
import { proxyContainer, runtimeEnv, writeSecretVolume } from '../deploy/pod-env.js'
import { baseEnv, startProxyProcess } from '../deploy/proxy-process.js'
import { CLI } from '../helpers/binary.js'
import { call } from '../helpers/http.js'
import { APP_ID, APP_SECRET, ORG_ID, startFakes } from '../helpers/stack.js'

t.setTimeout(120_000)

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
