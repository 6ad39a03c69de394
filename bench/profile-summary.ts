// Reads a V8 .cpuprofile (node --cpu-prof) and says where the time went: self time by function
// and by package, and inclusive time by package and by our own functions. No flame-graph tool
// needed. Usage: node dist/bench/profile-summary.js FILE.cpuprofile [TOP]
import { readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'

interface CallFrame { functionName: string, url: string, lineNumber: number }
interface ProfileNode { id: number, callFrame: CallFrame, children?: number[] }
interface CpuProfile { nodes: ProfileNode[], samples: number[], timeDeltas: number[], startTime: number, endTime: number }

export interface ProfileSummary {
  readonly wallMs: number
  readonly busyMs: number
  readonly selfByPackage: ReadonlyArray<{ name: string, ms: number, pct: number }>
  readonly inclusiveByPackage: ReadonlyArray<{ name: string, ms: number, pct: number }>
  readonly selfByFunction: ReadonlyArray<{ name: string, pkg: string, ms: number, pct: number }>
  readonly inclusiveOurs: ReadonlyArray<{ name: string, ms: number, pct: number }>
}

/** Which package (or part of the runtime) a frame belongs to. */
export function packageOf (frame: CallFrame): string {
  const { url, functionName } = frame
  if (url === '') {
    if (functionName === '(garbage collector)') return '(gc)'
    if (functionName === '(idle)') return '(idle)'
    if (functionName === '(program)') return '(program: V8/libuv native)'
    if (functionName === '(root)') return '(root)'
    return '(native builtins)'
  }
  if (url.startsWith('node:')) return 'node core'
  const nm = url.lastIndexOf('/node_modules/')
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/')
    return rest[0]?.startsWith('@') === true ? `${rest[0]}/${rest[1] ?? ''}` : rest[0] ?? url
  }
  const src = /\/dist\/(src|bench)\/(.+)\.js$/.exec(url)
  if (src !== null) return `ours: ${src[1] ?? ''}/${src[2] ?? ''}.ts`
  return url
}

function shortUrl (url: string): string {
  if (url.startsWith('node:')) return url
  const nm = url.lastIndexOf('/node_modules/')
  if (nm >= 0) return url.slice(nm + '/node_modules/'.length)
  const d = url.lastIndexOf('/dist/')
  return d >= 0 ? url.slice(d + '/dist/'.length) : url.replace(/^file:\/\//, '')
}

function frameName (frame: CallFrame): string {
  const fn = frame.functionName === '' ? '(anonymous)' : frame.functionName
  return frame.url === '' ? fn : `${fn} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`
}

function sorted (map: Map<string, number>, total: number): Array<{ name: string, ms: number, pct: number }> {
  return [...map].map(([name, us]) => ({ name, ms: us / 1000, pct: (100 * us) / total })).sort((a, b) => b.ms - a.ms)
}

export function summarise (profile: CpuProfile): ProfileSummary {
  const byId = new Map<number, ProfileNode>()
  const parent = new Map<number, number>()
  for (const n of profile.nodes) {
    byId.set(n.id, n)
    for (const c of n.children ?? []) parent.set(c, n.id)
  }
  const self = new Map<number, number>()
  const { samples, timeDeltas } = profile
  for (let i = 0; i < samples.length; i++) {
    // each sample stands for the interval until the next one
    const dt = timeDeltas[i + 1] ?? 0
    const id = samples[i] as number
    self.set(id, (self.get(id) ?? 0) + dt)
  }
  let idle = 0
  let total = 0
  const selfPkg = new Map<string, number>()
  const selfFn = new Map<string, { pkg: string, us: number }>()
  const inclPkg = new Map<string, number>()
  const inclOurs = new Map<string, number>()
  for (const [id, us] of self) {
    const node = byId.get(id) as ProfileNode
    const pkg = packageOf(node.callFrame)
    total += us
    if (pkg === '(idle)') { idle += us; continue }
    selfPkg.set(pkg, (selfPkg.get(pkg) ?? 0) + us)
    const fn = frameName(node.callFrame)
    const prev = selfFn.get(fn)
    selfFn.set(fn, { pkg, us: (prev?.us ?? 0) + us })
    // inclusive: every package and each of our functions on the stack, counted once per sample
    const pkgs = new Set<string>()
    const ours = new Set<string>()
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = (byId.get(cur) as ProfileNode).callFrame
      const p = packageOf(frame)
      if (p === '(root)') continue
      pkgs.add(p)
      if (p.startsWith('ours:')) ours.add(frameName(frame))
    }
    for (const p of pkgs) inclPkg.set(p, (inclPkg.get(p) ?? 0) + us)
    for (const f of ours) inclOurs.set(f, (inclOurs.get(f) ?? 0) + us)
  }
  const busy = total - idle
  return {
    wallMs: (profile.endTime - profile.startTime) / 1000,
    busyMs: busy / 1000,
    selfByPackage: sorted(selfPkg, busy),
    inclusiveByPackage: sorted(inclPkg, busy),
    selfByFunction: [...selfFn].map(([name, v]) => ({ name, pkg: v.pkg, ms: v.us / 1000, pct: (100 * v.us) / busy })).sort((a, b) => b.ms - a.ms),
    inclusiveOurs: sorted(inclOurs, busy)
  }
}

