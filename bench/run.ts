// npm run bench: wavefront-auth-proxy against nginx doing the same job, in one run on one
// machine. See BENCHMARKS.md for the method. Flags:
//   --quick      short runs, to check the harness (figures not meaningful)
//   --profile    instead of the comparison: run the proxy under `node --cpu-prof` with the
//                small-GET load and summarise where the time goes (bench/results/profile.txt)
//   --no-nginx   behave as if nginx were not installed (Node upstream, no reference proxy)
//   --no-wrk     behave as if wrk were not installed (autocannon)
//   --tuning     instead of the comparison: small-GET throughput of the proxy with different
//                settings (LOG_LEVEL, METRICS, UPSTREAM_CONNECTIONS) → bench/results/tuning.json
//   --cli=PATH   with --tuning, also measure another build's cli.js (A/B of a hot-path change)
//   --instructions  instead of the comparison: CPU instructions per small GET of the proxy and
//                the bare design (and of --cli=PATH builds) under valgrind's callgrind, which
//                repeats within 1-2% where req/s varies ±10% → bench/results/instructions.json
//   --rounds=N --seconds=S   closed-loop rounds per target and their length (default 5 × 4 s)
//   --chart      only redraw bench/results/chart.svg from bench/results/latest.json
//   --memory-limit=MiB  run the proxies under test in a memory cgroup of that size, as a pod's
//                limits.memory does (needs root and a cgroup memory controller)
//   --node=PATH  run the proxies under test (ours, bare, naive) on that Node binary instead of the
//                harness's own, e.g. the image's runtime; with --tuning, each --node=PATH is a variant
import { execFileSync, spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs'
import { cpus, release, tmpdir, totalmem } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { callgrindArgs, count, mainThreadInstructions, requests } from './lib/callgrind.js'
import { barChart, type Bar } from './lib/chart.js'
import { autocannon, autocannonBin, download, fixedRate, latencyOf, percentile, probe, upload, wrk, type Latency, type Throughput, type Transfer } from './lib/load.js'
import { memoryLimit } from './lib/memory-limit.js'
import { nginxVersion, proxyConf, upstreamConf } from './lib/nginx.js'
import { cpuSeconds, foreignCpu, freePort, idleWakeupsPerSecond, killAll, minorFaults, stopAll, peakRss, pinning, pinSelf, rss, sampleRss, sleep, start, stop, which, type Proc } from './lib/procs.js'
import { formatComparison, formatSummary, summariseFile, type ProfileSummary } from './profile-summary.js'
import { NODE_FLAGS } from '../src/runtime/v8-tuning.js'

const argv = new Set(process.argv.slice(2))
const flag = (name: string): string | undefined => flags(name)[0]
/** Every value of a flag that may repeat (`--cli=A --cli=B`). */
function flags (name: string): string[] {
  return process.argv.slice(2).filter((a) => a.startsWith(`--${name}=`)).map((a) => a.slice(name.length + 3))
}
const QUICK = argv.has('--quick')
const PROFILE = argv.has('--profile')

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const RESULTS = join(ROOT, 'bench', 'results')
const CLI = join(ROOT, 'dist', 'wavefront-auth-proxy.mjs') // what npm start and the image run
const MiB = 1024 * 1024

const PLAN = {
  connections: 32,
  throughputWarmS: QUICK ? 1 : 2,
  throughputRuns: Number(flag('rounds') ?? (QUICK ? 1 : 5)),
  throughputRunS: Number(flag('seconds') ?? (QUICK ? 2 : 4)),
  sustainedS: QUICK ? 3 : 45,
  latencyRate: 1000,
  latencyWarmS: QUICK ? 1 : 6,
  latencyS: QUICK ? 3 : 10,
  latencyRounds: QUICK ? 1 : 5,
  bodyBytes: 256 * MiB,
  bodyReps: QUICK ? 1 : 3,
  bodyWarmups: QUICK ? 0 : 4, // a process takes 4-5 transfers of 256 MiB to settle (the JIT); a sidecar lives in the settled state
  readinessStarts: QUICK ? 2 : 5,
  profileS: QUICK ? 3 : 10,
  // the proxy's count still fell after 8 000 GETs while the JIT settled (Node upstream: 164 000, then 157 000
  // after 25 000); the bare design's did not (137 600 either way)
  instructionWarmRequests: QUICK ? 500 : 30000,
  instructionRequests: QUICK ? 500 : 5000,
  instructionRuns: QUICK ? 1 : 2,
  smallPath: '/api/v2/source?limit=10'
}

const TARGETS = {
  throughputRatio: 0.45,
  addedP50Ms: 0.25,
  addedP99Ms: 1,
  bodyRatio: 0.8,
  /** RSS climb between the first and second half of a 256 MiB transfer that still counts as flat (a buffered body would add ~128 MiB) */
  flatTrendMiB: 16,
  idleRssMiB: 80,
  peakRssMiB: 150,
  readyMs: 500
}

const t0 = performance.now()
function progress (msg: string): void {
  const s = Math.floor((performance.now() - t0) / 1000)
  process.stdout.write(`[bench ${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}] ${msg}\n`)
}

const limitMiB = flag('memory-limit')
/** A pod-like memory limit on the proxies under test, when asked for. */
const LIMIT = limitMiB === undefined ? undefined : memoryLimit(Number(limitMiB))
const cleanup = (): void => {
  killAll()
  LIMIT?.remove()
}
process.on('exit', cleanup)
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    cleanup()
    process.exit(130)
  })
}

// ---------------------------------------------------------------- tools and machine

const pins = pinning()
const nginxBin = argv.has('--no-nginx') ? undefined : which('nginx')
const wrkBin = argv.has('--no-wrk') ? undefined : which('wrk')
const acBin = autocannonBin()
const TOKEN = randomUUID()
const nodeBuilds = flags('node').map((n) => resolve(n))
/** The Node that runs the proxies under test; the upstream, load and harness keep the harness's own. */
const PROXY_NODE = argv.has('--tuning') ? process.execPath : nodeBuilds[0] ?? process.execPath
const nodeVersionOf = (bin: string): string => bin === process.execPath ? process.version : execFileSync(bin, ['--version']).toString().trim()

function machine (): Record<string, unknown> {
  const model = /^model name\s*:\s*(.+)$/m.exec(existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '')?.[1] ?? cpus()[0]?.model ?? 'unknown'
  const nproc = Number(spawnSync('nproc').stdout?.toString().trim() ?? cpus().length)
  const wrkV = wrkBin === undefined ? undefined : /wrk\s+(\S+)/.exec(spawnSync(wrkBin, ['-v']).stdout?.toString() ?? '')?.[1]
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
    proxyNode: nodeVersionOf(PROXY_NODE),
    proxyMemoryLimitMiB: LIMIT?.mib ?? null,
    nginx: nginxBin === undefined ? null : nginxVersion(nginxBin),
    loadGenerator: wrkBin !== undefined ? `wrk ${wrkV ?? ''}`.trim() : 'autocannon',
    upstream: nginxBin !== undefined ? 'nginx' : 'node',
    pinning: pins.proxy === undefined ? 'none (taskset missing or 1 core)' : `proxy under test on core ${pins.proxy}; load generator, upstream and harness on core ${pins.load}`,
    commit,
    uncommittedSrcFiles: dirtySrc,
    date: new Date().toISOString()
  }
}

