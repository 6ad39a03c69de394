// npm run bench: wavefront-auth-proxy against nginx doing the same job, in one run on one
// machine, or one of the other modes (bench/modes/). BENCHMARKS.md has the method and every flag;
// `npm run bench -- --help` lists them.
import { rmSync } from 'node:fs'
import { createContext, type Context } from './lib/context.js'
import { parseOptions, USAGE, type Mode } from './lib/options.js'
import { killAll, stopAll } from './lib/procs.js'
import { chart } from './modes/chart.js'
import { comparison } from './modes/comparison.js'
import { instructions } from './modes/instructions.js'
import { memory } from './modes/memory.js'
import { profile } from './modes/profile.js'
import { tuning } from './modes/tuning.js'

const MODES: Record<Mode, (ctx: Context) => Promise<void>> = { comparison, instructions, memory, tuning, profile, chart }

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(USAGE + '\n')
  process.exit(0)
}

let ctx: Context | undefined
const cleanup = (): void => {
  killAll()
  ctx?.limit?.remove()
}
process.on('exit', cleanup)
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    cleanup()
    process.exit(130)
  })
}

let options
try {
  options = parseOptions(process.argv.slice(2))
} catch (err) {
  process.stderr.write(`bench: ${(err as Error).message}\n`)
  process.exit(2)
}

try {
  ctx = createContext(options)
  await MODES[ctx.options.mode](ctx)
} catch (err) {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`)
  process.exitCode = 1
} finally {
  await stopAll()
  killAll()
  if (ctx !== undefined) rmSync(ctx.tmp, { recursive: true, force: true })
}
