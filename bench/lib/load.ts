// The load: closed-loop throughput (wrk, else autocannon) and an open-loop fixed-rate latency
// client, all run from the load core (large bodies: transfers.ts).
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { Pool } from 'undici'

export interface Throughput {
  readonly rps: number
  /** requests completed in the run */
  readonly requests: number
  readonly p50Ms: number | undefined
  readonly p99Ms: number | undefined
  /** non-2xx answers and socket errors: must be 0 for the figure to count */
  readonly errors: number
}

async function run (command: string, args: readonly string[], core: number | undefined): Promise<string> {
  const [cmd, argv] = core === undefined ? [command, [...args]] : ['taskset', ['-c', String(core), command, ...args]]
  return await new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => { out += d.toString() })
    child.stderr.on('data', (d: Buffer) => { err += d.toString() })
    child.once('error', reject)
    child.once('exit', (code) => { code === 0 ? resolve(out) : reject(new Error(`${command} exited ${String(code)}: ${err.trim()}`)) })
  })
}

function wrkTime (text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text)
  if (m === null) return undefined
  const unit = { us: 0.001, ms: 1, s: 1000, m: 60_000 }[m[2] as 'us' | 'ms' | 's' | 'm']
  return Number(m[1]) * unit
}

export async function wrk (bin: string, url: string, connections: number, seconds: number, core: number | undefined): Promise<Throughput> {
  const out = await run(bin, ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', url], core)
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN)
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0)
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)
  const socketErrors = sock === null ? 0 : sock.slice(1).reduce((s, n) => s + Number(n), 0)
  return {
    rps,
    requests: Number(/(\d+) requests in/.exec(out)?.[1] ?? 0),
    p50Ms: wrkTime(/^\s+50%\s+(\S+)/m.exec(out)?.[1]),
    p99Ms: wrkTime(/^\s+99%\s+(\S+)/m.exec(out)?.[1]),
    errors: non2xx + socketErrors
  }
}

export function autocannonBin (): string | undefined {
  try {
    const pkg = createRequire(import.meta.url).resolve('autocannon/package.json')
    return join(dirname(pkg), 'autocannon.js')
  } catch {
    return undefined
  }
}

export async function autocannon (bin: string, url: string, connections: number, seconds: number, core: number | undefined): Promise<Throughput> {
  const out = await run(process.execPath, [bin, '--json', '-c', String(connections), '-d', String(seconds), url], core)
  const r = JSON.parse(out.slice(out.indexOf('{'))) as {
    requests: { average: number, total: number }, latency: { p50: number, p99: number }, non2xx: number, errors: number, timeouts: number
  }
  return { rps: r.requests.average, requests: r.requests.total, p50Ms: r.latency.p50, p99Ms: r.latency.p99, errors: r.non2xx + r.errors + r.timeouts }
}

export interface Latency {
  /** every counted latency in ms, in the order measured */
  readonly samples?: number[]
  readonly requests: number
  readonly rate: number
  readonly p50Ms: number
  readonly p90Ms: number
  readonly p99Ms: number
  readonly maxMs: number
  readonly errors: number
}

export function percentile (sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number
}

/**
 * Open loop: a request every 1/rate s whatever the answers do, over keep-alive connections;
 * each latency runs from the moment the request is handed to the client to the last byte of
 * the answer (hrtime via performance.now). The first `warmSeconds` are not counted.
 */
export async function fixedRate (origin: string, path: string, rate: number, seconds: number, warmSeconds: number): Promise<Latency> {
  const pool = new Pool(origin, { connections: 16, pipelining: 1, keepAliveTimeout: 60_000 })
  const samples: number[] = []
  let errors = 0
  let sent = 0
  let inflight = 0
  const interval = 1000 / rate
  const t0 = performance.now()
  const warmEnd = t0 + warmSeconds * 1000
  const end = warmEnd + seconds * 1000
  let next = t0
  await new Promise<void>((resolve) => {
    const fire = (counted: boolean): void => {
      inflight++
      if (counted) sent++
      const start = performance.now()
      pool.request({ path, method: 'GET' }).then(async (res) => {
        await res.body.arrayBuffer()
        if (!counted) return
        if (res.statusCode === 200) samples.push(performance.now() - start)
        else errors++
      }, () => { if (counted) errors++ }).finally(() => {
        inflight--
        if (inflight === 0 && performance.now() >= end) resolve()
      })
    }
    const tick = (): void => {
      const now = performance.now()
      if (now >= end) {
        if (inflight === 0) resolve()
        return
      }
      if (now - next > 100) next = now // the loop stalled: do not fire a burst to catch up
      while (next <= now) {
        fire(next >= warmEnd)
        next += interval
      }
      setTimeout(tick, Math.max(0, next - performance.now()))
    }
    tick()
  })
  await pool.close()
  return { ...latencyOf(samples, seconds), requests: sent, rate: sent / seconds, errors, samples }
}

/** Percentiles of latencies measured over `seconds`. */
export function latencyOf (unsorted: readonly number[], seconds: number): Latency {
  const samples = [...unsorted].sort((a, b) => a - b)
  return {
    requests: samples.length,
    rate: samples.length / seconds,
    p50Ms: percentile(samples, 0.5),
    p90Ms: percentile(samples, 0.9),
    p99Ms: percentile(samples, 0.99),
    maxMs: samples[samples.length - 1] ?? NaN,
    errors: 0
  }
}