// ---------------------------------------------------------------- processes

interface Target {
  readonly key: 'direct' | 'nginx' | 'nginx-nolog' | 'wap' | 'bare' | 'naive' | `tuning-${number}`
  readonly label: string
  readonly origin: string
  /** the proxy process measured (absent for direct) */
  readonly proc?: Proc
}

const tmp = mkdtempSync(join(tmpdir(), 'wap-bench-'))
chmodSync(tmp, 0o755) // nginx workers run as another user

// ---------------------------------------------------------------- other processes

/** CPU other processes may use (% of one core) while a figure is measured before it is taken again. */
const NOISE_PCT = 5
let worstNoisePct = 0
let repeats = 0

/** Waits (up to 120 s) until processes other than ours are quiet. */
async function waitQuiet (): Promise<void> {
  const deadline = performance.now() + 120_000
  let warned = false
  for (;;) {
    const { foreignPct } = await foreignCpu(async () => { await sleep(500) })
    if (foreignPct < NOISE_PCT) return
    if (performance.now() > deadline) {
      progress(`other processes still use ${foreignPct}% of a core: measuring anyway, figures will be noisy`)
      return
    }
    if (!warned) progress(`waiting for a quiet machine: other processes use ${foreignPct}% of a core`)
    warned = true
  }
}

/** Runs one measurement on a quiet machine; a measurement disturbed by other processes is taken again (3 tries). */
async function quietly<T> (label: string, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    await waitQuiet()
    const { value, foreignPct } = await foreignCpu(fn)
    if (foreignPct < NOISE_PCT || attempt === 3) {
      worstNoisePct = Math.max(worstNoisePct, foreignPct)
      return value
    }
    repeats++
    progress(`${label}: other processes used ${foreignPct}% of a core meanwhile, measuring again`)
  }
}

async function waitFor (url: string, ok: (status: number) => boolean, what: string, timeoutMs = 10_000, everyMs = 5): Promise<void> {
  const deadline = performance.now() + timeoutMs
  for (;;) {
    try {
      if (ok((await probe(url)).status)) return
    } catch { /* not listening yet */ }
    if (performance.now() > deadline) throw new Error(`${what} did not answer ${url} within ${timeoutMs} ms`)
    await sleep(everyMs)
  }
}

function writeBigFile (path: string, bytes: number): void {
  const chunk = Buffer.alloc(MiB, 'bench.download.metric 42 1700000000 source=bench-host\n')
  const fd = openSync(path, 'w')
  for (let written = 0; written < bytes; written += MiB) writeSync(fd, chunk, 0, Math.min(MiB, bytes - written))
  closeSync(fd)
}

interface Upstream { readonly proc: Proc, readonly origin: string, readonly sinkLog: string | undefined }

async function startUpstream (): Promise<Upstream> {
  const port = await freePort()
  let proc: Proc
  let sinkLog: string | undefined
  if (nginxBin !== undefined) {
    const prefix = join(tmp, 'nginx-upstream')
    mkdirSync(prefix, { recursive: true })
    const big = join(tmp, 'big.bin')
    writeBigFile(big, PLAN.bodyBytes)
    const files = upstreamConf(prefix, port, big, PLAN.bodyBytes)
    sinkLog = files.sinkLog
    proc = start('upstream (nginx)', nginxBin, ['-p', prefix, '-c', files.conf], { core: pins.load, output: join(tmp, 'upstream.out') })
  } else {
    proc = start('upstream (node)', process.execPath, [join(ROOT, 'dist', 'bench', 'node-upstream.js'), String(port), String(PLAN.bodyBytes)], { core: pins.load, output: join(tmp, 'upstream.out') })
  }
  const origin = `http://127.0.0.1:${port}`
  await waitFor(`${origin}/api/v2/ping`, (s) => s === 200, 'the upstream')
  return { proc, origin, sinkLog }
}

/** The environment of a user running the binary: only what the benchmark sets, everything else default. */
function wapEnv (upstream: string, port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(MALLOC_|GLIBC_TUNABLES|WAVEFRONT_|CSP_|LOG_|UPSTREAM_|BODY_LIMIT|ALLOWED_|READ_ONLY|HOST$|PORT$|METRICS|SHUTDOWN_|CONFIG_FILE|NODE_OPTIONS|HTTPS?_PROXY|NO_PROXY)/i.test(k)) continue
    env[k] = v
  }
  return { ...env, WAVEFRONT_URL: upstream, WAVEFRONT_TOKEN: TOKEN, PORT: String(port) }
}

async function startWap (upstream: string, output: string, nodeFlags: readonly string[] = [], settings: NodeJS.ProcessEnv = {}, cli = CLI, node = PROXY_NODE, baseFlags = NODE_FLAGS): Promise<{ proc: Proc, origin: string, readyMs: number }> {
  const port = await freePort()
  const proc = start('wavefront-auth-proxy', node, [...baseFlags, ...nodeFlags, cli], { env: { ...wapEnv(upstream, port), ...settings }, core: pins.proxy, output, wrap: LIMIT?.wrap })
  const origin = `http://127.0.0.1:${port}`
  try {
    await waitFor(`${origin}/readyz`, (s) => s === 200, 'wavefront-auth-proxy', 10_000, 5)
  } catch (err) {
    const tail = existsSync(output) ? readFileSync(output, 'utf8').split('\n').slice(-10).join('\n') : ''
    throw new Error(`${(err as Error).message}\n${tail}`)
  }
  return { proc, origin, readyMs: performance.now() - proc.spawnedAt }
}

async function startNginxProxy (upstream: string, accessLog: boolean): Promise<{ proc: Proc, origin: string }> {
  const port = await freePort()
  const prefix = join(tmp, accessLog ? 'nginx-proxy' : 'nginx-proxy-nolog')
  mkdirSync(prefix, { recursive: true })
  const conf = proxyConf(prefix, port, Number(new URL(upstream).port), TOKEN, accessLog)
  const proc = start(accessLog ? 'nginx proxy' : 'nginx proxy (no access log)', nginxBin as string, ['-p', prefix, '-c', conf], { core: pins.proxy, output: join(prefix, 'out.log') })
  const origin = `http://127.0.0.1:${port}`
  await waitFor(`${origin}/api/v2/ping`, (s) => s === 200, 'the nginx proxy')
  return { proc, origin }
}

async function startReference (script: 'naive-proxy' | 'bare-proxy', upstream: string, nodeFlags: readonly string[] = []): Promise<{ proc: Proc, origin: string }> {
  const port = await freePort()
  const proc = start(script, PROXY_NODE, [...NODE_FLAGS, ...nodeFlags, join(ROOT, 'dist', 'bench', `${script}.js`)], {
    env: { ...process.env, UPSTREAM: upstream, TOKEN, PORT: String(port) },
    core: pins.proxy,
    output: join(tmp, `${script}.out`),
    wrap: LIMIT?.wrap
  })
  const origin = `http://127.0.0.1:${port}`
  await waitFor(`${origin}/api/v2/ping`, (s) => s === 200, script)
  return { proc, origin }
}

