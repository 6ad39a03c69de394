// What every mode shares: the options and plan, the tools found on the machine, the cores to pin
// to, a scratch directory, the memory cgroup, progress lines, and the machine's description.
import { execFileSync, spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { chmodSync, existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { cpus, release, tmpdir, totalmem } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { autocannonBin, percentile } from './load.js'
import { memoryLimit, type MemoryLimit } from './memory-limit.js'
import { nginxVersion } from './nginx.js'
import { pinning, which } from './procs.js'
import { planOf, TARGETS, type Options, type Plan, type Targets } from './options.js'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
export const RESULTS = join(ROOT, 'bench', 'results')
/** What npm start and the image run. */
export const CLI = join(ROOT, 'dist', 'wavefront-auth-proxy.mjs')
export const MiB = 1024 * 1024

export interface Context {
  readonly options: Options
  readonly plan: Plan
  readonly targets: Targets
  readonly pins: { proxy: number | undefined, load: number | undefined }
  readonly nginxBin: string | undefined
  readonly wrkBin: string | undefined
  readonly acBin: string | undefined
  /** the static token every proxy under test adds */
  readonly token: string
  /** the Node that runs the proxies under test; the upstream, load and harness keep the harness's own */
  readonly proxyNode: string
  readonly tmp: string
  readonly limit: MemoryLimit | undefined
  /** how much CPU other processes took while figures were measured */
  readonly noise: { worstPct: number, repeats: number }
  readonly progress: (msg: string) => void
}

export function createContext (options: Options): Context {
  const t0 = performance.now()
  const tmp = mkdtempSync(join(tmpdir(), 'wap-bench-'))
  chmodSync(tmp, 0o755) // nginx workers run as another user
  const node = options.node.map((n) => resolve(n))
  return {
    options,
    plan: planOf(options),
    targets: TARGETS,
    pins: pinning(),
    nginxBin: options.noNginx ? undefined : which('nginx'),
    wrkBin: options.noWrk ? undefined : which('wrk'),
    acBin: autocannonBin(),
    token: randomUUID(),
    proxyNode: options.mode === 'tuning' ? process.execPath : node[0] ?? process.execPath,
    tmp,
    limit: options.memoryLimitMiB === undefined ? undefined : memoryLimit(options.memoryLimitMiB),
    noise: { worstPct: 0, repeats: 0 },
    progress: (msg) => {
      const s = Math.floor((performance.now() - t0) / 1000)
      process.stdout.write(`[bench ${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}] ${msg}\n`)
    }
  }
}

export const nodeVersionOf = (bin: string): string => bin === process.execPath ? process.version : execFileSync(bin, ['--version']).toString().trim()

export function machine (ctx: Context): Record<string, unknown> {
  const model = /^model name\s*:\s*(.+)$/m.exec(existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '')?.[1] ?? cpus()[0]?.model ?? 'unknown'
  const nproc = Number(spawnSync('nproc').stdout?.toString().trim() ?? cpus().length)
  const wrkV = ctx.wrkBin === undefined ? undefined : /wrk\s+(\S+)/.exec(spawnSync(ctx.wrkBin, ['-v']).stdout?.toString() ?? '')?.[1]
  let commit = 'unknown'
  let dirtySrc = 0
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim()
    dirtySrc = execFileSync('git', ['status', '--porcelain', 'src'], { cwd: ROOT }).toString().split('\n').filter(Boolean).length
  } catch { /* not a checkout */ }
  return {
    nproc,
    cpu: model,
    kernel: release(),
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    proxyNode: nodeVersionOf(ctx.proxyNode),
    proxyMemoryLimitMiB: ctx.limit?.mib ?? null,
    nginx: ctx.nginxBin === undefined ? null : nginxVersion(ctx.nginxBin),
    loadGenerator: ctx.wrkBin !== undefined ? `wrk ${wrkV ?? ''}`.trim() : 'autocannon',
    upstream: ctx.nginxBin !== undefined ? 'nginx' : 'node',
    pinning: ctx.pins.proxy === undefined ? 'none (taskset missing or 1 core)' : `proxy under test on core ${ctx.pins.proxy}; load generator, upstream and harness on core ${ctx.pins.load}`,
    commit,
    uncommittedSrcFiles: dirtySrc,
    otherProcesses: { worstForeignCpuPctOfOneCore: ctx.noise.worstPct, measurementsRepeated: ctx.noise.repeats, busyHostFlag: ctx.options.busy },
    date: new Date().toISOString()
  }
}

export const median = (xs: readonly number[]): number => percentile([...xs].sort((a, b) => a - b), 0.5)
export const mib = (bytes: number): number => Math.round((bytes / MiB) * 10) / 10
export const round = (n: number, digits = 3): number => Math.round(n * 10 ** digits) / 10 ** digits
