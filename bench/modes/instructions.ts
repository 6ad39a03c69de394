// --instructions: CPU instructions per small GET, counted by valgrind's callgrind, of the proxy
// (and of any --variant, --cli build) and of the bare design → bench/results/instructions.json.
// Repeats within 1-2% whatever else the machine does, where req/s varies by ±10%.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { NODE_FLAGS } from '../../src/runtime/v8-tuning.js'
import { callgrindArgs, count, mainThreadInstructions, requests } from '../lib/callgrind.js'
import { CLI, machine, median, RESULTS, ROOT, round, type Context } from '../lib/context.js'
import { freePort, pinSelf, start, stop, which } from '../lib/procs.js'
import { startUpstream, waitFor, wapEnv } from '../lib/subjects.js'
import { subjectsOf } from '../lib/variants.js'

interface Counted { label: string, script: string, ready: string, flags: readonly string[], env: (port: number) => NodeJS.ProcessEnv }

export async function instructions (ctx: Context): Promise<void> {
  const { plan, progress } = ctx
  const valgrind = which('valgrind')
  if (valgrind === undefined || which('callgrind_control') === undefined) throw new Error('--instructions needs valgrind: sudo apt-get install valgrind')
  pinSelf(ctx.pins.load)
  const upstream = await startUpstream(ctx)
  const runs = ctx.options.rounds ?? plan.instructionRuns
  const subjects: Counted[] = [
    ...subjectsOf(ctx).map((s) => ({
      label: s.cli === undefined && s.baseFlags === undefined && Object.keys(s.settings).length === 0 ? 'wavefront-auth-proxy' : s.cli !== undefined ? `build ${relative(ROOT, s.cli)}` : s.label,
      script: s.cli ?? CLI,
      ready: '/readyz',
      flags: s.baseFlags ?? NODE_FLAGS,
      env: (port: number) => ({ ...wapEnv(ctx, upstream.origin, port), ...s.settings })
    })),
    { label: 'bare Fastify + undici (no features)', script: join(ROOT, 'dist', 'bench', 'bare-proxy.js'), ready: '/api/v2/ping', flags: NODE_FLAGS, env: (port: number) => ({ ...process.env, UPSTREAM: upstream.origin, TOKEN: ctx.token, PORT: String(port) }) }
  ]
  const rows: Array<{ label: string, perRequest: number[] }> = []
  for (const subject of subjects) {
    const perRequest: number[] = []
    for (let run = 1; run <= runs; run++) {
      const dir = mkdtempSync(join(ctx.tmp, 'callgrind-'))
      const port = await freePort()
      const proc = start(subject.label, valgrind, [...callgrindArgs(dir), ctx.proxyNode, ...subject.flags, subject.script], { env: subject.env(port), core: ctx.pins.proxy, output: join(dir, 'out.log') })
      const origin = `http://127.0.0.1:${port}`
      await waitFor(`${origin}${subject.ready}`, (status) => status === 200, `${subject.label} under valgrind`, 120_000, 200)
      await requests(origin, plan.smallPath, plan.instructionWarmRequests) // the JIT settles first
      count(proc.pid, true)
      await requests(origin, plan.smallPath, plan.instructionRequests)
      count(proc.pid, false)
      await stop(proc, 60_000)
      perRequest.push(Math.round(mainThreadInstructions(dir) / plan.instructionRequests))
      progress(`${subject.label}, run ${run}/${runs}: ${perRequest.at(-1) ?? 0} instructions per request (main thread, ${plan.instructionRequests} GETs after ${plan.instructionWarmRequests} to warm up)`)
    }
    rows.push({ label: subject.label, perRequest })
  }
  await stop(upstream.proc)
  const bare = median(rows.at(-1)?.perRequest ?? [])
  const table = rows.map((r) => ({ ...r, median: median(r.perRequest), vsBare: round(median(r.perRequest) / bare) }))
  mkdirSync(RESULTS, { recursive: true })
  writeFileSync(join(RESULTS, 'instructions.json'), JSON.stringify({ machine: machine(ctx), plan: { ...plan, instructionRuns: runs }, rows: table }, null, 2) + '\n')
  process.stdout.write('\n| Proxy | instructions per request (median) | runs | vs bare design |\n| --- | ---: | --- | ---: |\n')
  for (const r of table) process.stdout.write(`| ${r.label} | ${r.median} | ${r.perRequest.join(', ')} | ${r.vsBare}× |\n`)
  progress('wrote bench/results/instructions.json')
}
