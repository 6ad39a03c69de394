// The pino logger: JSON to stdout, secrets redacted twice over. Known header and field paths
// are censored by pino; every line is then scrubbed of each live secret value, so a secret
// cannot leak through a field nobody thought of, at any level, trace included.
import { createRequire } from 'node:module'
import { isatty } from 'node:tty'
import { pino, type Logger, type LoggerOptions } from 'pino'
import { BatchedWriter } from './log-destination.js'

const CENSOR = '[REDACTED]'

const REDACT_PATHS = [
  'authorization', 'headers.authorization', 'req.headers.authorization', 'res.headers.authorization',
  'request.headers.authorization', 'cookie', 'headers.cookie', 'req.headers.cookie', 'headers["proxy-authorization"]',
  'token', 'accessToken', 'access_token', 'secret', 'apiToken', 'api_token', 'password',
  'config.credentials', 'credentials'
]

/** The values to scrub from every line: credentials and the tokens currently in use. */
export class SecretValues {
  readonly #values = new Set<string>()
  #recent: string[] = []

  add (value: string): void {
    if (value.length < 4) return // too short to scrub without mangling ordinary text
    this.#values.add(value)
  }

  /** Access tokens rotate: keep the last few, forget older ones. */
  addToken (value: string): void {
    this.add(value)
    this.#recent.push(value)
    if (this.#recent.length > 4) this.#values.delete(this.#recent.shift() as string)
  }

  scrub (line: string): string {
    for (const value of this.#values) {
      if (line.includes(value)) line = line.split(value).join(CENSOR)
    }
    return line
  }
}

export interface LogOptions {
  readonly level: string
  readonly format: 'auto' | 'json' | 'pretty'
  readonly secrets: SecretValues
  /** where lines go; stdout unless a test captures them */
  readonly destination?: NodeJS.WritableStream
}

/** The access log's fast path beside pino. `write` takes a ready JSON line as it is, so its
 * writer passes every field that did not come from a fixed set through `scrub` first. */
export interface JsonLineSink {
  readonly write: (line: string) => void
  readonly scrub: (text: string) => string
}

const sinks = new WeakMap<Logger, JsonLineSink>()

/** The JSON line sink of a logger that writes JSON; undefined for pretty output, which must go through pino. */
export function jsonLineSink (log: Logger): JsonLineSink | undefined {
  return sinks.get(log)
}

export function createLogger (opts: LogOptions): Logger {
  const options: LoggerOptions = {
    level: opts.level,
    base: { service: 'wavefront-auth-proxy' },
    redact: { paths: REDACT_PATHS, censor: CENSOR },
    hooks: { streamWrite: (line) => opts.secrets.scrub(line) }
  }
  if (opts.destination === undefined && wantsPretty(opts.format)) {
    // pino-pretty is optional (absent from production images): colour when a person is watching.
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' } } })
  }
  const destination = opts.destination ?? new BatchedWriter(1)
  const log = pino(options, destination)
  sinks.set(log, { write: (line) => { destination.write(line) }, scrub: (text) => opts.secrets.scrub(text) })
  return log
}

function wantsPretty (format: LogOptions['format']): boolean {
  if (format === 'json') return false
  if (format === 'auto' && !isatty(1)) return false // isatty, not process.stdout: that would make fd 1 non-blocking
  try {
    createRequire(import.meta.url).resolve('pino-pretty')
    return true
  } catch {
    return false
  }
}
