// Large bodies (256 MiB) both ways, one at a time, interleaved across targets, after untimed
// warm-up transfers; speed, CPU, page faults and RSS of the proxy for each.
import { existsSync, readFileSync } from 'node:fs'
import { median, MiB, mib, type Context } from './context.js'
import { download, upload, type Transfer } from './transfers.js'
import { sleep } from './procs.js'
import { quietly } from './quiet.js'
import { withProcStats, type ProcStats } from './small-gets.js'
import type { Target, Upstream } from './subjects.js'

export interface BodyResult {
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
  /** CPU time of the proxy (user + system, every thread) in each timed transfer: GC work shows here whatever the host's load */
  cpuMs: number[] | null
}
export type Bodies = Partial<Record<Target['key'], { upload: BodyResult, download: BodyResult }>>

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

async function transferOnce (ctx: Context, t: Target, direction: 'upload' | 'download', upstream: Upstream): Promise<ProcStats<Transfer>> {
  const bytes = ctx.plan.bodyBytes
  if (direction === 'download') {
    const m = await quietly(ctx, `download ${t.label}`, async () => await withProcStats(t.proc, 50, async () => await download(`${t.origin}/api/v2/bench/big`)))
    if (m.value.status !== 200 || m.value.bytes !== bytes) throw new Error(`download through ${t.label}: status ${m.value.status}, ${m.value.bytes} bytes`)
    return m
  }
  const before = sinkLines(upstream).length
  const m = await quietly(ctx, `upload ${t.label}`, async () => await withProcStats(t.proc, 50, async () => await upload(`${t.origin}/report`, bytes)))
  const r = m.value
  // the upstream read the whole body before answering: nginx logs the bytes it read, the Node sink answers them
  const counted = upstream.sinkLog !== undefined ? await sinkCountAfter(upstream, before) : (JSON.parse(r.body) as { received?: number }).received
  if (r.status !== 202 || counted === undefined || counted < bytes) throw new Error(`upload through ${t.label}: status ${r.status}, upstream read ${String(counted)} bytes: ${r.body.slice(0, 200)}`)
  return m
}

function summary (ctx: Context, t: Target, ms: Array<ProcStats<Transfer>>): BodyResult {
  const runs = ms.map((m) => Math.round(ctx.plan.bodyBytes / MiB / m.value.seconds))
  const before = Math.min(...ms.map((m) => m.rss[0] ?? 0))
  const max = Math.max(...ms.flatMap((m) => m.rss))
  const cpu = ms.reduce((s, m) => s + m.cpuS, 0)
  const wall = ms.reduce((s, m) => s + m.wallS, 0)
  const measured = t.proc !== undefined
  return {
    mibPerS: Math.max(...runs),
    medianMibPerS: median(runs),
    runs,
    rssBeforeMiB: measured ? mib(before) : null,
    rssMaxMiB: measured ? mib(max) : null,
    rssGrowthMiB: measured ? mib(max - before) : null,
    rssTrendMiB: measured ? mib(Math.max(...ms.map((m) => trend(m.rss)))) : null,
    cpuPct: measured ? Math.round((100 * cpu) / wall) : null,
    faults: measured ? ms.map((m) => m.faults) : null,
    cpuMs: measured ? ms.map((m) => Math.round(m.cpuS * 1000)) : null
  }
}

/** Large bodies, one at a time, interleaved across targets; the proxy's RSS sampled every 50 ms. */
export async function measureBodies (ctx: Context, targets: readonly Target[], upstream: Upstream): Promise<Bodies> {
  const { plan, progress } = ctx
  const results = new Map<string, Array<ProcStats<Transfer>>>()
  for (const direction of ['download', 'upload'] as const) {
    // untimed first: the JIT takes a few hundred MiB to settle on the streaming path
    for (const t of targets) {
      for (let i = 0; i < plan.bodyWarmups; i++) await transferOnce(ctx, t, direction, upstream)
      if (plan.bodyWarmups > 0) progress(`${direction} ${t.label}: ${plan.bodyWarmups} untimed warm-up transfers done`)
    }
    for (let i = 1; i <= plan.bodyReps; i++) {
      for (const t of targets) {
        const m = await transferOnce(ctx, t, direction, upstream)
        const k = `${t.key}/${direction}`
        results.set(k, [...(results.get(k) ?? []), m])
        const speed = plan.bodyBytes / MiB / m.value.seconds
        progress(`${direction} ${mib(plan.bodyBytes)} MiB round ${i}/${plan.bodyReps} ${t.label}: ${Math.round(speed)} MiB/s${t.proc === undefined ? '' : `, proxy CPU ${Math.round((100 * m.cpuS) / m.wallS)}%, ${m.faults} page faults, RSS ${mib(m.rss[0] ?? 0)} → max ${mib(Math.max(...m.rss))} MiB`}`)
      }
    }
  }
  const out: Bodies = {}
  for (const t of targets) {
    out[t.key] = { upload: summary(ctx, t, results.get(`${t.key}/upload`) ?? []), download: summary(ctx, t, results.get(`${t.key}/download`) ?? []) }
  }
  return out
}
