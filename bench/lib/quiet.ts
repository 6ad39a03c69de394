// Figures taken while other processes use the machine are taken again (the host is shared);
// with --busy they are taken at once and the run records how busy the machine was.
import type { Context } from './context.js'
import { foreignCpu } from './cpu.js'
import { sleep } from './procs.js'

/** CPU other processes may use (% of one core) while a figure is measured before it is taken again. */
const NOISE_PCT = 5

/** Waits (up to 120 s) until processes other than ours are quiet. */
export async function waitQuiet (ctx: Context): Promise<void> {
  if (ctx.options.busy) return
  const deadline = performance.now() + 120_000
  let warned = false
  for (;;) {
    const { foreignPct } = await foreignCpu(async () => { await sleep(500) })
    if (foreignPct < NOISE_PCT) return
    if (performance.now() > deadline) {
      ctx.progress(`other processes still use ${foreignPct}% of a core: measuring anyway, figures will be noisy`)
      return
    }
    if (!warned) ctx.progress(`waiting for a quiet machine: other processes use ${foreignPct}% of a core`)
    warned = true
  }
}

/** Runs one measurement on a quiet machine; a measurement disturbed by other processes is taken again (3 tries). */
export async function quietly<T> (ctx: Context, label: string, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    await waitQuiet(ctx)
    const { value, foreignPct } = await foreignCpu(fn)
    if (foreignPct < NOISE_PCT || attempt === 3 || ctx.options.busy) {
      ctx.noise.worstPct = Math.max(ctx.noise.worstPct, foreignPct)
      return value
    }
    ctx.noise.repeats++
    ctx.progress(`${label}: other processes used ${foreignPct}% of a core meanwhile, measuring again`)
  }
}
