// --memory: what the runtime tuning buys, per variant of the proxy (--variant, --cli), on one Node
// (--node): sustained small GETs, then 256 MiB downloads and uploads interleaved across variants,
// with speed, page faults and RSS of each, and its peak RSS over it all
// → bench/results/memory-node<major>.json. `--seconds=S` sets the sustained load's length.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { measureBodies, type BodyResult } from '../lib/bodies.js'
import { machine, mib, nodeVersionOf, RESULTS, type Context } from '../lib/context.js'
import { peakRss, rss } from '../lib/proc-stats.js'
import { pinSelf, sleep, stop } from '../lib/procs.js'
import { measureSustained, type SustainedResult } from '../lib/small-gets.js'
import { checkAddsToken, startUpstream, startWap, type Target } from '../lib/subjects.js'
import { subjectsOf } from '../lib/variants.js'

interface Row { label: string, idleMiB: number, sustained: SustainedResult, upload: BodyResult | undefined, download: BodyResult | undefined, idleAfterMiB: number, peakMiB: number }

const each = (xs: number[] | null | undefined): string => xs === null || xs === undefined ? '—' : xs.join('/')

export async function memory (ctx: Context): Promise<void> {
  pinSelf(ctx.pins.load)
  const upstream = await startUpstream(ctx)
  const subjects = subjectsOf(ctx)
  const targets: Target[] = []
  const idle: number[] = []
  for (const [i, s] of subjects.entries()) {
    const w = await startWap(ctx, upstream.origin, join(ctx.tmp, `memory-${i}.log`), s)
    const t: Target = { key: `variant-${i}`, label: s.label, proc: w.proc, origin: w.origin }
    await checkAddsToken(ctx, t)
    targets.push(t)
    await sleep(1000)
    idle.push(rss(w.proc.pid))
    ctx.progress(`started ${s.label}: idle RSS ${mib(idle.at(-1) ?? 0)} MiB`)
  }
  const sustained: SustainedResult[] = []
  for (const t of targets) sustained.push(await measureSustained(ctx, t, ctx.options.seconds ?? ctx.plan.sustainedS))
  const bodies = await measureBodies(ctx, targets, upstream)
  await sleep(2000)
  const rows: Row[] = targets.map((t, i) => ({
    label: t.label,
    idleMiB: mib(idle[i] ?? 0),
    sustained: sustained[i] as SustainedResult,
    upload: bodies[t.key]?.upload,
    download: bodies[t.key]?.download,
    idleAfterMiB: mib(rss(t.proc?.pid ?? 0)),
    peakMiB: mib(peakRss(t.proc?.pid ?? 0))
  }))
  for (const t of targets) if (t.proc !== undefined) await stop(t.proc)
  await stop(upstream.proc)
  const major = /^v(\d+)/.exec(nodeVersionOf(ctx.proxyNode))?.[1] ?? 'x'
  const file = ctx.options.quick ? 'memory-quick.json' : `memory-node${major}.json`
  mkdirSync(RESULTS, { recursive: true })
  writeFileSync(join(RESULTS, file), JSON.stringify({ machine: machine(ctx), plan: ctx.plan, rows }, null, 2) + '\n')
  process.stdout.write(`\nNode ${nodeVersionOf(ctx.proxyNode)}\n\n| Variant | idle | sustained req/s | RSS max sustained | download MiB/s best (median) | faults / CPU ms per timed download | upload MiB/s best (median) | faults / CPU ms per timed upload | RSS max, bodies | peak (VmHWM) | idle after |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n`)
  for (const r of rows) {
    const bodiesMax = Math.max(r.upload?.rssMaxMiB ?? 0, r.download?.rssMaxMiB ?? 0)
    process.stdout.write(`| ${r.label} | ${r.idleMiB} | ${r.sustained.rps} | ${r.sustained.rssMaxMiB} | ${r.download?.mibPerS ?? '—'} (${r.download?.medianMibPerS ?? '—'}) | ${each(r.download?.faults)} / ${each(r.download?.cpuMs)} | ${r.upload?.mibPerS ?? '—'} (${r.upload?.medianMibPerS ?? '—'}) | ${each(r.upload?.faults)} / ${each(r.upload?.cpuMs)} | ${bodiesMax} | ${r.peakMiB} | ${r.idleAfterMiB} |\n`)
  }
  ctx.progress(`wrote bench/results/${file}`)
}
