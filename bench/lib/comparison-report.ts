// The comparison's figures turned into ratios and pass/fail checks against the targets, written
// to bench/results/latest.json (quick.json for --quick) and chart.svg, and printed as tables.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { NODE_FLAGS } from '../../src/runtime/v8-tuning.js'
import type { Bodies } from './bodies.js'
import { mib, RESULTS, round, type Context } from './context.js'
import type { Latency } from './load.js'
import { chartOf, type ChartInput } from './result-chart.js'
import type { SustainedResult, ThroughputResult } from './small-gets.js'
import type { Target } from './subjects.js'

export interface Figures {
  info: Record<string, unknown>
  targets: readonly Target[]
  readyMs: number[]
  throughput: Partial<Record<Target['key'], ThroughputResult>>
  sustained: SustainedResult
  latency: Partial<Record<Target['key'], Latency>>
  bodies: Bodies
  memory: { idleRss: number, idleAfterRss: number, peak: number, nginxPeak: number | undefined }
  idleWakeups: Partial<Record<Target['key'], number>>
  wapFeatures: { metricsEndpointStatus: number, logLinesWritten: number, accessLikeLogLines: number }
}

interface Check { id: string, label: string, target: string, value: string, pass: boolean | null }

const ratio = (a: number | undefined, b: number | undefined): number | undefined => a === undefined || b === undefined || b === 0 ? undefined : round(a / b, 3)

function checksOf (ctx: Context, f: Figures, refKey: 'nginx' | 'direct'): { checks: Check[], ratios: ChartInput['ratios'] & { bareUpload?: number | undefined, bareDownload?: number | undefined } } {
  const { plan, targets: T } = ctx
  const { throughput, latency, bodies } = f
  const tp = ratio(throughput.wap?.rps, throughput[refKey]?.rps)
  const up = ratio(bodies.wap?.upload.mibPerS, bodies[refKey]?.upload.mibPerS)
  const down = ratio(bodies.wap?.download.mibPerS, bodies[refKey]?.download.mibPerS)
  const addedP50 = round((latency.wap?.p50Ms ?? NaN) - (latency.direct?.p50Ms ?? NaN), 3)
  const addedP99 = round((latency.wap?.p99Ms ?? NaN) - (latency.direct?.p99Ms ?? NaN), 3)
  const growth = Math.max(bodies.wap?.upload.rssGrowthMiB ?? NaN, bodies.wap?.download.rssGrowthMiB ?? NaN)
  const rssTrend = Math.max(bodies.wap?.upload.rssTrendMiB ?? NaN, bodies.wap?.download.rssTrendMiB ?? NaN)
  const peakMiB = mib(f.memory.peak)
  const idleMiB = mib(f.memory.idleRss)
  const readyMax = Math.max(...f.readyMs)
  const vs = refKey === 'nginx' ? 'nginx' : 'direct (nginx absent)'
  const pass = (ok: boolean, measurable = true): boolean | null => measurable ? ok : null
  const withNginx = refKey === 'nginx'
  const body = `${mib(plan.bodyBytes)} MiB`
  const checks: Check[] = [
    { id: 'throughput', label: `Small-GET throughput, ${plan.connections} connections, vs ${vs}`, target: `≥ ${T.throughputRatio}×`, value: `${tp ?? '—'}×`, pass: pass((tp ?? 0) >= T.throughputRatio, withNginx) },
    { id: 'added-p50', label: `Added latency p50 at ${plan.latencyRate} req/s`, target: `≤ ${T.addedP50Ms} ms`, value: `${addedP50} ms`, pass: addedP50 <= T.addedP50Ms },
    { id: 'added-p99', label: `Added latency p99 at ${plan.latencyRate} req/s`, target: `≤ ${T.addedP99Ms} ms`, value: `${addedP99} ms`, pass: addedP99 <= T.addedP99Ms },
    { id: 'upload', label: `Upload ${body} via /report vs ${vs}`, target: `≥ ${T.bodyRatio}×`, value: `${up ?? '—'}×`, pass: pass((up ?? 0) >= T.bodyRatio, withNginx) },
    { id: 'download', label: `Download ${body} via /api/v2 vs ${vs}`, target: `≥ ${T.bodyRatio}×`, value: `${down ?? '—'}×`, pass: pass((down ?? 0) >= T.bodyRatio, withNginx) },
    { id: 'memory-flat', label: `RSS during a ${body} body: climb from its first half to its second (growth over idle in brackets)`, target: `flat (≤ ${T.flatTrendMiB} MiB)`, value: `${rssTrend} MiB (${growth} MiB)`, pass: rssTrend <= T.flatTrendMiB },
    { id: 'rss-idle', label: 'RSS idle (1 s after ready)', target: `≤ ${T.idleRssMiB} MiB`, value: `${idleMiB} MiB`, pass: idleMiB <= T.idleRssMiB },
    { id: 'rss-peak', label: `RSS peak over the whole run, ${plan.sustainedS} s of sustained load included (VmHWM)`, target: `≤ ${T.peakRssMiB} MiB`, value: `${peakMiB} MiB`, pass: peakMiB <= T.peakRssMiB },
    { id: 'ready', label: 'Ready (spawn → /readyz 200), worst of starts; static token, no fetch', target: `≤ ${T.readyMs} ms`, value: `${readyMax} ms`, pass: readyMax <= T.readyMs }
  ]
  const ratios = {
    throughput: tp,
    bareThroughput: ratio(throughput.bare?.rps, throughput[refKey]?.rps),
    naiveThroughput: ratio(throughput.naive?.rps, throughput[refKey]?.rps),
    bareUpload: ratio(bodies.bare?.upload.mibPerS, bodies[refKey]?.upload.mibPerS),
    bareDownload: ratio(bodies.bare?.download.mibPerS, bodies[refKey]?.download.mibPerS),
    upload: up,
    download: down,
    reference: refKey
  }
  return { checks, ratios }
}

