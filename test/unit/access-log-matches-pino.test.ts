// The access line is written by hand for speed; it must parse exactly as pino's own output of the
// same record does (same keys in the same order, same types, same values), so a pino upgrade or a
// new field cannot drift from what log pipelines parse.
import { Writable } from 'node:stream'
import t from 'tap'
import { AccessLog, hundredths } from '../../src/observe/access-log.js'
import { createLogger, jsonLineSink, SecretValues } from '../../src/observe/log.js'
import type { Completion } from '../../src/vocabulary.js'

function capturingLogger (level = 'info'): { log: ReturnType<typeof createLogger>, lines: string[], secrets: SecretValues } {
  const lines: string[] = []
  const destination = new Writable({
    write (chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') lines.push(line)
      done()
    }
  })
  const secrets = new SecretValues()
  return { log: createLogger({ level, format: 'json', secrets, destination }), lines, secrets }
}

const RECORDS: Completion[] = [
  { requestId: 'aB3-1', method: 'GET', route: 'api', path: '/api/v2/source', status: 200, ms: 7.8123, bytes: 171, aborted: false },
  { requestId: 'aB3-2', method: 'POST', route: 'report', path: '/report', status: 202, ms: 0.004, bytes: 0, aborted: true },
  { requestId: 'caller:id/7+=', method: 'GET', route: 'api', path: '/api/v2/source', status: 503, ms: 12.5, bytes: 250, aborted: false, code: 'WAP_ERR_NO_TOKEN' },
  { requestId: 'aB3-4', method: 'GET', route: 'none', path: '/nope/"quoted"\\back\u0001ctl/é/\u2028', status: 404, ms: 1, bytes: 190, aborted: false, code: 'WAP_ERR_NOT_FOUND' },
  { requestId: 'aB3-5', method: '-', route: 'none', path: '-', status: 400, ms: 0, bytes: 120, aborted: false, code: 'WAP_ERR_MALFORMED_REQUEST' }
]

/** What pino itself writes for the record the access line stands for. */
function pinoLine (r: Completion): Record<string, unknown> {
  const { log, lines } = capturingLogger()
  const fields = { requestId: r.requestId, method: r.method, route: r.route, path: r.path, status: r.status, ms: Number(hundredths(r.ms)), bytes: r.bytes }
  log.info({ ...fields, ...(r.aborted ? { aborted: true } : {}), ...(r.code === undefined ? {} : { code: r.code }) }, `${r.method} ${r.path} ${r.status}`)
  return JSON.parse(lines[0] as string) as Record<string, unknown>
}

t.test('every access line parses as pino writes the same record: keys, order, types and values', async (t) => {
  for (const record of RECORDS) {
    const name = `${record.method} ${record.status}` // not the path: a raw U+2028 would break the TAP stream
    const { log, lines } = capturingLogger()
    new AccessLog(log, jsonLineSink(log)).write(record)
    t.equal(lines.length, 1)
    const ours = JSON.parse(lines[0] as string) as Record<string, unknown>
    const theirs = pinoLine(record)
    t.same(Object.keys(ours), Object.keys(theirs), `${name}: the same keys in the same order`)
    t.same(Object.values(ours).map((v) => typeof v), Object.values(theirs).map((v) => typeof v), `${name}: the same types`)
    t.same({ ...ours, time: 0 }, { ...theirs, time: 0 }, `${name}: the same values`)
    t.ok(Math.abs((ours.time as number) - (theirs.time as number)) < 1000, 'time: epoch milliseconds, as pino writes it')
  }
})

t.test('without a JSON sink (pretty output) the line goes through pino with the same fields', async (t) => {
  const record = RECORDS[2] as Completion
  const { log, lines } = capturingLogger()
  new AccessLog(log, undefined).write(record)
  const line = JSON.parse(lines[0] as string) as Record<string, unknown>
  t.match(line, { level: 30, requestId: record.requestId, route: 'api', status: 503, code: 'WAP_ERR_NO_TOKEN', msg: 'GET /api/v2/source 503' })
  t.notOk('aborted' in line, 'aborted only when true')
})

t.test('a secret in the path is scrubbed, as pino scrubs every line', async (t) => {
  const { log, lines, secrets } = capturingLogger()
  secrets.add('s3cr3t-value')
  new AccessLog(log, jsonLineSink(log)).write({ ...(RECORDS[0] as Completion), path: '/api/v2/s3cr3t-value' })
  t.match(JSON.parse(lines[0] as string), { path: '/api/v2/[REDACTED]' })
})

t.test('above info, nothing is written', async (t) => {
  const { log, lines } = capturingLogger('warn')
  new AccessLog(log, jsonLineSink(log)).write(RECORDS[0] as Completion)
  t.same(lines, [])
})

t.test('the duration is in milliseconds, rounded to two decimals, printed as a plain JSON number', async (t) => {
  const cases: Array<[number, string]> = [[0, '0'], [0.004, '0'], [0.005, '0.01'], [0.1, '0.1'], [0.17, '0.17'], [0.305, '0.31'], [1.05, '1.05'], [2.999, '3'], [12345.675, '12345.68'], [86400000.5, '86400000.5']]
  for (const [ms, printed] of cases) t.equal(hundredths(ms), printed, `${ms} ms`)
  for (let i = 0; i < 20000; i++) {
    const ms = i / 997
    if (hundredths(ms) !== String(Math.round(ms * 100) / 100)) t.fail(`${ms} ms printed as ${hundredths(ms)}`)
  }
})
