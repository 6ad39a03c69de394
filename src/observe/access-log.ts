// One concise access line per request at info: method, route, path (never the query), status,
// duration, bytes and the request id. On the forwarding path it is written straight as JSON in
// pino's shape: pino's generic serialiser would be the largest cost of a small request. A local
// answer or a failure carries its WAP_ERR_* code.
import type { Logger } from 'pino'
import type { Completion } from '../vocabulary.js'
import type { JsonLineSink } from './log.js'

const INFO = 30

export class AccessLog {
  readonly #log: Logger
  readonly #sink: JsonLineSink | undefined

  #lastNow = 0
  #lastNowText = '0'

  /** Without a JSON sink (pretty output) lines go through pino. */
  constructor (log: Logger, sink: JsonLineSink | undefined) {
    this.#log = log
    this.#sink = sink
  }

  write (r: Completion): void {
    if (this.#log.levelVal > INFO) return
    const sink = this.#sink
    if (sink === undefined) {
      const { aborted, ...fields } = r
      this.#log.info(aborted ? r : fields, `${r.method} ${r.path} ${r.status}`)
      return
    }
    // Only the path and the request id come from the client: they are scrubbed of secrets. Request
    // ids are [\w.:@/+=-] (requestIdOf) and methods HTTP tokens, so only the path may need escaping.
    const path = sink.scrub(r.path)
    const plain = !NEEDS_ESCAPING.test(path)
    const msg = `${r.method} ${path} ${r.status}`
    sink.write(`{"level":${INFO},"time":${this.#now()},"service":"wavefront-auth-proxy","requestId":"${sink.scrub(r.requestId)}","method":"${r.method}","route":"${r.route}","path":${plain ? `"${path}"` : JSON.stringify(path)},"status":${r.status},"ms":${hundredths(r.ms)},"bytes":${r.bytes}${r.aborted ? ',"aborted":true' : ''}${r.code === undefined ? '' : `,"code":"${r.code}"`},"msg":${plain ? `"${msg}"` : JSON.stringify(msg)}}\n`)
  }

  /** Date.now() as text, converted once per millisecond: a busy proxy writes dozens of lines in each. */
  #now (): string {
    const now = Date.now()
    if (now !== this.#lastNow) {
      this.#lastNow = now
      this.#lastNowText = String(now)
    }
    return this.#lastNowText
  }
}

/** `ms` rounded to two decimals, as String(Math.round(ms * 100) / 100) prints it, in integer arithmetic. */
export function hundredths (ms: number): string {
  const all = Math.round(ms * 100)
  const whole = Math.floor(all / 100)
  const rest = all - whole * 100
  if (rest === 0) return String(whole)
  return rest % 10 === 0 ? `${whole}.${rest / 10}` : `${whole}.${rest < 10 ? '0' : ''}${rest}`
}

const NEEDS_ESCAPING = /["\\\u0000-\u001f\u007f-\uffff]/
