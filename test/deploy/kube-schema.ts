// Validates rendered objects against the Kubernetes OpenAPI schemas shipped by kubernetes-models
// (and prometheus-operator's for ServiceMonitor), offline. Those schemas, like the API server,
// ignore unknown fields; a misspelt field (readOnlyRootFileSystem) would then pass unnoticed, so
// every field is also checked to be one the schema knows, as kubeconform -strict does.
import type { KubeObject } from './helm.js'

interface Validatable { validate: () => void }
type ModelClass = new (data: object) => Validatable
interface SchemaError { instancePath: string, message?: string }

const CRD_PACKAGES: Record<string, string> = {
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator'
}

async function modelFor (apiVersion: string, kind: string): Promise<ModelClass> {
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] as string : ''
  const pkg = CRD_PACKAGES[group] ?? 'kubernetes-models'
  const mod = await import(`${pkg}/${apiVersion}/${kind}`) as Record<string, ModelClass>
  const model = mod[kind]
  if (model === undefined) throw new Error(`no schema for ${apiVersion} ${kind}`)
  return model
}

function schemaErrors (Model: ModelClass, data: object): SchemaError[] {
  try {
    new Model(data).validate()
    return []
  } catch (err) {
    const errors = (err as { errors?: SchemaError[] }).errors
    if (errors === undefined) throw err
    return errors
  }
}

/** Problems with one object: schema violations, then fields the schema does not define. */
export async function validateObject (obj: KubeObject): Promise<string[]> {
  const Model = await modelFor(obj.apiVersion, obj.kind)
  const doc = structuredClone(obj) as unknown as Record<string, unknown>
  const problems = schemaErrors(Model, doc).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`)
  if (problems.length > 0) return problems
  // A field the schema knows is one it checks: replace its value by something no schema
  // accepts (a symbol) and an error must point at it. If none does, the field is unknown.
  for (const { parent, key, pointer } of fields(doc, '')) {
    const value = parent[key]
    parent[key] = Symbol('probe')
    const known = schemaErrors(Model, doc).some((e) => e.instancePath === pointer || e.instancePath.startsWith(pointer + '/'))
    parent[key] = value
    if (!known) problems.push(`${pointer} is not a field of ${obj.apiVersion} ${obj.kind}`)
  }
  return problems
}

interface Field { parent: Record<string, unknown>, key: string, pointer: string }

function * fields (node: unknown, pointer: string): Generator<Field> {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      yield * fields(node[i], `${pointer}/${i}`)
    }
  } else if (typeof node === 'object' && node !== null) {
    const record = node as Record<string, unknown>
    for (const key of Object.keys(record)) {
      const child = `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`
      yield { parent: record, key, pointer: child }
      yield * fields(record[key], child)
    }
  }
}
