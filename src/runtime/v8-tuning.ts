// V8 settings for a proxy on a small CPU and memory allowance (measured in BENCHMARKS.md).
import { totalmem } from 'node:os'
import { setFlagsFromString } from 'node:v8'

/**
 * The Node flags the proxy is started with: by `npm start`, the image's ENTRYPOINT and the
 * benchmark (a test keeps the three equal). They must be on node's command line: V8 sizes its
 * heap before any of our code runs. Under a container memory limit V8 sizes its young generation
 * from the limit (semi-spaces of ~1 MiB at the Helm chart's 256 MiB), collects it every few
 * hundred requests, and small requests then cost 15-40% more CPU. 16 MiB is what Node 20 picks
 * on a large machine; Node 24 picks 64 MiB there, which held ~60 MiB more under load for no
 * throughput that could be measured.
 */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=16']

/** V8 settings that can change while running; installed by serve() before the first request. */
export function installV8Tuning (): void {
  // Buys 5-8 MiB less peak RSS and 36-43 MiB less held after 120 s of full-rate load, on Node 20
  // and 24 (BENCHMARKS.md): the old generation is collected at 1.5x what survived the last
  // mark-compact, as under a memory limit, instead of up to 4x (V8 reads it at every
  // mark-compact, so it can be set from here).
  setFlagsFromString('--heap-growing-percent=50')
}

/** What to tell an operator who started node without a young-generation size under a memory limit; undefined when all is well. */
export function youngGenerationWarning (execArgv: readonly string[], nodeOptions: string | undefined, limitBytes: number, machineBytes = totalmem()): string | undefined {
  const limited = limitBytes > 0 && limitBytes < machineBytes
  const sized = /(?:^|\s)--max[-_]semi[-_]space[-_]size(?:=|\s|$)/.test(`${execArgv.join(' ')} ${nodeOptions ?? ''}`)
  if (!limited || sized) return undefined
  return `running under a memory limit of ${Math.round(limitBytes / 1048576)} MiB without --max-semi-space-size: V8 then sizes its young ` +
    'generation from the limit and collects it so often that small requests cost 15-40% more CPU. ' +
    `Start the proxy as \`node ${NODE_FLAGS.join(' ')} …\`, as npm start and the container image do`
}