/** Each proxy must really do the job: the upstream sees our Bearer token. */
async function checkAddsToken (t: Target): Promise<void> {
  const r = await probe(`${t.origin}/api/v2/bench/echo`)
  const seen = r.headers['x-echo-authorization']
  if (r.status !== 200 || seen !== `Bearer ${TOKEN}`) throw new Error(`${t.label} does not forward with the token (status ${r.status}, upstream saw ${JSON.stringify(seen)})`)
}

// ---------------------------------------------------------------- measurements

async function closedLoop (url: string, seconds: number): Promise<Throughput> {
  if (wrkBin !== undefined) return await wrk(wrkBin, url, PLAN.connections, seconds, pins.load)
  if (acBin === undefined) throw new Error('neither wrk nor autocannon is available: npm install')
  return await autocannon(acBin, url, PLAN.connections, seconds, pins.load)
}

const median = (xs: readonly number[]): number => percentile([...xs].sort((a, b) => a - b), 0.5)
const mib = (bytes: number): number => Math.round((bytes / MiB) * 10) / 10
const round = (n: number, digits = 3): number => Math.round(n * 10 ** digits) / 10 ** digits

interface ProcStats<T> { value: T, cpuS: number, wallS: number, rss: number[], faults: number }

/** Runs `fn` while sampling the proxy's RSS every `everyMs` and counting its CPU time. */
async function withProcStats<T> (proc: Proc | undefined, everyMs: number, fn: () => Promise<T>): Promise<ProcStats<T>> {
  const sampler = proc === undefined ? undefined : sampleRss(proc.pid, everyMs)
  const c0 = proc === undefined ? 0 : cpuSeconds(proc.pid)
  const f0 = proc === undefined ? 0 : minorFaults(proc.pid)
  const w0 = performance.now()
  const value = await fn()
  const wallS = (performance.now() - w0) / 1000
  const cpuS = proc === undefined ? 0 : cpuSeconds(proc.pid) - c0
  const faults = proc === undefined ? 0 : minorFaults(proc.pid) - f0
  return { value, cpuS, wallS, rss: sampler?.stop() ?? [0], faults }
}

interface ThroughputResult { rps: number, medianRps: number, runs: number[], errors: number, cpuPct: number | null, rssMaxMiB: number | null, p50Ms: number | undefined, p99Ms: number | undefined }

/** Closed loop, interleaved: every target is warmed up, then measured once per round, round after round. */
async function measureThroughput (targets: readonly Target[]): Promise<Partial<Record<Target['key'], ThroughputResult>>> {
  const acc = new Map<Target['key'], { runs: Throughput[], cpuS: number, wallS: number, rssMax: number }>()
  for (const t of targets) {
    progress(`throughput ${t.label}: warm-up ${PLAN.throughputWarmS}s`)
    await closedLoop(`${t.origin}${PLAN.smallPath}`, PLAN.throughputWarmS)
    acc.set(t.key, { runs: [], cpuS: 0, wallS: 0, rssMax: 0 })
  }
  for (let i = 1; i <= PLAN.throughputRuns; i++) {
    for (const t of targets) {
      const a = acc.get(t.key) as { runs: Throughput[], cpuS: number, wallS: number, rssMax: number }
      const m = await quietly(`throughput ${t.label}`, async () => await withProcStats(t.proc, 50, async () => await closedLoop(`${t.origin}${PLAN.smallPath}`, PLAN.throughputRunS)))
      const r = m.value
      a.runs.push(r)
      a.cpuS += m.cpuS
      a.wallS += m.wallS
      a.rssMax = Math.max(a.rssMax, ...m.rss)
      progress(`throughput round ${i}/${PLAN.throughputRuns} ${t.label}: ${Math.round(r.rps)} req/s${t.proc === undefined ? '' : `, proxy CPU ${Math.round((100 * m.cpuS) / m.wallS)}%, RSS ${mib(Math.max(...m.rss))} MiB`}${r.errors > 0 ? `, ${r.errors} ERRORS` : ''}`)
    }
  }
  const out: Partial<Record<Target['key'], ThroughputResult>> = {}
  for (const t of targets) {
    const a = acc.get(t.key) as { runs: Throughput[], cpuS: number, wallS: number, rssMax: number }
    const rpsRuns = a.runs.map((r) => r.rps)
    const best = a.runs.find((r) => r.rps === Math.max(...rpsRuns)) ?? a.runs[0] as Throughput
    out[t.key] = {
      rps: Math.round(best.rps), // best of the rounds: the shared host only ever slows a run down
      medianRps: Math.round(median(rpsRuns)),
      runs: rpsRuns.map(Math.round),
      errors: a.runs.reduce((s, r) => s + r.errors, 0),
      cpuPct: t.proc === undefined ? null : Math.round((100 * a.cpuS) / a.wallS),
      rssMaxMiB: t.proc === undefined ? null : mib(a.rssMax),
      p50Ms: best.p50Ms,
      p99Ms: best.p99Ms
    }
  }
  return out
}

interface SustainedResult { seconds: number, rps: number, rssMaxMiB: number, rssEndMiB: number }

/** The proxy alone under small GETs for longer than its rounds add up to: V8's first full
 * collection after start came after ~25 s of such load, so the rounds alone missed the peak. */
async function measureSustained (t: Target): Promise<SustainedResult> {
  progress(`sustained load ${t.label}: ${PLAN.sustainedS}s of small GETs at ${PLAN.connections} connections, RSS sampled every 250 ms`)
  const m = await withProcStats(t.proc, 250, async () => await closedLoop(`${t.origin}${PLAN.smallPath}`, PLAN.sustainedS))
  const r = { seconds: PLAN.sustainedS, rps: Math.round(m.value.rps), rssMaxMiB: mib(Math.max(...m.rss)), rssEndMiB: mib(m.rss.at(-1) ?? 0) }
  progress(`sustained load ${t.label}: ${r.rps} req/s, RSS max ${r.rssMaxMiB} MiB, ${r.rssEndMiB} MiB at the end${m.value.errors > 0 ? `, ${m.value.errors} ERRORS` : ''}`)
  return r
}

/**
 * Open loop at a fixed rate, interleaved in short slices so that the machine's own jitter
 * falls on every target alike; the samples of all slices of a target are pooled.
 */
