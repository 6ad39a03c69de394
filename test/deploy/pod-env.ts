// What a rendered container would see at run time: its environment (envFrom, then env, with
// ConfigMap and Secret references resolved) and its mounted Secrets, written to a temp dir.
import { existsSync, mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from '../helpers/temp-dir.js'
import { only, type KubeObject } from './helm.js'

export interface Container {
  name: string
  env?: Array<{ name: string, value?: string, valueFrom?: { secretKeyRef?: KeyRef, configMapKeyRef?: KeyRef } }>
  envFrom?: Array<{ configMapRef?: { name: string }, secretRef?: { name: string } }>
  volumeMounts?: Array<{ name: string, mountPath: string, subPath?: string, readOnly?: boolean }>
  [field: string]: unknown
}

interface KeyRef { name: string, key: string, optional?: boolean }
export interface PodSpec {
  containers: Container[]
  initContainers?: Container[]
  volumes?: Array<{ name: string, secret?: { secretName: string } }>
  [field: string]: unknown
}

/** Secrets the test provides as if they existed in the cluster (an existingSecret, say). */
export type ExtraSecrets = Record<string, Record<string, string>>

export function podSpecOf (workload: KubeObject): PodSpec {
  return (workload.spec as { template: { spec: PodSpec } }).template.spec
}

/** The proxy's container in the chart's own Deployment. */
export function proxyContainer (objects: readonly KubeObject[]): Container {
  return podSpecOf(only(objects, 'Deployment')).containers[0] as Container
}

/** Writes the pod's Secret files to a temp dir and returns the container's environment pointing at them. */
export function runtimeEnv (t: { teardown: (fn: () => void) => void }, objects: readonly KubeObject[], workload: KubeObject, container: Container, extra: ExtraSecrets = {}): Record<string, string> {
  const mounts = mountSecrets(objects, podSpecOf(workload), container, tempDir(t, 'wap-pod-'), extra)
  return relocate(containerEnv(objects, container, extra), mounts)
}

function stringDataOf (objects: readonly KubeObject[], extra: ExtraSecrets, kind: 'ConfigMap' | 'Secret', name: string): Record<string, string> | undefined {
  if (kind === 'Secret' && extra[name] !== undefined) return extra[name]
  const obj = objects.find((o) => o.kind === kind && o.metadata.name === name)
  if (obj === undefined) return undefined
  const data = (obj.data ?? {}) as Record<string, string>
  if (kind === 'ConfigMap') return data
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]))
}

/** The container's environment, in Kubernetes order: envFrom first, then env entries override. */
export function containerEnv (objects: readonly KubeObject[], container: Container, extra: ExtraSecrets = {}): Record<string, string> {
  const env: Record<string, string> = {}
  for (const from of container.envFrom ?? []) {
    const [kind, ref] = from.configMapRef !== undefined ? ['ConfigMap', from.configMapRef] as const : ['Secret', from.secretRef] as const
    const data = stringDataOf(objects, extra, kind, ref?.name ?? '')
    if (data === undefined) throw new Error(`envFrom names ${kind} ${ref?.name ?? ''}, which is not rendered`)
    Object.assign(env, data)
  }
  for (const entry of container.env ?? []) {
    if (entry.value !== undefined) {
      env[entry.name] = entry.value
      continue
    }
    const [kind, ref] = entry.valueFrom?.secretKeyRef !== undefined ? ['Secret', entry.valueFrom.secretKeyRef] as const : ['ConfigMap', entry.valueFrom?.configMapKeyRef] as const
    if (ref === undefined) throw new Error(`env ${entry.name} has neither value nor a key reference`)
    const value = stringDataOf(objects, extra, kind, ref.name)?.[ref.key]
    if (value !== undefined) env[entry.name] = value
    else if (ref.optional !== true) throw new Error(`env ${entry.name} names ${kind} ${ref.name} key ${ref.key}, which does not exist`)
  }
  return env
}

/** Writes each Secret volume the container mounts into `root`; returns mountPath → local dir. */
export function mountSecrets (objects: readonly KubeObject[], pod: PodSpec, container: Container, root: string, extra: ExtraSecrets = {}): Map<string, string> {
  const mounts = new Map<string, string>()
  for (const mount of container.volumeMounts ?? []) {
    const volume = pod.volumes?.find((v) => v.name === mount.name)
    if (volume?.secret === undefined) continue
    const data = stringDataOf(objects, extra, 'Secret', volume.secret.secretName)
    if (data === undefined) throw new Error(`volume ${mount.name} names Secret ${volume.secret.secretName}, which is not rendered`)
    const dir = join(root, mount.name)
    writeSecretVolume(dir, data)
    mounts.set(mount.mountPath, dir)
  }
  return mounts
}

/** Points environment values at the local copies of mounted paths. */
export function relocate (env: Record<string, string>, mounts: ReadonlyMap<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(env)) {
    let v = value
    for (const [mountPath, dir] of mounts) if (v.startsWith(mountPath + '/')) v = dir + v.slice(mountPath.length)
    out[name] = v
  }
  return out
}

let generation = 0

/** Writes a Secret volume the way the kubelet does (and updates it on rotation): the data in a
 * fresh hidden directory, `..data` re-pointed at it by an atomic rename, each key a symlink
 * through `..data`. */
export function writeSecretVolume (dir: string, data: Record<string, string>): void {
  mkdirSync(dir, { recursive: true })
  const version = `..${Date.now()}_${++generation}`
  mkdirSync(join(dir, version))
  for (const [key, value] of Object.entries(data)) writeFileSync(join(dir, version, key), value)
  symlinkSync(version, join(dir, '..data_tmp'))
  renameSync(join(dir, '..data_tmp'), join(dir, '..data'))
  for (const key of Object.keys(data)) {
    if (!existsSync(join(dir, key))) symlinkSync(join('..data', key), join(dir, key))
  }
}
