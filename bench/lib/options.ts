// The harness's command line, read once through node:util parseArgs, and the plan it implies.
// BENCHMARKS.md ("How to reproduce") lists every flag.
import { parseArgs } from 'node:util'

export const MODES = ['comparison', 'instructions', 'memory', 'tuning', 'profile', 'chart'] as const
export type Mode = typeof MODES[number]

export interface Options {
  readonly mode: Mode
  /** short runs, to check the harness (figures not meaningful) */
  readonly quick: boolean
  /** measure at once even while other processes use the machine (the figures say how busy it was) */
  readonly busy: boolean
  readonly noNginx: boolean
  readonly noWrk: boolean
  /** other builds' cli.js (or bundle) to measure beside this checkout's */
  readonly cli: readonly string[]
  /** Node binaries to run the proxies under test on */
  readonly node: readonly string[]
  /** settings of the proxy under test, one variant each: `KEY=VALUE[,KEY=VALUE]` */
  readonly variant: readonly string[]
  readonly memoryLimitMiB: number | undefined
  readonly rounds: number | undefined
  readonly seconds: number | undefined
}

export const USAGE = `usage: npm run bench -- [--quick] [--busy] [mode] [options]
modes (at most one; without one, the full comparison with nginx):
  --instructions   instructions per small GET under callgrind
  --memory         large bodies and sustained load: throughput, page faults, RSS
  --tuning         small-GET throughput with different settings
  --profile        CPU profiles of the proxy and the bare design
  --chart          redraw bench/results/chart.svg from latest.json
options: --cli=PATH --node=PATH --variant=KEY=VALUE[,KEY=VALUE] (repeatable),
  --memory-limit=MiB --rounds=N --seconds=S --no-nginx --no-wrk`

/** A flag's value as a positive number; `usage` is shown with the complaint. */
export function positive (name: string, value: string | undefined, usage = USAGE): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} needs a positive number, got ${JSON.stringify(value)}\n${usage}`)
  return n
}

export function parseOptions (args: readonly string[]): Options {
  let values
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        quick: { type: 'boolean', default: false },
        busy: { type: 'boolean', default: false },
        instructions: { type: 'boolean', default: false },
        memory: { type: 'boolean', default: false },
        tuning: { type: 'boolean', default: false },
        profile: { type: 'boolean', default: false },
        chart: { type: 'boolean', default: false },
        'no-nginx': { type: 'boolean', default: false },
        'no-wrk': { type: 'boolean', default: false },
        cli: { type: 'string', multiple: true, default: [] },
        node: { type: 'string', multiple: true, default: [] },
        variant: { type: 'string', multiple: true, default: [] },
        'memory-limit': { type: 'string' },
        rounds: { type: 'string' },
        seconds: { type: 'string' }
      }
    }))
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${USAGE}`)
  }
  const modes = MODES.filter((m) => m !== 'comparison' && values[m])
  if (modes.length > 1) throw new Error(`choose one mode, not ${modes.map((m) => `--${m}`).join(' and ')}\n${USAGE}`)
  return {
    mode: modes[0] ?? 'comparison',
    quick: values.quick,
    busy: values.busy,
    noNginx: values['no-nginx'],
    noWrk: values['no-wrk'],
    cli: values.cli,
    node: values.node,
    variant: values.variant,
    memoryLimitMiB: positive('memory-limit', values['memory-limit']),
    rounds: positive('rounds', values.rounds),
    seconds: positive('seconds', values.seconds)
  }
}

const MiB = 1024 * 1024

export function planOf (o: Options) {
  const quick = o.quick
  return {
    connections: 32,
    throughputWarmS: quick ? 1 : 2,
    throughputRuns: o.rounds ?? (quick ? 1 : 5),
    throughputRunS: o.seconds ?? (quick ? 2 : 4),
    sustainedS: quick ? 3 : 45,
    latencyRate: 1000,
    latencyWarmS: quick ? 1 : 6,
    latencyS: quick ? 3 : 10,
    latencyRounds: quick ? 1 : 5,
    bodyBytes: 256 * MiB,
    bodyReps: quick ? 1 : 3,
    bodyWarmups: quick ? 0 : 4, // a process takes 4-5 transfers of 256 MiB to settle (the JIT); a sidecar lives in the settled state
    readinessStarts: quick ? 2 : 5,
    profileS: quick ? 3 : 10,
    // the proxy's count still fell after 8 000 GETs while the JIT settled (Node upstream: 164 000, then 157 000
    // after 25 000); the bare design's did not (137 600 either way)
    instructionWarmRequests: quick ? 500 : 30000,
    instructionRequests: quick ? 500 : 5000,
    instructionRuns: quick ? 1 : 2,
    smallPath: '/api/v2/source?limit=10'
  }
}
export type Plan = ReturnType<typeof planOf>

export const TARGETS = {
  throughputRatio: 0.45,
  addedP50Ms: 0.25,
  addedP99Ms: 1,
  bodyRatio: 0.8,
  /** RSS climb between the first and second half of a 256 MiB transfer that still counts as flat (a buffered body would add ~128 MiB) */
  flatTrendMiB: 16,
  idleRssMiB: 80,
  peakRssMiB: 150,
  readyMs: 500
}
export type Targets = typeof TARGETS

export interface Variant {
  readonly label: string
  /** environment settings of the proxy under test */
  readonly settings: Record<string, string>
  /** node's command-line flags instead of NODE_FLAGS, when the variant sets NODE_FLAGS */
  readonly baseFlags: readonly string[] | undefined
}

/** `--variant=KEY=VALUE[,KEY=VALUE]`: settings of the proxy under test; `NODE_FLAGS=...` (space
 * separated, may be empty) replaces the node flags npm start uses. */
export function variantOf (spec: string): Variant {
  const settings: Record<string, string> = {}
  let baseFlags: string[] | undefined
  // a part without '=' continues the value before it: WAP_X=a,b is one setting
  const parts = spec.split(',').reduce<string[]>((acc, p) => p.includes('=') || acc.length === 0 ? [...acc, p] : [...acc.slice(0, -1), `${acc.at(-1) ?? ''},${p}`], [])
  for (const part of parts) {
    const eq = part.indexOf('=')
    if (eq <= 0) throw new Error(`--variant=${spec}: each part is KEY=VALUE\n${USAGE}`)
    const [key, value] = [part.slice(0, eq), part.slice(eq + 1)]
    if (key === 'NODE_FLAGS') baseFlags = value.split(' ').filter(Boolean)
    else settings[key] = value
  }
  return { label: spec, settings, baseFlags }
}