const cell = (c: string | number | null | undefined): string => c === null || c === undefined ? '—' : String(c)
const row = (cells: ReadonlyArray<string | number | null | undefined>): string => `| ${cells.map(cell).join(' | ')} |`

export function report (ctx: Context, f: Figures): void {
  const refKey = ctx.nginxBin !== undefined ? 'nginx' : 'direct'
  const { checks, ratios } = checksOf(ctx, f, refKey)
  const { latency } = f
  const addedLatencyMs = Object.fromEntries(Object.entries(latency).filter(([k]) => k !== 'direct').map(([k, v]) => [k, { p50: round((v?.p50Ms ?? NaN) - (latency.direct?.p50Ms ?? NaN)), p99: round((v?.p99Ms ?? NaN) - (latency.direct?.p99Ms ?? NaN)) }]))
  const result = {
    tool: 'wavefront-auth-proxy bench',
    quick: ctx.options.quick,
    machine: f.info,
    plan: ctx.plan,
    targets: ctx.targets,
    notes: {
      proxyUnderTest: `node ${NODE_FLAGS.join(' ')} dist/wavefront-auth-proxy.mjs (the bundle and node flags npm start and the image run), static-token mode, LOG_LEVEL default (info), stdout to a file, every other setting default`,
      nginxReference: 'worker_processes 1, proxy_set_header Authorization, upstream keepalive 128, proxy_request_buffering off, proxy_max_temp_file_size 0, access_log on (combined, as nginx ships); a second instance with access_log off for information',
      bareReference: 'bench/bare-proxy.ts: Fastify + reply.hijack() + undici Pool.dispatch, Authorization added, hop-by-hop headers dropped, nothing else (no logs, metrics, guards, request ids, 401 retry): the floor of this design',
      naiveReference: '@fastify/http-proxy with rewriteRequestHeaders adding Authorization, logger off, default undici options',
      otherProcesses: { worstForeignCpuPctOfOneCore: ctx.noise.worstPct, measurementsRepeated: ctx.noise.repeats, busyHostFlag: ctx.options.busy },
      wapFeatures: f.wapFeatures
    },
    readinessMs: f.readyMs,
    throughput: f.throughput,
    latency,
    addedLatencyMs,
    bodies: f.bodies,
    memory: { idleMiB: mib(f.memory.idleRss), idleAfterLoadMiB: mib(f.memory.idleAfterRss), peakMiB: mib(f.memory.peak), nginxPeakMiB: f.memory.nginxPeak === undefined ? null : mib(f.memory.nginxPeak), sustained: f.sustained },
    idleWakeupsPerSecond: f.idleWakeups,
    ratios,
    checks
  }
  mkdirSync(RESULTS, { recursive: true })
  const jsonName = ctx.options.quick ? 'quick.json' : 'latest.json'
  writeFileSync(join(RESULTS, jsonName), JSON.stringify(result, null, 2) + '\n')
  if (!ctx.options.quick) writeFileSync(join(RESULTS, 'chart.svg'), chartOf(result))

  const lines: string[] = ['', '### Side by side', '']
  lines.push(row(['', 'req/s (32 conns)', 'proxy CPU', 'RSS under load', 'p50 @1000/s', 'p99 @1000/s', 'added p50', 'added p99', 'upload MiB/s', 'download MiB/s', 'RSS max during bodies']))
  lines.push(row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']))
  for (const t of f.targets) {
    const tp = f.throughput[t.key]
    const l = latency[t.key]
    const b = f.bodies[t.key]
    const added = addedLatencyMs[t.key]
    lines.push(row([
      t.label,
      tp?.rps,
      tp?.cpuPct == null ? undefined : `${tp.cpuPct}%`,
      tp?.rssMaxMiB == null ? undefined : `${tp.rssMaxMiB} MiB`,
      l === undefined ? undefined : `${l.p50Ms.toFixed(3)} ms`,
      l === undefined ? undefined : `${l.p99Ms.toFixed(3)} ms`,
      added === undefined ? undefined : `${added.p50} ms`,
      added === undefined ? undefined : `${added.p99} ms`,
      b?.upload.mibPerS,
      b?.download.mibPerS,
      b === undefined || b.upload.rssMaxMiB === null ? undefined : `${Math.max(b.upload.rssMaxMiB, b.download.rssMaxMiB ?? 0)} MiB`
    ]))
  }
  lines.push('', '### Targets', '', row(['Target', 'Goal', 'Measured', 'Result']), row(['---', '---', '---:', '---']))
  for (const c of checks) lines.push(row([c.label, c.target, c.value, c.pass === null ? 'n/a' : c.pass ? 'pass' : 'FAIL']))
  const s = f.sustained
  const wakeups = Object.entries(f.idleWakeups).map(([k, n]) => `${k} ${n}`).join(', ')
  lines.push('', `readiness samples (ms): ${f.readyMs.join(', ')}; sustained load ${s.seconds} s: ${s.rps} req/s, RSS max ${s.rssMaxMiB} MiB, ${s.rssEndMiB} at the end; idle RSS after the load ${mib(f.memory.idleAfterRss)} MiB; idle wake-ups per second: ${wakeups}; wavefront-auth-proxy wrote ${f.wapFeatures.logLinesWritten} log lines; /metrics answered ${f.wapFeatures.metricsEndpointStatus}`)
  if (ctx.noise.worstPct > 0) lines.push(`other processes used up to ${ctx.noise.worstPct}% of a core while figures were taken${ctx.options.busy ? ' (--busy: not waited for)' : ''}`)
  process.stdout.write(lines.join('\n') + '\n\n')
  ctx.progress(`wrote ${join('bench', 'results', jsonName)}${ctx.options.quick ? '' : ' and bench/results/chart.svg'}`)
}
