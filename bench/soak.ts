// npm run soak [-- --seconds=120 --rate=400 --connections=16 --lifetime=3]
// The operator's soak: the built proxy (dist/wavefront-auth-proxy.mjs) between a flaky fake CSP
// and the fake instance, all on loopback, for a bounded time. Short tokens; 30% of token requests
// fail at random (500, 429 + Retry-After: 1, or a hang); the instance's tokens are revoked five
// times; some clients abort mid-request. Reports requests by status, 503s that came while CSP was
// answering again, token requests per minute, and the proxy's RSS and file descriptors at start
// and end → bench/results/soak.json. Stops by itself; not part of npm test.
import { randomInt } from 'node:crypto'
import { readdirSync, writeFileSync, readFileSync, mkdtempSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { Pool } from 'undici'
import { FakeCsp, type CspFault } from '../test/fixtures/fake-csp.js'
import { FakeWavefront } from '../test/fixtures/fake-wavefront.js'
import { positive } from './lib/options.js'
import { rss } from './lib/proc-stats.js'
import { freePort, sleep, start, stop } from './lib/procs.js'

const SOAK_USAGE = 'usage: npm run soak -- [--seconds=120] [--rate=400] [--connections=16] [--lifetime=3]'
const { values: flags } = parseArgs({
  args: process.argv.slice(2),
  strict: true,
  options: { seconds: { type: 'string' }, rate: { type: 'string' }, connections: { type: 'string' }, lifetime: { type: 'string' } }
})
const SECONDS = positive('seconds', flags.seconds, SOAK_USAGE) ?? 120
const RATE = positive('rate', flags.rate, SOAK_USAGE) ?? 400
const CONNECTIONS = positive('connections', flags.connections, SOAK_USAGE) ?? 16
const LIFETIME_S = positive('lifetime', flags.lifetime, SOAK_USAGE) ?? 3
const FAILING = 0.3
const REVOCATIONS = 5

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const APP_ID = 'soak-app'
const APP_SECRET = 'soak-secret-7Jd2kQ'

interface Outcome { readonly at: number, readonly status: number | 'aborted' | 'error' }

/** What the next token request meets: 30% fail, a third each of 500, 429 + Retry-After and a hang. */
function randomFault (): CspFault | undefined {
  const r = Math.random()
  if (r >= FAILING) return undefined
  if (r < FAILING / 3) return { kind: 'status', status: 500 }
  if (r < FAILING * 2 / 3) return { kind: 'status', status: 429, retryAfter: '1' }
  return { kind: 'hang' }
}

function fds (pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length
}

/** A 1 MiB upload that trickles in 16 KiB pieces: long enough to be cut mid-body. */
function trickle (): Readable {
  let sent = 0
  return new Readable({
    read () {
      if (sent >= 1024 * 1024) { this.push(null); return }
      sent += 16 * 1024
      setTimeout(() => this.push(Buffer.alloc(16 * 1024, 'a')), 2)
    }
  })
}

async function one (pool: Pool, outcomes: Outcome[]): Promise<void> {
  const r = Math.random()
  const abort = new AbortController()
  let opts: Parameters<Pool['request']>[0]
  if (r < 0.85) opts = { path: '/api/v2/source?limit=10', method: 'GET' }
  else if (r < 0.93) opts = { path: '/api/v2/event', method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'soak', startTime: Date.now() }) }
  else if (r < 0.98) opts = { path: '/report?f=wavefront', method: 'POST', body: 'cpu.load 1 source=soak\n'.repeat(700) }
  else if (r < 0.99) {
    opts = { path: '/api/v2/source', method: 'GET', signal: abort.signal }
    setTimeout(() => { abort.abort() }, randomInt(0, 5))
  } else {
    opts = { path: '/report?f=wavefront', method: 'POST', body: trickle(), signal: abort.signal }
    setTimeout(() => { abort.abort() }, randomInt(5, 40))
  }
  try {
    const res = await pool.request(opts)
    await res.body.dump()
    outcomes.push({ at: Date.now(), status: res.statusCode })
  } catch (err) {
    outcomes.push({ at: Date.now(), status: abort.signal.aborted ? 'aborted' : 'error' })
    if (!abort.signal.aborted) console.error('request failed:', (err as Error).message)
  }
}

async function worker (pool: Pool, outcomes: Outcome[], until: number, intervalMs: number): Promise<void> {
  let next = Date.now() + Math.random() * intervalMs
  while (next < until) {
    const wait = next - Date.now()
    if (wait > 0) await sleep(wait)
    await one(pool, outcomes)
    next = Math.max(next + intervalMs, Date.now() - intervalMs) // paced; a slow answer is not made up in a burst
  }
}