async function measureLatency (targets: readonly Target[]): Promise<Partial<Record<Target['key'], Latency>>> {
  const slices = PLAN.latencyRounds
  const sliceS = PLAN.latencyS / slices
  const samples = new Map<Target['key'], number[]>()
  const perSlice = new Map<Target['key'], Latency[]>()
  const errors = new Map<Target['key'], number>()
  for (const t of targets) {
    progress(`latency ${t.label}: warm-up ${PLAN.latencyWarmS}s at ${PLAN.latencyRate} req/s`)
    await fixedRate(t.origin, PLAN.smallPath, PLAN.latencyRate, PLAN.latencyWarmS, 0)
    samples.set(t.key, [])
    errors.set(t.key, 0)
  }
  for (let i = 1; i <= slices; i++) {
    const line: string[] = []
    for (const t of targets) {
      const r = await quietly(`latency ${t.label}`, async () => await fixedRate(t.origin, PLAN.smallPath, PLAN.latencyRate, sliceS, 0.25))
      samples.get(t.key)?.push(...(r.samples ?? []))
      perSlice.set(t.key, [...(perSlice.get(t.key) ?? []), r])
      errors.set(t.key, (errors.get(t.key) ?? 0) + r.errors)
      line.push(`${t.key} p50 ${r.p50Ms.toFixed(3)}/p99 ${r.p99Ms.toFixed(3)}`)
    }
    progress(`latency slice ${i}/${slices} (${sliceS}s each at ${PLAN.latencyRate} req/s, ms): ${line.join(', ')}`)
  }
  const out: Partial<Record<Target['key'], Latency>> = {}
  for (const t of targets) {
    // each figure is the median over the slices: one slice hit by the shared host cannot carry it
    const slices = perSlice.get(t.key) ?? []
    const pooled = latencyOf(samples.get(t.key) ?? [], PLAN.latencyS)
    const mid = (f: (l: Latency) => number): number => median(slices.map(f))
    const l: Latency = { ...pooled, p50Ms: mid((x) => x.p50Ms), p90Ms: mid((x) => x.p90Ms), p99Ms: mid((x) => x.p99Ms), errors: errors.get(t.key) ?? 0 }
    out[t.key] = { ...l, pooled: { p50Ms: pooled.p50Ms, p90Ms: pooled.p90Ms, p99Ms: pooled.p99Ms, maxMs: pooled.maxMs }, sliceP99Ms: slices.map((x) => round(x.p99Ms)) } as Latency
    progress(`latency ${t.label}: p50 ${l.p50Ms.toFixed(3)} ms, p99 ${l.p99Ms.toFixed(3)} ms (medians of ${slices.length} slices; all ${l.requests} requests pooled: p50 ${pooled.p50Ms.toFixed(3)}, p99 ${pooled.p99Ms.toFixed(3)}, max ${pooled.maxMs.toFixed(1)} ms)${l.errors > 0 ? `, ${l.errors} ERRORS` : ''}`)
  }
  return out
}

interface BodyResult {
  mibPerS: number
  medianMibPerS: number
  runs: number[]
  rssBeforeMiB: number | null
  rssMaxMiB: number | null
  /** highest RSS during the transfers minus the RSS before the first one */
  rssGrowthMiB: number | null
  /** worst, over the transfers, of (highest RSS in its second half) − (highest RSS in its first half): a buffered body would show here */
  rssTrendMiB: number | null
  cpuPct: number | null
  /** minor page faults of the proxy in each timed transfer */
  faults: number[] | null
}

/** How much higher RSS climbs in the second half of a transfer than in the first. */
function trend (samples: readonly number[]): number {
  const half = Math.floor(samples.length / 2)
  return Math.max(...samples.slice(half)) - Math.max(...samples.slice(0, Math.max(1, half)))
}

function sinkLines (upstream: Upstream): string[] {
  if (upstream.sinkLog === undefined || !existsSync(upstream.sinkLog)) return []
  return readFileSync(upstream.sinkLog, 'utf8').split('\n').filter(Boolean)
}

/** nginx logs a request after answering it: wait for the line of the upload just made. */
async function sinkCountAfter (upstream: Upstream, linesBefore: number): Promise<number | undefined> {
  for (let i = 0; i < 200; i++) {
    const lines = sinkLines(upstream)
    if (lines.length > linesBefore) return Number((lines[lines.length - 1] ?? '').split(' ')[0])
    await sleep(10)
  }
  return undefined
}

async function transferOnce (t: Target, direction: 'upload' | 'download', upstream: Upstream): Promise<ProcStats<Transfer>> {
  if (direction === 'download') {
    const m = await quietly(`download ${t.label}`, async () => await withProcStats(t.proc, 50, async () => await download(`${t.origin}/api/v2/bench/big`)))
    if (m.value.status !== 200 || m.value.bytes !== PLAN.bodyBytes) throw new Error(`download through ${t.label}: status ${m.value.status}, ${m.value.bytes} bytes`)
    return m
  }
  const before = sinkLines(upstream).length
  const m = await quietly(`upload ${t.label}`, async () => await withProcStats(t.proc, 50, async () => await upload(`${t.origin}/report`, PLAN.bodyBytes)))
  const r = m.value
  // the upstream read the whole body before answering: nginx logs the bytes it read, the Node sink answers them
  const counted = upstream.sinkLog !== undefined ? await sinkCountAfter(upstream, before) : (JSON.parse(r.body) as { received?: number }).received
  if (r.status !== 202 || counted === undefined || counted < PLAN.bodyBytes) throw new Error(`upload through ${t.label}: status ${r.status}, upstream read ${String(counted)} bytes: ${r.body.slice(0, 200)}`)
  return m
}

/** Large bodies, one at a time, interleaved across targets; the proxy's RSS sampled every 50 ms. */
async function measureBodies (targets: readonly Target[], upstream: Upstream): Promise<Partial<Record<Target['key'], { upload: BodyResult, download: BodyResult }>>> {
  const out: Partial<Record<Target['key'], { upload: BodyResult, download: BodyResult }>> = {}
  const results = new Map<string, Array<ProcStats<Transfer>>>()
  for (const direction of ['download', 'upload'] as const) {
    // untimed first: the JIT takes a few hundred MiB to settle on the streaming path
    for (const t of targets) {
      for (let i = 0; i < PLAN.bodyWarmups; i++) await transferOnce(t, direction, upstream)
      if (PLAN.bodyWarmups > 0) progress(`${direction} ${t.label}: ${PLAN.bodyWarmups} untimed warm-up transfers done`)
    }
    for (let i = 1; i <= PLAN.bodyReps; i++) {
      for (const t of targets) {
        const m = await transferOnce(t, direction, upstream)
        const k = `${t.key}/${direction}`
        results.set(k, [...(results.get(k) ?? []), m])
        const speed = PLAN.bodyBytes / MiB / m.value.seconds
        progress(`${direction} ${mib(PLAN.bodyBytes)} MiB round ${i}/${PLAN.bodyReps} ${t.label}: ${Math.round(speed)} MiB/s${t.proc === undefined ? '' : `, proxy CPU ${Math.round((100 * m.cpuS) / m.wallS)}%, ${m.faults} page faults, RSS ${mib(m.rss[0] ?? 0)} → max ${mib(Math.max(...m.rss))} MiB`}`)
      }
    }
  }
  const summary = (t: Target, ms: Array<ProcStats<Transfer>>): BodyResult => {
    const runs = ms.map((m) => Math.round(PLAN.bodyBytes / MiB / m.value.seconds))
    const before = Math.min(...ms.map((m) => m.rss[0] ?? 0))
    const max = Math.max(...ms.flatMap((m) => m.rss))
    const cpu = ms.reduce((s, m) => s + m.cpuS, 0)
    const wall = ms.reduce((s, m) => s + m.wallS, 0)
    return {
      mibPerS: Math.max(...runs),
      medianMibPerS: median(runs),
      runs,
      rssBeforeMiB: t.proc === undefined ? null : mib(before),
      rssMaxMiB: t.proc === undefined ? null : mib(max),
      rssGrowthMiB: t.proc === undefined ? null : mib(max - before),
      rssTrendMiB: t.proc === undefined ? null : mib(Math.max(...ms.map((m) => trend(m.rss)))),
      cpuPct: t.proc === undefined ? null : Math.round((100 * cpu) / wall),
      faults: t.proc === undefined ? null : ms.map((m) => m.faults)
    }
  }
  for (const t of targets) {
    out[t.key] = { upload: summary(t, results.get(`${t.key}/upload`) ?? []), download: summary(t, results.get(`${t.key}/download`) ?? []) }
  }
  return out
}

