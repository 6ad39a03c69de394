// --tuning: small-GET throughput of the proxy with different settings, builds (--cli) or Node
// runtimes (--node), interleaved rounds beside nginx → bench/results/tuning.json.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { NODE_FLAGS } from '../../src/runtime/v8-tuning.js'
import { machine, RESULTS, round, type Context } from '../lib/context.js'
import { pinSelf, stop } from '../lib/procs.js'
import { measureThroughput } from '../lib/small-gets.js'
import { startNginxProxy, startUpstream, startWap, type Target } from '../lib/subjects.js'
import { subjectsOf } from '../lib/variants.js'

const SETTINGS = [
  { label: `node without ${NODE_FLAGS.join(' ')} (V8 sizes its young generation itself)`, settings: {}, baseFlags: [] },
  { label: 'LOG_LEVEL=warn (no access log lines)', settings: { LOG_LEVEL: 'warn' } },
  { label: 'METRICS=false', settings: { METRICS: 'false' } },
  { label: 'LOG_LEVEL=warn METRICS=false', settings: { LOG_LEVEL: 'warn', METRICS: 'false' } },
  { label: 'UPSTREAM_CONNECTIONS=8', settings: { UPSTREAM_CONNECTIONS: '8' } },
  { label: 'UPSTREAM_CONNECTIONS=32', settings: { UPSTREAM_CONNECTIONS: '32' } }
]

export async function tuning (ctx: Context): Promise<void> {
  pinSelf(ctx.pins.load)
  const upstream = await startUpstream(ctx)
  const targets: Target[] = []
  if (ctx.nginxBin !== undefined) targets.push({ key: 'nginx', label: 'nginx', ...await startNginxProxy(ctx, upstream.origin, true) })
  for (const [i, s] of subjectsOf(ctx, SETTINGS).entries()) {
    const w = await startWap(ctx, upstream.origin, join(ctx.tmp, `tuning-${i}.log`), s)
    targets.push({ key: `variant-${i}`, label: s.label, proc: w.proc, origin: w.origin })
    ctx.progress(`started ${s.label}`)
  }
  const throughput = await measureThroughput(ctx, targets)
  const ref = throughput.nginx?.rps
  const rows = targets.map((t) => ({ label: t.label, ...throughput[t.key], ratioToNginx: ref === undefined ? null : round((throughput[t.key]?.rps ?? 0) / ref) }))
  for (const t of targets) if (t.proc !== undefined) await stop(t.proc)
  await stop(upstream.proc)
  mkdirSync(RESULTS, { recursive: true })
  writeFileSync(join(RESULTS, 'tuning.json'), JSON.stringify({ machine: machine(ctx), plan: ctx.plan, rows }, null, 2) + '\n')
  process.stdout.write('\n| Setting | req/s, best (32 conns) | req/s, median | vs nginx (best) | proxy CPU | RSS under load |\n| --- | ---: | ---: | ---: | ---: | ---: |\n')
  for (const r of rows) process.stdout.write(`| ${r.label} | ${r.rps ?? '—'} | ${r.medianRps ?? '—'} | ${r.ratioToNginx ?? '—'}× | ${r.cpuPct ?? '—'}% | ${r.rssMaxMiB ?? '—'} MiB |\n`)
  ctx.progress('wrote bench/results/tuning.json')
}