const pct = (n: number): string => `${n.toFixed(1).padStart(5)}%`

export function formatSummary (s: ProfileSummary, top = 30): string {
  const lines: string[] = []
  lines.push(`wall ${s.wallMs.toFixed(0)} ms, busy (not idle) ${s.busyMs.toFixed(0)} ms = ${((100 * s.busyMs) / s.wallMs).toFixed(0)}% of one core; percentages below are of busy time`)
  lines.push('', 'Self time by package:')
  for (const p of s.selfByPackage.slice(0, 20)) lines.push(`  ${pct(p.pct)}  ${p.name}`)
  lines.push('', 'Inclusive time by package (time with the package anywhere on the stack):')
  for (const p of s.inclusiveByPackage.slice(0, 20)) lines.push(`  ${pct(p.pct)}  ${p.name}`)
  lines.push('', `Top ${top} functions by self time:`)
  for (const f of s.selfByFunction.slice(0, top)) lines.push(`  ${pct(f.pct)}  ${f.name}  [${f.pkg}]`)
  lines.push('', 'Our functions, inclusive time:')
  for (const f of s.inclusiveOurs.slice(0, 25)) lines.push(`  ${pct(f.pct)}  ${f.name}`)
  return lines.join('\n') + '\n'
}

/** Busy CPU µs per request, by package and by function, of two profiles side by side. */
export function formatComparison (a: ProfileSummary, aRequests: number, b: ProfileSummary, bRequests: number, top = 30): string {
  const per = (ms: number, n: number): number => (ms * 1000) / n
  const lines: string[] = []
  const head = (what: string): void => {
    lines.push('', `${what} | µs/request this | µs/request bare | difference`, '--- | ---: | ---: | ---:')
  }
  lines.push(`busy CPU per request: ${per(a.busyMs, aRequests).toFixed(1)} µs vs ${per(b.busyMs, bRequests).toFixed(1)} µs for the bare design (+${(per(a.busyMs, aRequests) - per(b.busyMs, bRequests)).toFixed(1)} µs)`)
  head('Self time by package')
  const bPkg = new Map(b.selfByPackage.map((p) => [p.name, p.ms]))
  const rows = a.selfByPackage.map((p) => ({ name: p.name, a: per(p.ms, aRequests), b: per(bPkg.get(p.name) ?? 0, bRequests) }))
  for (const p of b.selfByPackage) if (!rows.some((r) => r.name === p.name)) rows.push({ name: p.name, a: 0, b: per(p.ms, bRequests) })
  for (const r of rows.sort((x, y) => (y.a - y.b) - (x.a - x.b)).slice(0, 20)) lines.push(`${r.name} | ${r.a.toFixed(2)} | ${r.b.toFixed(2)} | ${(r.a - r.b >= 0 ? '+' : '') + (r.a - r.b).toFixed(2)}`)
  head(`Self time by function, the ${top} that grew most`)
  const bFn = new Map(b.selfByFunction.map((f) => [f.name, f.ms]))
  const fns = a.selfByFunction.map((f) => ({ name: `${f.name} [${f.pkg}]`, a: per(f.ms, aRequests), b: per(bFn.get(f.name) ?? 0, bRequests) }))
  for (const r of fns.sort((x, y) => (y.a - y.b) - (x.a - x.b)).slice(0, top)) lines.push(`${r.name} | ${r.a.toFixed(2)} | ${r.b.toFixed(2)} | ${(r.a - r.b >= 0 ? '+' : '') + (r.a - r.b).toFixed(2)}`)
  return lines.join('\n') + '\n'
}

export function summariseFile (file: string): ProfileSummary {
  return summarise(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile)
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = process.argv[2]
  if (file === undefined) {
    process.stderr.write('usage: node dist/bench/profile-summary.js FILE.cpuprofile [TOP]\n')
    process.exit(2)
  }
  process.stdout.write(formatSummary(summariseFile(file), Number(process.argv[3] ?? 30)))
}