// ---------------------------------------------------------------- the chart

interface ChartInput {
  machine: Record<string, unknown>
  plan: typeof PLAN
  targets: typeof TARGETS
  ratios: { throughput?: number, bareThroughput?: number, naiveThroughput?: number, upload?: number, download?: number, reference: string }
  addedLatencyMs: Record<string, { p50: number, p99: number } | undefined>
  memory: { idleMiB: number, peakMiB: number }
  bodies: Partial<Record<string, { upload: BodyResult, download: BodyResult }>>
}

/** The SVG the README shows, from a result (so `--chart` can redraw it from latest.json). */
function chartOf (r: ChartInput): string {
  const group = `Small-GET throughput, ${r.plan.connections} connections`
  const body = `${mib(r.plan.bodyBytes)} MiB bodies`
  const bars: Bar[] = [
    { group, label: 'wavefront-auth-proxy', ratio: r.ratios.throughput, target: r.targets.throughputRatio },
    { group, label: 'bare Fastify + undici (no features)', ratio: r.ratios.bareThroughput, muted: true },
    { group, label: '@fastify/http-proxy (naive)', ratio: r.ratios.naiveThroughput, muted: true },
    { group: body, label: 'upload via /report', ratio: r.ratios.upload, target: r.targets.bodyRatio },
    { group: body, label: 'download via /api/v2', ratio: r.ratios.download, target: r.targets.bodyRatio }
  ]
  const wap = r.addedLatencyMs.wap
  const ng = r.addedLatencyMs.nginx
  const b = r.bodies.wap
  const growth = Math.max(b?.upload.rssGrowthMiB ?? NaN, b?.download.rssGrowthMiB ?? NaN)
  const climb = Math.max(b?.upload.rssTrendMiB ?? NaN, b?.download.rssTrendMiB ?? NaN)
  return barChart(
    `wavefront-auth-proxy vs ${r.ratios.reference === 'nginx' ? String(r.machine.nginx) : 'going direct'} (higher is better)`,
    `${String(r.machine.cpu)}, ${String(r.machine.nproc)} cores, node ${String(r.machine.node)}; each proxy pinned to one core; dashed red line = target`,
    bars,
    [
      `Added latency at ${r.plan.latencyRate} req/s: p50 ${wap?.p50 ?? '—'} ms, p99 ${wap?.p99 ?? '—'} ms (nginx: p50 ${ng?.p50 ?? '—'} ms, p99 ${ng?.p99 ?? '—'} ms). Access logs on (LOG_LEVEL=info).`,
      `RSS idle ${r.memory.idleMiB} MiB, peak ${r.memory.peakMiB} MiB; during 256 MiB bodies +${growth} MiB over idle and ${climb <= r.targets.flatTrendMiB ? 'flat' : 'CLIMBING'} (+${climb} MiB first half → second). ${String(r.machine.date).slice(0, 10)}.`
    ]
  )
}

// ---------------------------------------------------------------- the comparison

interface Check { id: string, label: string, target: string, value: string, pass: boolean | null }

