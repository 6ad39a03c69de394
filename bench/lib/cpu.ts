// The CPU the harness and its children use against what the whole machine uses: how busy other
// processes kept the host while a figure was taken.
import { readFileSync } from 'node:fs'
import { descendants } from './procs.js'

const CLK_TCK = 100

function selfAndReapedChildren (): number {
  const stat = readFileSync('/proc/self/stat', 'utf8')
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / CLK_TCK // utime stime cutime cstime
}

/** CPU seconds used by the harness and everything it started (live or already reaped). */
export function ourCpuSeconds (): number {
  return selfAndReapedChildren() + descendants(process.pid).reduce((s, p) => s + ownCpu(p), 0)
}

function ownCpu (pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(f[11]) + Number(f[12])) / CLK_TCK
  } catch {
    return 0
  }
}

/** Busy CPU seconds of the whole machine (all cores), from /proc/stat. */
export function systemBusySeconds (): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? ''
  const v = line.trim().split(/\s+/).slice(1).map(Number)
  // user nice system idle iowait irq softirq steal
  return ((v[0] ?? 0) + (v[1] ?? 0) + (v[2] ?? 0) + (v[5] ?? 0) + (v[6] ?? 0) + (v[7] ?? 0)) / CLK_TCK
}

/** Measures the CPU that processes other than ours use while `fn` runs, in % of one core. */
export async function foreignCpu<T> (fn: () => Promise<T>): Promise<{ value: T, foreignPct: number }> {
  const s0 = systemBusySeconds()
  const o0 = ourCpuSeconds()
  const w0 = performance.now()
  const value = await fn()
  const wall = (performance.now() - w0) / 1000
  const foreign = (systemBusySeconds() - s0) - (ourCpuSeconds() - o0)
  return { value, foreignPct: Math.max(0, Math.round((100 * foreign) / wall)) }
}
