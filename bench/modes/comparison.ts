// The default mode: wavefront-auth-proxy against nginx doing the same job (and going direct, the
// bare design, the naive design), in one run → bench/results/latest.json and chart.svg.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { measureBodies } from '../lib/bodies.js'
import { report } from '../lib/comparison-report.js'
import { machine, mib, type Context } from '../lib/context.js'
import { measureLatency } from '../lib/latency.js'
import { probe } from '../lib/transfers.js'
import { idleWakeupsPerSecond, peakRss, rss } from '../lib/proc-stats.js'
import { pinSelf, sleep, stop } from '../lib/procs.js'
import { waitQuiet } from '../lib/quiet.js'
import { measureSustained, measureThroughput } from '../lib/small-gets.js'
import { checkAddsToken, startNginxProxy, startReference, startUpstream, startWap, type Target } from '../lib/subjects.js'

export async function comparison (ctx: Context): Promise<void> {
  const { plan, progress } = ctx
  const info = machine(ctx)
  progress(`machine: ${String(info.nproc)} cores, ${String(info.cpu)}, node ${process.version}${ctx.proxyNode === process.execPath ? '' : ` (proxies under test: ${String(info.proxyNode)})`}, nginx ${String(info.nginx ?? 'absent')}, load ${String(info.loadGenerator)}`)
  progress(`pinning: ${String(info.pinning)}`)
  if (ctx.limit !== undefined) progress(`memory limit: the proxies under test run in a cgroup of ${ctx.limit.mib} MiB`)
  if (info.uncommittedSrcFiles !== 0) progress(`note: ${String(info.uncommittedSrcFiles)} uncommitted file(s) under src/ are included in this build`)
  pinSelf(ctx.pins.load)

  const upstream = await startUpstream(ctx)
  progress(`upstream (${ctx.nginxBin !== undefined ? 'nginx' : 'node'}) at ${upstream.origin}`)

  // readiness: spawn → first 200 on /readyz, polled every 5 ms, a few fresh starts
  const readyMs: number[] = []
  for (let i = 1; i <= plan.readinessStarts; i++) {
    await waitQuiet(ctx)
    const w = await startWap(ctx, upstream.origin, join(ctx.tmp, `wap-ready-${i}.log`))
    readyMs.push(Math.round(w.readyMs))
    progress(`readiness ${i}/${plan.readinessStarts}: ready ${Math.round(w.readyMs)} ms after spawn`)
    await stop(w.proc)
  }
  const wapLog = join(ctx.tmp, 'wap.log')
  const wap = await startWap(ctx, upstream.origin, wapLog)
  readyMs.push(Math.round(wap.readyMs))
  await sleep(1000)
  const idleRss = rss(wap.proc.pid)
  progress(`wavefront-auth-proxy at ${wap.origin}: ready in ${Math.round(wap.readyMs)} ms, idle RSS ${mib(idleRss)} MiB`)
  const metricsStatus = (await probe(`${wap.origin}/metrics`)).status

  const targets: Target[] = [{ key: 'direct', label: 'direct to upstream', origin: upstream.origin }]
  if (ctx.nginxBin !== undefined) {
    targets.push({ key: 'nginx', label: 'nginx', ...await startNginxProxy(ctx, upstream.origin, true) })
    targets.push({ key: 'nginx-nolog', label: 'nginx (access_log off)', ...await startNginxProxy(ctx, upstream.origin, false) })
  }
  targets.push({ key: 'wap', label: 'wavefront-auth-proxy', proc: wap.proc, origin: wap.origin })
  targets.push({ key: 'bare', label: 'bare Fastify + undici (no features)', ...await startReference(ctx, 'bare-proxy', upstream.origin) })
  targets.push({ key: 'naive', label: '@fastify/http-proxy (naive)', ...await startReference(ctx, 'naive-proxy', upstream.origin) })
  for (const t of targets) if (t.key !== 'direct') await checkAddsToken(ctx, t)
  progress('every proxy forwards with Authorization: Bearer <token> (checked at the upstream)')
  const byKey = (k: Target['key']): Target | undefined => targets.find((t) => t.key === k)

  const throughput = await measureThroughput(ctx, targets)
  const sustained = await measureSustained(ctx, byKey('wap') as Target)
  const latency = await measureLatency(ctx, targets.filter((t) => t.key !== 'nginx-nolog'))
  const bodies = await measureBodies(ctx, targets.filter((t) => ['direct', 'nginx', 'wap', 'bare'].includes(t.key)), upstream)

  await sleep(2000)
  const idleAfterRss = rss(wap.proc.pid)
  // Between bursts a sidecar idles: it should not keep waking up (CPU, battery, noisy neighbour).
  const idleWakeups: Partial<Record<Target['key'], number>> = {}
  for (const t of targets) if (t.proc !== undefined && t.key !== 'nginx-nolog') idleWakeups[t.key] = await idleWakeupsPerSecond(t.proc.pid)
  progress(`idle wake-ups per second after the load (context switches of every thread over 3 s): ${Object.entries(idleWakeups).map(([k, n]) => `${k} ${n}`).join(', ')}`)
  const peak = peakRss(wap.proc.pid)
  const nginxPid = byKey('nginx')?.proc?.pid
  const nginxPeak = nginxPid === undefined ? undefined : peakRss(nginxPid)
  for (const t of targets) if (t.proc !== undefined) await stop(t.proc)
  await stop(upstream.proc)
  const log = readFileSync(wapLog, 'utf8').split('\n').filter(Boolean)
  const accessLines = log.filter((l) => l.includes('"req') || l.includes('"statusCode"') || l.includes('"status"')).length

  report(ctx, {
    info: machine(ctx),
    targets,
    readyMs,
    throughput,
    sustained,
    latency,
    bodies,
    memory: { idleRss, idleAfterRss, peak, nginxPeak },
    idleWakeups,
    wapFeatures: { metricsEndpointStatus: metricsStatus, logLinesWritten: log.length, accessLikeLogLines: accessLines }
  })
}