async function comparison (): Promise<void> {
  const info = machine()
  progress(`machine: ${String(info.nproc)} cores, ${String(info.cpu)}, node ${process.version}${PROXY_NODE === process.execPath ? '' : ` (proxies under test: ${String(info.proxyNode)})`}, nginx ${String(info.nginx ?? 'absent')}, load ${String(info.loadGenerator)}`)
  progress(`pinning: ${String(info.pinning)}`)
  if (LIMIT !== undefined) progress(`memory limit: the proxies under test run in a cgroup of ${LIMIT.mib} MiB`)
  if (info.uncommittedSrcFiles !== 0) progress(`note: ${String(info.uncommittedSrcFiles)} uncommitted file(s) under src/ are included in this build`)
  pinSelf(pins.load)

  const upstream = await startUpstream()
  progress(`upstream (${nginxBin !== undefined ? 'nginx' : 'node'}) at ${upstream.origin}`)

  // readiness: spawn → first 200 on /readyz, polled every 5 ms, a few fresh starts
  const readyMs: number[] = []
  for (let i = 1; i <= PLAN.readinessStarts; i++) {
    await waitQuiet()
    const w = await startWap(upstream.origin, join(tmp, `wap-ready-${i}.log`))
    readyMs.push(Math.round(w.readyMs))
    progress(`readiness ${i}/${PLAN.readinessStarts}: ready ${Math.round(w.readyMs)} ms after spawn`)
    await stop(w.proc)
  }
  const wapLog = join(tmp, 'wap.log')
  const wap = await startWap(upstream.origin, wapLog)
  readyMs.push(Math.round(wap.readyMs))
  await sleep(1000)
  const idleRss = rss(wap.proc.pid)
  progress(`wavefront-auth-proxy at ${wap.origin}: ready in ${Math.round(wap.readyMs)} ms, idle RSS ${mib(idleRss)} MiB`)
  const metricsStatus = (await probe(`${wap.origin}/metrics`)).status

  const targets: Target[] = [{ key: 'direct', label: 'direct to upstream', origin: upstream.origin }]
  if (nginxBin !== undefined) {
    const n = await startNginxProxy(upstream.origin, true)
    targets.push({ key: 'nginx', label: 'nginx', ...n })
    const nl = await startNginxProxy(upstream.origin, false)
    targets.push({ key: 'nginx-nolog', label: 'nginx (access_log off)', ...nl })
  }
  targets.push({ key: 'wap', label: 'wavefront-auth-proxy', proc: wap.proc, origin: wap.origin })
  targets.push({ key: 'bare', label: 'bare Fastify + undici (no features)', ...await startReference('bare-proxy', upstream.origin) })
  targets.push({ key: 'naive', label: '@fastify/http-proxy (naive)', ...await startReference('naive-proxy', upstream.origin) })
  for (const t of targets) if (t.key !== 'direct') await checkAddsToken(t)
  progress('every proxy forwards with Authorization: Bearer <token> (checked at the upstream)')
  const byKey = (k: Target['key']): Target | undefined => targets.find((t) => t.key === k)

  const throughput = await measureThroughput(targets)
  const sustained = await measureSustained(byKey('wap') as Target)
  const latency = await measureLatency(targets.filter((t) => t.key !== 'nginx-nolog'))
  const bodies = await measureBodies(targets.filter((t) => t.key === 'direct' || t.key === 'nginx' || t.key === 'wap' || t.key === 'bare'), upstream)

  await sleep(2000)
  const idleAfterRss = rss(wap.proc.pid)
  // Between bursts a sidecar idles: it should not keep waking up (CPU, battery, noisy neighbour).
  const idleWakeups: Partial<Record<Target['key'], number>> = {}
  for (const t of targets) if (t.proc !== undefined && t.key !== 'nginx-nolog') idleWakeups[t.key] = await idleWakeupsPerSecond(t.proc.pid)
  const wakeupsText = Object.entries(idleWakeups).map(([k, n]) => `${k} ${n}`).join(', ')
  progress(`idle wake-ups per second after the load (context switches of every thread over 3 s): ${wakeupsText}`)
  const peak = peakRss(wap.proc.pid)
  const nginxPeak = byKey('nginx')?.proc === undefined ? undefined : peakRss((byKey('nginx') as Target).proc?.pid as number)
  for (const t of targets) if (t.proc !== undefined) await stop(t.proc)
  await stop(upstream.proc)
  const accessLines = readFileSync(wapLog, 'utf8').split('\n').filter((l) => l.includes('"req') || l.includes('"statusCode"') || l.includes('"status"')).length
  const totalLines = readFileSync(wapLog, 'utf8').split('\n').filter(Boolean).length

  // ------------------------------------------------------------ figures and checks
  const ratio = (a: number | undefined, b: number | undefined): number | undefined => a === undefined || b === undefined || b === 0 ? undefined : round(a / b, 3)
  const refKey = nginxBin !== undefined ? 'nginx' : 'direct'
  const tpRatio = ratio(throughput.wap?.rps, throughput[refKey]?.rps)
  const naiveRatio = ratio(throughput.naive?.rps, throughput[refKey]?.rps)
  const bareRatio = ratio(throughput.bare?.rps, throughput[refKey]?.rps)
  const addedP50 = round((latency.wap?.p50Ms ?? NaN) - (latency.direct?.p50Ms ?? NaN), 3)
  const addedP99 = round((latency.wap?.p99Ms ?? NaN) - (latency.direct?.p99Ms ?? NaN), 3)
  const upRatio = ratio(bodies.wap?.upload.mibPerS, bodies[refKey]?.upload.mibPerS)
  const downRatio = ratio(bodies.wap?.download.mibPerS, bodies[refKey]?.download.mibPerS)
  const growth = Math.max(bodies.wap?.upload.rssGrowthMiB ?? NaN, bodies.wap?.download.rssGrowthMiB ?? NaN)
  const rssTrend = Math.max(bodies.wap?.upload.rssTrendMiB ?? NaN, bodies.wap?.download.rssTrendMiB ?? NaN)
  const peakMiB = mib(peak)
  const readyMax = Math.max(...readyMs)
  const vs = refKey === 'nginx' ? 'nginx' : 'direct (nginx absent)'
  const pass = (ok: boolean, measurable = true): boolean | null => measurable ? ok : null
  const checks: Check[] = [
    { id: 'throughput', label: `Small-GET throughput, ${PLAN.connections} connections, vs ${vs}`, target: `≥ ${TARGETS.throughputRatio}×`, value: `${tpRatio ?? '—'}×`, pass: pass((tpRatio ?? 0) >= TARGETS.throughputRatio, refKey === 'nginx') },
    { id: 'added-p50', label: `Added latency p50 at ${PLAN.latencyRate} req/s`, target: `≤ ${TARGETS.addedP50Ms} ms`, value: `${addedP50} ms`, pass: addedP50 <= TARGETS.addedP50Ms },
    { id: 'added-p99', label: `Added latency p99 at ${PLAN.latencyRate} req/s`, target: `≤ ${TARGETS.addedP99Ms} ms`, value: `${addedP99} ms`, pass: addedP99 <= TARGETS.addedP99Ms },
    { id: 'upload', label: `Upload ${mib(PLAN.bodyBytes)} MiB via /report vs ${vs}`, target: `≥ ${TARGETS.bodyRatio}×`, value: `${upRatio ?? '—'}×`, pass: pass((upRatio ?? 0) >= TARGETS.bodyRatio, refKey === 'nginx') },
    { id: 'download', label: `Download ${mib(PLAN.bodyBytes)} MiB via /api/v2 vs ${vs}`, target: `≥ ${TARGETS.bodyRatio}×`, value: `${downRatio ?? '—'}×`, pass: pass((downRatio ?? 0) >= TARGETS.bodyRatio, refKey === 'nginx') },
    { id: 'memory-flat', label: 'RSS during a 256 MiB body: climb from its first half to its second (growth over idle in brackets)', target: `flat (≤ ${TARGETS.flatTrendMiB} MiB)`, value: `${rssTrend} MiB (${growth} MiB)`, pass: rssTrend <= TARGETS.flatTrendMiB },
    { id: 'rss-idle', label: 'RSS idle (1 s after ready)', target: `≤ ${TARGETS.idleRssMiB} MiB`, value: `${mib(idleRss)} MiB`, pass: mib(idleRss) <= TARGETS.idleRssMiB },
    { id: 'rss-peak', label: `RSS peak over the whole run, ${PLAN.sustainedS} s of sustained load included (VmHWM)`, target: `≤ ${TARGETS.peakRssMiB} MiB`, value: `${peakMiB} MiB`, pass: peakMiB <= TARGETS.peakRssMiB },
    { id: 'ready', label: 'Ready (spawn → /readyz 200), worst of starts; static token, no fetch', target: `≤ ${TARGETS.readyMs} ms`, value: `${readyMax} ms`, pass: readyMax <= TARGETS.readyMs }
  ]

  const result = {
    tool: 'wavefront-auth-proxy bench',
    quick: QUICK,
    machine: info,
    plan: PLAN,
    targets: TARGETS,
    notes: {
      proxyUnderTest: `node ${NODE_FLAGS.join(' ')} dist/wavefront-auth-proxy.mjs (the bundle and node flags npm start and the image run), static-token mode, LOG_LEVEL default (info), stdout to a file, every other setting default`,
      nginxReference: 'worker_processes 1, proxy_set_header Authorization, upstream keepalive 128, proxy_request_buffering off, proxy_max_temp_file_size 0, access_log on (combined, as nginx ships); a second instance with access_log off for information',
      bareReference: 'bench/bare-proxy.ts: Fastify + reply.hijack() + undici Pool.dispatch, Authorization added, hop-by-hop headers dropped, nothing else (no logs, metrics, guards, request ids, 401 retry): the floor of this design',
      naiveReference: '@fastify/http-proxy with rewriteRequestHeaders adding Authorization, logger off, default undici options',
      otherProcesses: { worstForeignCpuPctOfOneCore: worstNoisePct, measurementsRepeated: repeats },
      wapFeatures: { metricsEndpointStatus: metricsStatus, logLinesWritten: totalLines, accessLikeLogLines: accessLines }
    },
    readinessMs: readyMs,
    throughput,
    latency,
    addedLatencyMs: Object.fromEntries(Object.entries(latency).filter(([k]) => k !== 'direct').map(([k, v]) => [k, { p50: round((v?.p50Ms ?? NaN) - (latency.direct?.p50Ms ?? NaN)), p99: round((v?.p99Ms ?? NaN) - (latency.direct?.p99Ms ?? NaN)) }])),
    bodies,
    memory: { idleMiB: mib(idleRss), idleAfterLoadMiB: mib(idleAfterRss), peakMiB, nginxPeakMiB: nginxPeak === undefined ? null : mib(nginxPeak), sustained },
    idleWakeupsPerSecond: idleWakeups,
    ratios: { throughput: tpRatio, bareThroughput: bareRatio, naiveThroughput: naiveRatio, bareUpload: ratio(bodies.bare?.upload.mibPerS, bodies[refKey]?.upload.mibPerS), bareDownload: ratio(bodies.bare?.download.mibPerS, bodies[refKey]?.download.mibPerS), upload: upRatio, download: downRatio, reference: refKey },
    checks
  }
  mkdirSync(RESULTS, { recursive: true })
  const jsonName = QUICK ? 'quick.json' : 'latest.json'
  writeFileSync(join(RESULTS, jsonName), JSON.stringify(result, null, 2) + '\n')

  const svg = chartOf(result)
  if (!QUICK) writeFileSync(join(RESULTS, 'chart.svg'), svg)

  // ------------------------------------------------------------ print
  const row = (cells: ReadonlyArray<string | number | null | undefined>): string => `| ${cells.map((c) => c === null || c === undefined ? '—' : String(c)).join(' | ')} |`
  const lines: string[] = []
  lines.push('', '### Side by side', '')
  lines.push(row(['', 'req/s (32 conns)', 'proxy CPU', 'RSS under load', 'p50 @1000/s', 'p99 @1000/s', 'added p50', 'added p99', 'upload MiB/s', 'download MiB/s', 'RSS max during bodies']))
  lines.push(row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']))
  for (const t of targets) {
    const tp = throughput[t.key]
    const l = latency[t.key]
    const b = bodies[t.key]
    const added = (result.addedLatencyMs as Record<string, { p50: number, p99: number } | undefined>)[t.key]
    lines.push(row([
      t.label,
      tp?.rps,
      tp?.cpuPct === null || tp?.cpuPct === undefined ? undefined : `${tp.cpuPct}%`,
      tp?.rssMaxMiB === null || tp?.rssMaxMiB === undefined ? undefined : `${tp.rssMaxMiB} MiB`,
      l === undefined ? undefined : `${l.p50Ms.toFixed(3)} ms`,
      l === undefined ? undefined : `${l.p99Ms.toFixed(3)} ms`,
      added === undefined ? undefined : `${added.p50} ms`,
      added === undefined ? undefined : `${added.p99} ms`,
      b?.upload.mibPerS,
      b?.download.mibPerS,
      b === undefined || b.upload.rssMaxMiB === null ? undefined : `${Math.max(b.upload.rssMaxMiB, b.download.rssMaxMiB ?? 0)} MiB`
    ]))
  }
  lines.push('', '### Targets', '')
  lines.push(row(['Target', 'Goal', 'Measured', 'Result']))
  lines.push(row(['---', '---', '---:', '---']))
  for (const c of checks) lines.push(row([c.label, c.target, c.value, c.pass === null ? 'n/a' : c.pass ? 'pass' : 'FAIL']))
  lines.push('', `readiness samples (ms): ${readyMs.join(', ')}; sustained load ${sustained.seconds} s: ${sustained.rps} req/s, RSS max ${sustained.rssMaxMiB} MiB, ${sustained.rssEndMiB} at the end; idle RSS after the load ${mib(idleAfterRss)} MiB; idle wake-ups per second: ${wakeupsText}; wavefront-auth-proxy wrote ${totalLines} log lines; /metrics answered ${metricsStatus}`)
  process.stdout.write(lines.join('\n') + '\n\n')
  progress(`wrote ${join('bench', 'results', jsonName)}${QUICK ? '' : ' and bench/results/chart.svg'}`)
}

// ---------------------------------------------------------------- the profile

async function profile (): Promise<void> {
  pinSelf(pins.load)
  const upstream = await startUpstream()
  const runs: Array<{ label: string, summary: ProfileSummary, requests: number, rps: number, file: string }> = []
  for (const which of ['wap', 'bare'] as const) {
    const dir = join(tmp, `profile-${which}`)
    mkdirSync(dir, { recursive: true })
    const flags = ['--cpu-prof', '--cpu-prof-interval=250', `--cpu-prof-dir=${dir}`]
    const p = which === 'wap'
      ? await startWap(upstream.origin, join(tmp, 'wap-profile.log'), flags)
      : await startReference('bare-proxy', upstream.origin, flags)
    const label = which === 'wap' ? 'wavefront-auth-proxy' : 'bare Fastify + undici'
    const url = `${p.origin}${PLAN.smallPath}`
    progress(`profiling ${label} (node --cpu-prof): warm-up ${PLAN.throughputWarmS}s, then ${PLAN.profileS}s of small GETs at ${PLAN.connections} connections`)
    const warm = await closedLoop(url, PLAN.throughputWarmS)
    const r = await closedLoop(url, PLAN.profileS)
    progress(`profiled ${label}: ${Math.round(r.rps)} req/s (slower than unprofiled: the profiler samples)`)
    await stop(p.proc, 20_000)
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))
    if (file === undefined) throw new Error(`no .cpuprofile written for ${label}`)
    runs.push({ label, summary: summariseFile(join(dir, file)), requests: warm.requests + r.requests, rps: r.rps, file: join(dir, file) })
  }
  await stop(upstream.proc)
  const [wap, bare] = runs as [typeof runs[0], typeof runs[0]]
  const text = `CPU profiles (node --cpu-prof) under ${PLAN.profileS}s of small GETs at ${PLAN.connections} connections, ${new Date().toISOString()}\n` +
    'Each includes start-up and warm-up. Regenerate with: npm run bench -- --profile\n\n' +
    `## Per request: wavefront-auth-proxy (${wap.requests} requests) vs the bare design (${bare.requests} requests)\n\n` +
    formatComparison(wap.summary, wap.requests, bare.summary, bare.requests) +
    `\n## wavefront-auth-proxy (${Math.round(wap.rps)} req/s while profiled)\n\n` + formatSummary(wap.summary, 40) +
    `\n## bare Fastify + undici (${Math.round(bare.rps)} req/s while profiled)\n\n` + formatSummary(bare.summary, 25)
  mkdirSync(RESULTS, { recursive: true })
  writeFileSync(join(RESULTS, 'profile.txt'), text)
  writeFileSync(join(RESULTS, 'profile.cpuprofile'), readFileSync(wap.file))
  writeFileSync(join(RESULTS, 'profile-bare.cpuprofile'), readFileSync(bare.file))
  process.stdout.write('\n' + text + '\n')
  progress('wrote bench/results/profile.txt and bench/results/profile*.cpuprofile (open them in Chrome DevTools → Performance, or speedscope, for a flame graph)')
}

