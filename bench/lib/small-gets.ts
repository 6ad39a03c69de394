// Small GETs in a closed loop: throughput rounds interleaved across targets, and a longer
// sustained load on one proxy; CPU, RSS and page faults of the proxy measured meanwhile.
import { median, mib, type Context } from './context.js'
import { autocannon, wrk, type Throughput } from './load.js'
import { cpuSeconds, minorFaults, sampleRss } from './proc-stats.js'
import type { Proc } from './procs.js'
import { quietly } from './quiet.js'
import type { Target } from './subjects.js'

export async function closedLoop (ctx: Context, url: string, seconds: number): Promise<Throughput> {
  if (ctx.wrkBin !== undefined) return await wrk(ctx.wrkBin, url, ctx.plan.connections, seconds, ctx.pins.load)
  if (ctx.acBin === undefined) throw new Error('neither wrk nor autocannon is available: npm install')
  return await autocannon(ctx.acBin, url, ctx.plan.connections, seconds, ctx.pins.load)
}

export interface ProcStats<T> { value: T, cpuS: number, wallS: number, rss: number[], faults: number }

/** Runs `fn` while sampling the proxy's RSS every `everyMs` and counting its CPU time and page faults. */
export async function withProcStats<T> (proc: Proc | undefined, everyMs: number, fn: () => Promise<T>): Promise<ProcStats<T>> {
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

export interface ThroughputResult { rps: number, medianRps: number, runs: number[], errors: number, cpuPct: number | null, rssMaxMiB: number | null, p50Ms: number | undefined, p99Ms: number | undefined }
type Acc = { runs: Throughput[], cpuS: number, wallS: number, rssMax: number }

/** Closed loop, interleaved: every target is warmed up, then measured once per round, round after round. */
export async function measureThroughput (ctx: Context, targets: readonly Target[]): Promise<Partial<Record<Target['key'], ThroughputResult>>> {
  const { plan, progress } = ctx
  const acc = new Map<Target['key'], Acc>()
  for (const t of targets) {
    progress(`throughput ${t.label}: warm-up ${plan.throughputWarmS}s`)
    await closedLoop(ctx, `${t.origin}${plan.smallPath}`, plan.throughputWarmS)
    acc.set(t.key, { runs: [], cpuS: 0, wallS: 0, rssMax: 0 })
  }
  for (let i = 1; i <= plan.throughputRuns; i++) {
    for (const t of targets) {
      const a = acc.get(t.key) as Acc
      const m = await quietly(ctx, `throughput ${t.label}`, async () => await withProcStats(t.proc, 50, async () => await closedLoop(ctx, `${t.origin}${plan.smallPath}`, plan.throughputRunS)))
      const r = m.value
      a.runs.push(r)
      a.cpuS += m.cpuS
      a.wallS += m.wallS
      a.rssMax = Math.max(a.rssMax, ...m.rss)
      progress(`throughput round ${i}/${plan.throughputRuns} ${t.label}: ${Math.round(r.rps)} req/s${t.proc === undefined ? '' : `, proxy CPU ${Math.round((100 * m.cpuS) / m.wallS)}%, RSS ${mib(Math.max(...m.rss))} MiB`}${r.errors > 0 ? `, ${r.errors} ERRORS` : ''}`)
    }
  }
  const out: Partial<Record<Target['key'], ThroughputResult>> = {}
  for (const t of targets) {
    const a = acc.get(t.key) as Acc
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

export interface SustainedResult { seconds: number, rps: number, rssMaxMiB: number, rssEndMiB: number }

/** The proxy alone under small GETs for longer than its rounds add up to: V8's first full
 * collection after start came after ~25 s of such load, so the rounds alone missed the peak. */
export async function measureSustained (ctx: Context, t: Target, seconds = ctx.plan.sustainedS): Promise<SustainedResult> {
  const { plan, progress } = ctx
  progress(`sustained load ${t.label}: ${seconds}s of small GETs at ${plan.connections} connections, RSS sampled every 250 ms`)
  const m = await withProcStats(t.proc, 250, async () => await closedLoop(ctx, `${t.origin}${plan.smallPath}`, seconds))
  const r = { seconds, rps: Math.round(m.value.rps), rssMaxMiB: mib(Math.max(...m.rss)), rssEndMiB: mib(m.rss.at(-1) ?? 0) }
  progress(`sustained load ${t.label}: ${r.rps} req/s, RSS max ${r.rssMaxMiB} MiB, ${r.rssEndMiB} MiB at the end${m.value.errors > 0 ? `, ${m.value.errors} ERRORS` : ''}`)
  return r
}
