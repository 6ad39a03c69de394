// --profile: the proxy and the bare design under `node --cpu-prof` with the small-GET load, and
// where the time goes → bench/results/profile.txt (and the .cpuprofile files for a flame graph).
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { RESULTS, type Context } from '../lib/context.js'
import { pinSelf, stop } from '../lib/procs.js'
import { closedLoop } from '../lib/small-gets.js'
import { startReference, startUpstream, startWap } from '../lib/subjects.js'
import { formatComparison, formatSummary, summariseFile, type ProfileSummary } from '../profile-summary.js'

interface Profiled { label: string, summary: ProfileSummary, requests: number, rps: number, file: string }

export async function profile (ctx: Context): Promise<void> {
  const { plan, progress } = ctx
  pinSelf(ctx.pins.load)
  const upstream = await startUpstream(ctx)
  const runs: Profiled[] = []
  for (const which of ['wap', 'bare'] as const) {
    const dir = join(ctx.tmp, `profile-${which}`)
    mkdirSync(dir, { recursive: true })
    const flags = ['--cpu-prof', '--cpu-prof-interval=250', `--cpu-prof-dir=${dir}`]
    const p = which === 'wap'
      ? await startWap(ctx, upstream.origin, join(ctx.tmp, 'wap-profile.log'), { nodeFlags: flags })
      : await startReference(ctx, 'bare-proxy', upstream.origin, flags)
    const label = which === 'wap' ? 'wavefront-auth-proxy' : 'bare Fastify + undici'
    const url = `${p.origin}${plan.smallPath}`
    progress(`profiling ${label} (node --cpu-prof): warm-up ${plan.throughputWarmS}s, then ${plan.profileS}s of small GETs at ${plan.connections} connections`)
    const warm = await closedLoop(ctx, url, plan.throughputWarmS)
    const r = await closedLoop(ctx, url, plan.profileS)
    progress(`profiled ${label}: ${Math.round(r.rps)} req/s (slower than unprofiled: the profiler samples)`)
    await stop(p.proc, 20_000)
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))
    if (file === undefined) throw new Error(`no .cpuprofile written for ${label}`)
    runs.push({ label, summary: summariseFile(join(dir, file)), requests: warm.requests + r.requests, rps: r.rps, file: join(dir, file) })
  }
  await stop(upstream.proc)
  const [wap, bare] = runs as [Profiled, Profiled]
  const text = `CPU profiles (node --cpu-prof) under ${plan.profileS}s of small GETs at ${plan.connections} connections, ${new Date().toISOString()}\n` +
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
