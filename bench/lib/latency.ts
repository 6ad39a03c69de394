// Latency at a fixed rate (open loop), in short slices interleaved across targets.
import { median, round, type Context } from './context.js'
import { fixedRate, latencyOf, type Latency } from './load.js'
import { quietly } from './quiet.js'
import type { Target } from './subjects.js'

/**
 * Open loop at a fixed rate, interleaved in short slices so that the machine's own jitter
 * falls on every target alike; the samples of all slices of a target are pooled.
 */
export async function measureLatency (ctx: Context, targets: readonly Target[]): Promise<Partial<Record<Target['key'], Latency>>> {
  const { plan, progress } = ctx
  const slices = plan.latencyRounds
  const sliceS = plan.latencyS / slices
  const samples = new Map<Target['key'], number[]>()
  const perSlice = new Map<Target['key'], Latency[]>()
  const errors = new Map<Target['key'], number>()
  for (const t of targets) {
    progress(`latency ${t.label}: warm-up ${plan.latencyWarmS}s at ${plan.latencyRate} req/s`)
    await fixedRate(t.origin, plan.smallPath, plan.latencyRate, plan.latencyWarmS, 0)
    samples.set(t.key, [])
    errors.set(t.key, 0)
  }
  for (let i = 1; i <= slices; i++) {
    const line: string[] = []
    for (const t of targets) {
      const r = await quietly(ctx, `latency ${t.label}`, async () => await fixedRate(t.origin, plan.smallPath, plan.latencyRate, sliceS, 0.25))
      samples.get(t.key)?.push(...(r.samples ?? []))
      perSlice.set(t.key, [...(perSlice.get(t.key) ?? []), r])
      errors.set(t.key, (errors.get(t.key) ?? 0) + r.errors)
      line.push(`${t.key} p50 ${r.p50Ms.toFixed(3)}/p99 ${r.p99Ms.toFixed(3)}`)
    }
    progress(`latency slice ${i}/${slices} (${sliceS}s each at ${plan.latencyRate} req/s, ms): ${line.join(', ')}`)
  }
  const out: Partial<Record<Target['key'], Latency>> = {}
  for (const t of targets) {
    // each figure is the median over the slices: one slice hit by the shared host cannot carry it
    const slices = perSlice.get(t.key) ?? []
    const pooled = latencyOf(samples.get(t.key) ?? [], plan.latencyS)
    const mid = (f: (l: Latency) => number): number => median(slices.map(f))
    const l: Latency = { ...pooled, p50Ms: mid((x) => x.p50Ms), p90Ms: mid((x) => x.p90Ms), p99Ms: mid((x) => x.p99Ms), errors: errors.get(t.key) ?? 0 }
    out[t.key] = { ...l, pooled: { p50Ms: pooled.p50Ms, p90Ms: pooled.p90Ms, p99Ms: pooled.p99Ms, maxMs: pooled.maxMs }, sliceP99Ms: slices.map((x) => round(x.p99Ms)) } as Latency
    progress(`latency ${t.label}: p50 ${l.p50Ms.toFixed(3)} ms, p99 ${l.p99Ms.toFixed(3)} ms (medians of ${slices.length} slices; all ${l.requests} requests pooled: p50 ${pooled.p50Ms.toFixed(3)}, p99 ${pooled.p99Ms.toFixed(3)}, max ${pooled.maxMs.toFixed(1)} ms)${l.errors > 0 ? `, ${l.errors} ERRORS` : ''}`)
  }
  return out
}
