// What a benchmarked process costs, read from /proc for it and its children (nginx's workers):
// resident memory, CPU seconds, page faults and wake-ups.
import { readdirSync, readFileSync } from 'node:fs'
import { descendants, sleep } from './procs.js'

function statusField (pid: number, field: string): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m === null ? 0 : Number(m[1]) * 1024
  } catch {
    return 0
  }
}

/** Resident memory in bytes of a process and its children (nginx: master + worker). */
export function rss (pid: number): number {
  return [pid, ...descendants(pid)].reduce((sum, p) => sum + statusField(p, 'VmRSS'), 0)
}

/** Peak resident memory (VmHWM) in bytes, summed the same way. */
export function peakRss (pid: number): number {
  return [pid, ...descendants(pid)].reduce((sum, p) => sum + statusField(p, 'VmHWM'), 0)
}

const CLK_TCK = 100

/** Sums fields of /proc/<pid>/stat (counted from the state field, 0) over a process and its children. */
function statSum (pid: number, ...indexes: number[]): number {
  let sum = 0
  for (const p of [pid, ...descendants(pid)]) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      for (const i of indexes) sum += Number(fields[i])
    } catch { /* gone */ }
  }
  return sum
}

/** CPU seconds (user + system) used so far by a process and its children. */
export function cpuSeconds (pid: number): number {
  return statSum(pid, 11, 12) / CLK_TCK // utime, stime (fields 14 and 15)
}

/** Minor page faults so far of a process and its children: memory the kernel had to map in. */
export function minorFaults (pid: number): number {
  return statSum(pid, 7) // minflt (field 10)
}

/** Context switches so far of every thread of a process and its children: each is a wake-up
 * (or a preemption), which an idle process should hardly have. */
export function contextSwitches (pid: number): number {
  let sum = 0
  for (const p of [pid, ...descendants(pid)]) {
    let tasks: string[] = []
    try { tasks = readdirSync(`/proc/${p}/task`) } catch { continue }
    for (const t of tasks) {
      try {
        for (const m of readFileSync(`/proc/${p}/task/${t}/status`, 'utf8').matchAll(/ctxt_switches:\s+(\d+)/g)) sum += Number(m[1])
      } catch { /* gone */ }
    }
  }
  return sum
}

/** Wake-ups per second of an idle process over `ms`. */
export async function idleWakeupsPerSecond (pid: number, ms = 3000): Promise<number> {
  const before = contextSwitches(pid)
  await sleep(ms)
  return Math.round((contextSwitches(pid) - before) * 1000 / ms)
}

/** Samples RSS every `everyMs` until stopped; returns every sample in bytes. */
export function sampleRss (pid: number, everyMs = 50): { stop: () => number[] } {
  const samples: number[] = [rss(pid)]
  const timer = setInterval(() => { samples.push(rss(pid)) }, everyMs)
  return {
    stop: () => {
      clearInterval(timer)
      samples.push(rss(pid))
      return samples
    }
  }
}
