// The processes a run measures: the upstream (nginx, or a Node sink), wavefront-auth-proxy as
// npm start runs it, nginx doing the same job, and the bare and naive Node designs.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { NODE_FLAGS } from '../../src/runtime/v8-tuning.js'
import { CLI, MiB, ROOT, type Context } from './context.js'
import { probe } from './transfers.js'
import { proxyConf, upstreamConf } from './nginx.js'
import { freePort, sleep, start, type Proc } from './procs.js'

export interface Target {
  readonly key: 'direct' | 'nginx' | 'nginx-nolog' | 'wap' | 'bare' | 'naive' | `variant-${number}`
  readonly label: string
  readonly origin: string
  /** the proxy process measured (absent for direct) */
  readonly proc?: Proc
}

export interface Upstream { readonly proc: Proc, readonly origin: string, readonly sinkLog: string | undefined }

export async function waitFor (url: string, ok: (status: number) => boolean, what: string, timeoutMs = 10_000, everyMs = 5): Promise<void> {
  const deadline = performance.now() + timeoutMs
  for (;;) {
    try {
      if (ok((await probe(url)).status)) return
    } catch { /* not listening yet */ }
    if (performance.now() > deadline) throw new Error(`${what} did not answer ${url} within ${timeoutMs} ms`)
    await sleep(everyMs)
  }
}

function writeBigFile (path: string, bytes: number): void {
  const chunk = Buffer.alloc(MiB, 'bench.download.metric 42 1700000000 source=bench-host\n')
  const fd = openSync(path, 'w')
  for (let written = 0; written < bytes; written += MiB) writeSync(fd, chunk, 0, Math.min(MiB, bytes - written))
  closeSync(fd)
}

export async function startUpstream (ctx: Context): Promise<Upstream> {
  const port = await freePort()
  const bytes = ctx.plan.bodyBytes
  let proc: Proc
  let sinkLog: string | undefined
  if (ctx.nginxBin !== undefined) {
    const prefix = join(ctx.tmp, 'nginx-upstream')
    mkdirSync(prefix, { recursive: true })
    const big = join(ctx.tmp, 'big.bin')
    writeBigFile(big, bytes)
    const files = upstreamConf(prefix, port, big, bytes)
    sinkLog = files.sinkLog
    proc = start('upstream (nginx)', ctx.nginxBin, ['-p', prefix, '-c', files.conf], { core: ctx.pins.load, output: join(ctx.tmp, 'upstream.out') })
  } else {
    proc = start('upstream (node)', process.execPath, [join(ROOT, 'dist', 'bench', 'node-upstream.js'), String(port), String(bytes)], { core: ctx.pins.load, output: join(ctx.tmp, 'upstream.out') })
  }
  const origin = `http://127.0.0.1:${port}`
  await waitFor(`${origin}/api/v2/ping`, (s) => s === 200, 'the upstream')
  return { proc, origin, sinkLog }
}

/** The environment of a user running the binary: only what the benchmark sets, everything else default. */
export function wapEnv (ctx: Context, upstream: string, port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(MALLOC_|GLIBC_TUNABLES|WAVEFRONT_|CSP_|LOG_|UPSTREAM_|BODY_LIMIT|ALLOWED_|READ_ONLY|HOST$|PORT$|METRICS|SHUTDOWN_|CONFIG_FILE|NODE_OPTIONS|RUNTIME_|HTTPS?_PROXY|NO_PROXY)/i.test(k)) continue
    env[k] = v
  }
  return { ...env, WAVEFRONT_URL: upstream, WAVEFRONT_TOKEN: ctx.token, PORT: String(port) }
}

export interface WapOptions {
  /** node flags added to NODE_FLAGS (or to `baseFlags`) */
  readonly nodeFlags?: readonly string[]
  /** settings (environment) on top of the user's defaults */
  readonly settings?: NodeJS.ProcessEnv
  readonly cli?: string
  readonly node?: string
  /** the node flags npm start uses, unless a variant replaces them */
  readonly baseFlags?: readonly string[]
}

export async function startWap (ctx: Context, upstream: string, output: string, o: WapOptions = {}): Promise<{ proc: Proc, origin: string, readyMs: number }> {
  const port = await freePort()
  const args = [...(o.baseFlags ?? NODE_FLAGS), ...(o.nodeFlags ?? []), o.cli ?? CLI]
  const proc = start('wavefront-auth-proxy', o.node ?? ctx.proxyNode, args, { env: { ...wapEnv(ctx, upstream, port), ...o.settings }, core: ctx.pins.proxy, output, wrap: ctx.limit?.wrap })
  const origin = `http://127.0.0.1:${port}`
  try {
    await waitFor(`${origin}/readyz`, (s) => s === 200, 'wavefront-auth-proxy', 10_000, 5)
  } catch (err) {
    const tail = existsSync(output) ? readFileSync(output, 'utf8').split('\n').slice(-10).join('\n') : ''
    throw new Error(`${(err as Error).message}\n${tail}`)
  }
  return { proc, origin, readyMs: performance.now() - proc.spawnedAt }
}

export async function startNginxProxy (ctx: Context, upstream: string, accessLog: boolean): Promise<{ proc: Proc, origin: string }> {
  if (ctx.nginxBin === undefined) throw new Error('nginx is not installed')
  const port = await freePort()
  const prefix = join(ctx.tmp, accessLog ? 'nginx-proxy' : 'nginx-proxy-nolog')
  mkdirSync(prefix, { recursive: true })
  const conf = proxyConf(prefix, port, Number(new URL(upstream).port), ctx.token, accessLog)
  const proc = start(accessLog ? 'nginx proxy' : 'nginx proxy (no access log)', ctx.nginxBin, ['-p', prefix, '-c', conf], { core: ctx.pins.proxy, output: join(prefix, 'out.log') })
  const origin = `http://127.0.0.1:${port}`
  await waitFor(`${origin}/api/v2/ping`, (s) => s === 200, 'the nginx proxy')
  return { proc, origin }
}

export async function startReference (ctx: Context, script: 'naive-proxy' | 'bare-proxy', upstream: string, nodeFlags: readonly string[] = []): Promise<{ proc: Proc, origin: string }> {
  const port = await freePort()
  const proc = start(script, ctx.proxyNode, [...NODE_FLAGS, ...nodeFlags, join(ROOT, 'dist', 'bench', `${script}.js`)], {
    env: { ...process.env, UPSTREAM: upstream, TOKEN: ctx.token, PORT: String(port) },
    core: ctx.pins.proxy,
    output: join(ctx.tmp, `${script}.out`),
    wrap: ctx.limit?.wrap
  })
  const origin = `http://127.0.0.1:${port}`
  await waitFor(`${origin}/api/v2/ping`, (s) => s === 200, script)
  return { proc, origin }
}

/** Each proxy must really do the job: the upstream sees our Bearer token. */
export async function checkAddsToken (ctx: Context, t: Target): Promise<void> {
  const r = await probe(`${t.origin}/api/v2/bench/echo`)
  const seen = r.headers['x-echo-authorization']
  if (r.status !== 200 || seen !== `Bearer ${ctx.token}`) throw new Error(`${t.label} does not forward with the token (status ${r.status}, upstream saw ${JSON.stringify(seen)})`)
}
