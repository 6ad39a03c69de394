// Starts fake CSP, fake Wavefront and the proxy as real HTTP servers on port 0, with the
// proxy's log captured line by line, and tears them all down after the test.
import { Writable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.js'
import { loadConfig, type Config } from '../../src/config/load.js'
import { createLogger, SecretValues } from '../../src/observe/log.js'
import { installRuntimeTuning, type TuningObserver } from '../../src/runtime/tuning.js'
import { FakeCsp, type FakeCspOptions } from '../fixtures/fake-csp.js'
import { FakeWavefront } from '../fixtures/fake-wavefront.js'

export const APP_ID = 'app-7f3c'
export const APP_SECRET = 'app-secret-Zq9xV2pL8wR4'
export const ORG_ID = 'org-1234'
export const API_TOKEN = 'api-token-Hk3mN8bT5yU1'
export const STATIC_TOKEN = 'a411c16b-3cf7-4f03-bf11-8ca05aab898d'

export type Mode = 'app' | 'api-token' | 'static'

export interface StackOptions {
  readonly mode?: Mode
  readonly lifetimeSeconds?: number
  /** extra environment for the proxy's configuration */
  readonly env?: Record<string, string>
  readonly logLevel?: string
  /** leave the proxy unstarted: build it yourself with startProxy */
  readonly cspOptions?: FakeCspOptions
  /** install the runtime tuning as serve() does (off otherwise, as in any embedding) */
  readonly runtimeTuning?: boolean
}

export interface Stack {
  readonly csp: FakeCsp
  readonly instance: FakeWavefront
  readonly proxy: RunningTestProxy
  readonly env: Record<string, string>
}

export interface RunningTestProxy {
  readonly app: FastifyInstance
  readonly url: string
  readonly port: number
  readonly config: Config
  /** every log line the proxy wrote, as text */
  readonly logs: string[]
  /** resolves with the first log record (already written or still to come) that matches */
  logged: (match: (record: Record<string, unknown>) => boolean) => Promise<Record<string, unknown>>
  close: () => Promise<void>
}

interface Teardown { teardown: (fn: () => Promise<void> | void) => void }

export function credentialsEnv (mode: Mode): Record<string, string> {
  switch (mode) {
    case 'app': return { CSP_APP_ID: APP_ID, CSP_APP_SECRET: APP_SECRET }
    case 'api-token': return { CSP_API_TOKEN: API_TOKEN }
    case 'static': return { WAVEFRONT_TOKEN: STATIC_TOKEN }
  }
}

export async function startFakes (t: Teardown, opts: StackOptions = {}): Promise<{ csp: FakeCsp, instance: FakeWavefront }> {
  const csp = await new FakeCsp({
    apps: { [APP_ID]: { secret: APP_SECRET, orgIds: [ORG_ID] } },
    apiTokens: [API_TOKEN],
    lifetimeSeconds: opts.lifetimeSeconds ?? 1799,
    ...opts.cspOptions
  }).listen()
  const instance = await new FakeWavefront({ csp, staticTokens: [STATIC_TOKEN] }).listen()
  t.teardown(async () => { await Promise.all([csp.close(), instance.close()]) })
  return { csp, instance }
}

export async function startStack (t: Teardown, opts: StackOptions = {}): Promise<Stack> {
  const { csp, instance } = await startFakes(t, opts)
  const env = {
    WAVEFRONT_URL: instance.url,
    CSP_BASE_URL: csp.url,
    PORT: '0',
    LOG_LEVEL: opts.logLevel ?? 'info',
    ...credentialsEnv(opts.mode ?? 'app'),
    ...opts.env
  }
  const proxy = await startProxy(t, env, opts.runtimeTuning === true ? installRuntimeTuning() : undefined)
  return { csp, instance, proxy, env }
}

/** Builds the app from this environment exactly as the binary would, and listens on port 0. */
export async function startProxy (t: Teardown, env: Record<string, string>, tuning?: TuningObserver): Promise<RunningTestProxy> {
  const config = loadConfig({ env, argv: [] })
  const logs: string[] = []
  const waiters: Array<{ match: (r: Record<string, unknown>) => boolean, resolve: (r: Record<string, unknown>) => void }> = []
  const destination = new Writable({
    write (chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line === '') continue
        logs.push(line)
        const record = JSON.parse(line) as Record<string, unknown>
        for (const w of waiters.filter((w) => w.match(record))) {
          waiters.splice(waiters.indexOf(w), 1)
          w.resolve(record)
        }
      }
      done()
    }
  })
  const logged = async (match: (r: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> => {
    const found = logRecords(logs).find(match)
    if (found !== undefined) return found
    return await new Promise((resolve) => waiters.push({ match, resolve }))
  }
  const secrets = new SecretValues()
  const log = createLogger({ level: config.logLevel, format: 'json', secrets, destination })
  const app = await buildApp(config, tuning === undefined ? { log, secrets } : { log, secrets, tuning })
  await new Promise<void>((resolve) => app.server.listen({ host: '127.0.0.1', port: 0 }, resolve))
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  let closed = false
  const close = async (): Promise<void> => {
    if (closed) return
    closed = true
    await app.close()
  }
  t.teardown(close)
  return { app, url: `http://127.0.0.1:${port}`, port, config, logs, logged, close }
}

/** Parsed JSON log lines, for assertions on fields. */
export function logRecords (logs: readonly string[]): Array<Record<string, unknown>> {
  return logs.map((l) => JSON.parse(l) as Record<string, unknown>)
}