// ---------------------------------------------------------------- tuning

async function tuning (): Promise<void> {
  pinSelf(pins.load)
  const upstream = await startUpstream()
  const variants: Array<{ label: string, settings: NodeJS.ProcessEnv, cli?: string, node?: string, flags?: readonly string[] }> = [
    { label: 'defaults (LOG_LEVEL=info, METRICS=true, UPSTREAM_CONNECTIONS=128)', settings: {} },
    { label: `node without ${NODE_FLAGS.join(' ')} (V8 sizes its young generation itself)`, settings: {}, flags: [] },
    { label: 'LOG_LEVEL=warn (no access log lines)', settings: { LOG_LEVEL: 'warn' } },
    { label: 'METRICS=false', settings: { METRICS: 'false' } },
    { label: 'LOG_LEVEL=warn METRICS=false', settings: { LOG_LEVEL: 'warn', METRICS: 'false' } },
    { label: 'UPSTREAM_CONNECTIONS=8', settings: { UPSTREAM_CONNECTIONS: '8' } },
    { label: 'UPSTREAM_CONNECTIONS=32', settings: { UPSTREAM_CONNECTIONS: '32' } }
  ]
  const builds = flags('cli')
  if (builds.length + nodeBuilds.length > 0) variants.splice(1) // A/B of builds or runtimes: the defaults against each, nothing else
  for (const b of builds) variants.push({ label: `build ${b}`, settings: {}, cli: resolve(b) })
  for (const n of nodeBuilds) variants.push({ label: `Node ${nodeVersionOf(n)}`, settings: {}, node: n })
  if (nodeBuilds.length > 0) variants[0] = { label: `${variants[0]?.label ?? 'defaults'}, Node ${process.version}`, settings: {} }
  const targets: Target[] = []
  if (nginxBin !== undefined) targets.push({ key: 'nginx', label: 'nginx', ...await startNginxProxy(upstream.origin, true) })
  for (const [i, v] of variants.entries()) {
    const w = await startWap(upstream.origin, join(tmp, `tuning-${i}.log`), [], v.settings, v.cli, v.node, v.flags)
    targets.push({ key: `tuning-${i}`, label: v.label, proc: w.proc, origin: w.origin })
    progress(`started ${v.label}`)
  }
  const throughput = await measureThroughput(targets)
  const ref = throughput.nginx?.rps
  const rows = targets.map((t) => ({ label: t.label, ...throughput[t.key], ratioToNginx: ref === undefined ? null : round((throughput[t.key]?.rps ?? 0) / ref) }))
  for (const t of targets) if (t.proc !== undefined) await stop(t.proc)
  await stop(upstream.proc)
  mkdirSync(RESULTS, { recursive: true })
  writeFileSync(join(RESULTS, 'tuning.json'), JSON.stringify({ machine: machine(), plan: PLAN, rows }, null, 2) + '\n')
  process.stdout.write('\n| Setting | req/s, best (32 conns) | req/s, median | vs nginx (best) | proxy CPU | RSS under load |\n| --- | ---: | ---: | ---: | ---: | ---: |\n')
  for (const r of rows) process.stdout.write(`| ${r.label} | ${r.rps ?? '—'} | ${r.medianRps ?? '—'} | ${r.ratioToNginx ?? '—'}× | ${r.cpuPct ?? '—'}% | ${r.rssMaxMiB ?? '—'} MiB |\n`)
  progress('wrote bench/results/tuning.json')
}

