// The SVG the README shows, drawn from a comparison's result (so `--chart` can redraw it).
import type { BodyResult } from './bodies.js'
import { barChart, type Bar } from './chart.js'
import { mib } from './context.js'
import type { Plan, Targets } from './options.js'

export interface ChartInput {
  machine: Record<string, unknown>
  plan: Plan
  targets: Targets
  ratios: { throughput?: number, bareThroughput?: number, naiveThroughput?: number, upload?: number, download?: number, reference: string }
  addedLatencyMs: Record<string, { p50: number, p99: number } | undefined>
  memory: { idleMiB: number, peakMiB: number }
  bodies: Partial<Record<string, { upload: BodyResult, download: BodyResult }>>
}

export function chartOf (r: ChartInput): string {
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
    `${String(r.machine.cpu)}, ${String(r.machine.nproc)} cores, node ${String(r.machine.proxyNode ?? r.machine.node)}; each proxy pinned to one core; dashed red line = target`,
    bars,
    [
      `Added latency at ${r.plan.latencyRate} req/s: p50 ${wap?.p50 ?? '—'} ms, p99 ${wap?.p99 ?? '—'} ms (nginx: p50 ${ng?.p50 ?? '—'} ms, p99 ${ng?.p99 ?? '—'} ms). Access logs on (LOG_LEVEL=info).`,
      `RSS idle ${r.memory.idleMiB} MiB, peak ${r.memory.peakMiB} MiB; during 256 MiB bodies +${growth} MiB over idle and ${climb <= r.targets.flatTrendMiB ? 'flat' : 'CLIMBING'} (+${climb} MiB first half → second). ${String(r.machine.date).slice(0, 10)}.`
    ]
  )
}