async function main (): Promise<void> {
  const csp = await new FakeCsp({ apps: { [APP_ID]: { secret: APP_SECRET } }, lifetimeSeconds: LIFETIME_S }).listen()
  const instance = await new FakeWavefront({ csp }).listen()
  const port = await freePort()
  const log = join(mkdtempSync(join(tmpdir(), 'wap-soak-')), 'proxy.log')
  const proxy = start('proxy', process.execPath, [join(ROOT, 'dist', 'wavefront-auth-proxy.mjs')], {
    output: log,
    env: { ...process.env, WAVEFRONT_URL: instance.url, CSP_BASE_URL: csp.url, CSP_APP_ID: APP_ID, CSP_APP_SECRET: APP_SECRET, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', LOG_FORMAT: 'json' }
  })
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CONNECTIONS, pipelining: 1 })
  try {
    for (let i = 0; i < 100; i++) {
      const ok = await pool.request({ path: '/readyz', method: 'GET' }).then(async (r) => { await r.body.dump(); return r.statusCode === 200 }, () => false)
      if (ok) break
      await sleep(100)
    }
    const loadAtStart = loadavg()[0] ?? 0
    const startRss = rss(proxy.pid)
    const startFds = fds(proxy.pid)
    csp.pickFault = randomFault
    const began = Date.now()
    const until = began + SECONDS * 1000
    const outcomes: Outcome[] = []
    const revocations = Array.from({ length: REVOCATIONS }, (_, i) => setTimeout(() => { csp.revokeAll() }, (i + 1) * SECONDS * 1000 / (REVOCATIONS + 1)))
    console.error(`soak: ${RATE} requests/s over ${CONNECTIONS} connections for ${SECONDS} s, ${LIFETIME_S} s tokens, ${FAILING * 100}% of token requests failing`)
    await Promise.all(Array.from({ length: CONNECTIONS }, async () => { await worker(pool, outcomes, until, CONNECTIONS * 1000 / RATE) }))
    revocations.forEach(clearTimeout)
    csp.pickFault = undefined
    await sleep(2000) // let aborted exchanges and idle timers settle before the end figures
    const endRss = rss(proxy.pid)
    const endFds = fds(proxy.pid)

    const byStatus: Record<string, number> = {}
    for (const o of outcomes) byStatus[String(o.status)] = (byStatus[String(o.status)] ?? 0) + 1
    const tokenRequests = csp.requests.filter((r) => r.at >= began && r.at < until)
    // A 503 "while CSP was answering": the next token request after it succeeded, so an earlier
    // attempt would have found CSP answering too. The wait says how long the proxy held off.
    const unavailable = outcomes.filter((o) => o.status === 503)
    const waits = unavailable.flatMap((o) => {
      const next = csp.requests.find((r) => r.at >= o.at)
      return next !== undefined && next.outcome === 200 ? [next.at - o.at] : []
    }).sort((a, b) => a - b)
    // Stretches of 503s (answers less than 100 ms apart), and what CSP answered last before each began.
    const bursts: Array<{ from: number, to: number, count: number }> = []
    for (const o of unavailable) {
      const last = bursts.at(-1)
      if (last !== undefined && o.at - last.to < 100) { last.to = o.at; last.count++ } else bursts.push({ from: o.at, to: o.at, count: 1 })
    }
    const before = (at: number): string => {
      const r = csp.requests.filter((q) => q.at <= at).at(-1)
      return r === undefined ? 'none' : r.outcome === 0 ? 'hang' : String(r.outcome)
    }
    const logText = readFileSync(log, 'utf8')
    const result = {
      date: new Date().toISOString(),
      // how busy the machine was: the soak's figures are counts, not timings, but a loaded host answers later
      host: { cores: cpus().length, loadAverage1m: { start: loadAtStart, end: loadavg()[0] ?? 0 } },
      plan: { seconds: SECONDS, rate: RATE, connections: CONNECTIONS, tokenLifetimeSeconds: LIFETIME_S, failingTokenRequests: FAILING, revocations: REVOCATIONS },
      requests: outcomes.length,
      requestsPerSecond: Math.round(outcomes.length / SECONDS),
      byStatus,
      unavailable: {
        total: unavailable.length,
        whileCspAnswering: waits.length,
        medianMsUntilNextTokenRequest: waits[Math.floor(waits.length / 2)] ?? null,
        maxMsUntilNextTokenRequest: waits.at(-1) ?? null,
        stretches: bursts.map((b) => ({ atSecond: Math.round((b.from - began) / 100) / 10, ms: b.to - b.from, answers: b.count, lastTokenAnswer: before(b.from) }))
      },
      tokenRequests: {
        total: tokenRequests.length,
        perMinute: Math.round(tokenRequests.length / (SECONDS / 60)),
        byOutcome: Object.fromEntries([...new Set(tokenRequests.map((r) => r.outcome))].map((s) => [s === 0 ? 'hang' : String(s), tokenRequests.filter((r) => r.outcome === s).length]))
      },
      instance: {
        received: instance.received.length,
        expiredTokens: instance.expiredTokenRequests,
        revokedOrUnknownTokens: instance.received.filter((r) => r.auth === 'unknown').length
      },
      proxy: {
        rssMiB: { start: Math.round(startRss / 1048576 * 10) / 10, end: Math.round(endRss / 1048576 * 10) / 10 },
        fds: { start: startFds, end: endFds },
        tokenRejectedLines: logText.split('\n').filter((l) => l.includes('"event":"token_rejected"')).length,
        errorLines: logText.split('\n').filter((l) => l.includes('"level":50')).length
      }
    }
    console.log(JSON.stringify(result, null, 2))
    writeFileSync(join(ROOT, 'bench', 'results', 'soak.json'), JSON.stringify(result, null, 2) + '\n')
  } finally {
    await pool.close().catch(() => {})
    await stop(proxy)
    await Promise.all([csp.close(), instance.close()])
  }
}

await main()