// ---------------------------------------------------------------- instructions

async function instructions (): Promise<void> {
  const valgrind = which('valgrind')
  if (valgrind === undefined || which('callgrind_control') === undefined) throw new Error('--instructions needs valgrind: sudo apt-get install valgrind')
  pinSelf(pins.load)
  const upstream = await startUpstream()
  const builds = flags('cli').map((b) => resolve(b))
  const subjects = [
    ...[CLI, ...builds].map((cli) => ({ label: cli === CLI ? 'wavefront-auth-proxy' : `build ${relative(ROOT, cli)}`, script: cli, ready: '/readyz', env: (port: number) => wapEnv(upstream.origin, port) })),
    { label: 'bare Fastify + undici (no features)', script: join(ROOT, 'dist', 'bench', 'bare-proxy.js'), ready: '/api/v2/ping', env: (port: number) => ({ ...process.env, UPSTREAM: upstream.origin, TOKEN, PORT: String(port) }) }
  ]
  const rows: Array<{ label: string, perRequest: number[] }> = []
  for (const subject of subjects) {
    const perRequest: number[] = []
    for (let run = 1; run <= PLAN.instructionRuns; run++) {
      const dir = mkdtempSync(join(tmp, 'callgrind-'))
      const port = await freePort()
      const proc = start(subject.label, valgrind, [...callgrindArgs(dir), PROXY_NODE, ...NODE_FLAGS, subject.script], { env: subject.env(port), core: pins.proxy, output: join(dir, 'out.log') })
      const origin = `http://127.0.0.1:${port}`
      await waitFor(`${origin}${subject.ready}`, (status) => status === 200, `${subject.label} under valgrind`, 120_000, 200)
      await requests(origin, PLAN.smallPath, PLAN.instructionWarmRequests) // the JIT settles first
      count(proc.pid, true)
      await requests(origin, PLAN.smallPath, PLAN.instructionRequests)
      count(proc.pid, false)
      await stop(proc, 60_000)
      perRequest.push(Math.round(mainThreadInstructions(dir) / PLAN.instructionRequests))
      progress(`${subject.label}, run ${run}/${PLAN.instructionRuns}: ${perRequest.at(-1) ?? 0} instructions per request (main thread, ${PLAN.instructionRequests} GETs after ${PLAN.instructionWarmRequests} to warm up)`)
    }
    rows.push({ label: subject.label, perRequest })
  }
  await stop(upstream.proc)
  const bare = median(rows.at(-1)?.perRequest ?? [])
  const table = rows.map((r) => ({ ...r, median: median(r.perRequest), vsBare: round(median(r.perRequest) / bare) }))
  mkdirSync(RESULTS, { recursive: true })
  writeFileSync(join(RESULTS, 'instructions.json'), JSON.stringify({ machine: machine(), plan: PLAN, rows: table }, null, 2) + '\n')
  process.stdout.write('\n| Proxy | instructions per request (median) | runs | vs bare design |\n| --- | ---: | --- | ---: |\n')
  for (const r of table) process.stdout.write(`| ${r.label} | ${r.median} | ${r.perRequest.join(', ')} | ${r.vsBare}× |\n`)
  progress('wrote bench/results/instructions.json')
}

try {
  if (argv.has('--chart')) {
    writeFileSync(join(RESULTS, 'chart.svg'), chartOf(JSON.parse(readFileSync(join(RESULTS, 'latest.json'), 'utf8')) as ChartInput))
    progress('redrew bench/results/chart.svg from bench/results/latest.json')
  } else {
    await (PROFILE ? profile() : argv.has('--tuning') ? tuning() : argv.has('--instructions') ? instructions() : comparison())
  }
} catch (err) {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`)
  process.exitCode = 1
} finally {
  await stopAll()
  killAll()
  rmSync(tmp, { recursive: true, force: true })
}
