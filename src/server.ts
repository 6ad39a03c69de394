// The process around the app: listen, log the start line, drain on SIGTERM/SIGINT, exit 0.
import closeWithGrace from 'close-with-grace'
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { buildApp } from './app.js'
import type { Config } from './config/load.js'
import { isLoopbackHost } from './config/addresses.js'
import { createLogger, SecretValues } from './observe/log.js'
import { installRuntimeTuning } from './runtime/tuning.js'
import { youngGenerationWarning } from './runtime/v8-tuning.js'
import { VERSION } from './version.js'
import { WAP_ERR_DRAIN_TIMEOUT } from './errors.js'

export interface RunningProxy {
  readonly app: FastifyInstance
  readonly log: Logger
  readonly url: string
}

export async function serve (config: Config): Promise<RunningProxy> {
  const tuning = config.runtimeTuning ? installRuntimeTuning() : undefined
  const secrets = new SecretValues()
  const log = createLogger({ level: config.logLevel, format: config.logFormat, secrets })
  const app = await buildApp(config, tuning === undefined ? { log, secrets } : { log, secrets, tuning })
  // Listening on the raw server keeps the start-up log to our one structured line.
  await new Promise<void>((resolve, reject) => {
    app.server.once('error', reject)
    app.server.listen({ host: config.host, port: config.port }, resolve)
  })
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : config.port
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`
  log.info({ event: 'started', version: VERSION, mode: config.credentials.mode, instance: config.wavefrontOrigin, listen: url, runtimeTuning: config.runtimeTuning }, `wavefront-auth-proxy ${VERSION} listening on ${url}, forwarding to ${config.wavefrontOrigin} (${config.credentials.mode})`)
  if (!isLoopbackHost(config.host)) {
    log.warn({ event: 'exposed' }, `listening on ${config.host}, not loopback: anyone who can reach this address acts with the configured credential. Restrict who can connect (ALLOWED_CLIENTS, a NetworkPolicy) and set ALLOWED_HOSTS; see Security in the README`)
  }
  const youngGeneration = youngGenerationWarning(process.execArgv, process.env.NODE_OPTIONS, process.constrainedMemory())
  if (youngGeneration !== undefined) log.warn({ event: 'young_generation' }, youngGeneration)
  drainOnSignals(app, log, config.shutdownGraceMs)
  return { app, log, url }
}

/** In-flight requests get `graceMs` to finish; then remaining connections are cut and the process exits 0. */
function drainOnSignals (app: FastifyInstance, log: Logger, graceMs: number): void {
  closeWithGrace({ delay: graceMs + 5_000, logger: false, skip: ['uncaughtException', 'unhandledRejection'] }, async ({ signal }) => {
    app.lifecycle.drain()
    app.server.close() // stop listening now; app.close() below waits for the connections
    // Connections that go idle as their last response finishes are closed as they do.
    const sweep = setInterval(() => { app.server.closeIdleConnections() }, 50)
    app.server.closeIdleConnections()
    log.info({ event: 'stopping', signal }, `received ${String(signal)}: no longer accepting connections, draining in-flight requests (up to ${graceMs} ms)`)
    const deadline = setTimeout(() => {
      log.warn({ event: 'drain_timeout', code: WAP_ERR_DRAIN_TIMEOUT }, `in-flight requests did not finish within SHUTDOWN_GRACE_MS (${graceMs} ms): closing their connections`)
      app.server.closeAllConnections()
    }, graceMs)
    await app.close()
    clearTimeout(deadline)
    clearInterval(sweep)
    log.info({ event: 'stopped' }, 'stopped')
  })
}
