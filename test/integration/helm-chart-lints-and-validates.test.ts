// The chart passes helm lint --strict and every rendered object validates against the Kubernetes
// schemas, unknown fields included, with the default values, each ci values file and the example.
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { CHART, exampleChartWithDependency, helm, only, render } from '../deploy/helm.js'
import { validateObject } from '../deploy/kube-schema.js'
import { podSpecOf, type Container } from '../deploy/pod-env.js'

t.setTimeout(120_000)

const CI_VALUES = readdirSync(join(CHART, 'ci')).filter((f) => f.endsWith('-values.yaml')).sort()
const VALUE_SETS: Array<{ name: string, args: string[] }> = [
  { name: 'default values', args: [] },
  ...CI_VALUES.map((f) => ({ name: `ci/${f}`, args: ['-f', join(CHART, 'ci', f)] }))
]

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
