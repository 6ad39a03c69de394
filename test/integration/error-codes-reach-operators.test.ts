// A refusal or failure carries its stable code to the operator: in the envelope (errorCode,
// beside the message and code Wavefront clients read) and on the event's log line (code).
import t from 'tap'
import { call } from '../helpers/http.js'
import { freePort } from '../helpers/ports.js'
import { rawRequest } from '../helpers/raw.js'
import { credentialsEnv, logRecords, startFakes, startProxy, startStack } from '../helpers/stack.js'

interface Status { result: string, message: string, code: number, errorCode?: string }

/** The body of a raw answer, parsed. */
function rawEnvelope (answer: string): { status: Status } {
  return JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { status: Status }
}

/** What the Python REST client (swagger-codegen's ApiClient.__deserialize_model) does with the
 * status object: it reads the attributes its ResponseStatus model declares, checks them, and
 * never looks at any other key. The Go client's encoding/json ignores unknown fields as well. */
function asWavefrontClient (status: Record<string, unknown>): { result: string, message: string, code: number } {
  const declared = { result: 'str', message: 'str', code: 'int' } as const
  const model: Record<string, unknown> = {}
  for (const [name, type] of Object.entries(declared)) {
    const value = status[name]
    if (type === 'int' ? !Number.isInteger(value) : typeof value !== 'string') throw new Error(`${name}: not a ${type}`)
    model[name] = value
  }
  if (!['OK', 'ERROR'].includes(model.result as string)) throw new Error(`result: ${String(model.result)}`)
  return model as { result: string, message: string, code: number }
}

t.test('a locally answered request: errorCode in the envelope, code on its access line', async (t) => {
  const { proxy } = await startStack(t, { mode: 'api-token', cspOptions: { apiTokens: [] } })
  await proxy.logged((r) => r.event === 'token_fetch_failed')
  const res = await call(`${proxy.url}/api/v2/source`)
  t.equal(res.status, 503)
  const status = (res.json() as { status: Status }).status
  t.match(status, { result: 'ERROR', code: 503, errorCode: 'WAP_ERR_NO_TOKEN' })
  t.same(Object.keys(status), ['result', 'message', 'code', 'errorCode'], 'the Wavefront fields first, ours after')
  t.same(asWavefrontClient({ ...status }), { result: 'ERROR', message: status.message, code: 503 }, 'a Wavefront client reads it as before')
  const records = logRecords(proxy.logs)
  t.match(records.find((r) => r.route === 'api'), { status: 503, code: 'WAP_ERR_NO_TOKEN' })
  t.match(records.find((r) => r.event === 'token_fetch_failed'), { level: 50, code: 'WAP_ERR_CSP_REJECTED', outcome: 'rejected' })
})

t.test('answers the instance gave carry no code; local endpoints do when they refuse', async (t) => {
  const { proxy } = await startStack(t)
  t.equal((await call(`${proxy.url}/api/v2/source`)).status, 200)
  const missing = await call(`${proxy.url}/nope`)
  t.equal((missing.json() as { status: Status }).status.errorCode, 'WAP_ERR_NOT_FOUND')
  const records = logRecords(proxy.logs).filter((r) => r.route !== undefined)
  t.notOk('code' in (records.find((r) => r.route === 'api') ?? {}), 'a forwarded answer has no code')
  t.match(records.find((r) => r.path === '/nope'), { route: 'none', status: 404, code: 'WAP_ERR_NOT_FOUND' })
})

t.test('/readyz without a token: WAP_ERR_NOT_READY', async (t) => {
  const { proxy } = await startStack(t, { mode: 'api-token', cspOptions: { apiTokens: [] } })
  await proxy.logged((r) => r.event === 'token_fetch_failed')
  const res = await call(`${proxy.url}/readyz`)
  t.equal(res.status, 503)
  t.match((res.json() as { status: Status }).status, { message: /^not ready: CSP rejected the API token/, errorCode: 'WAP_ERR_NOT_READY' })
})

t.test('HTTP that never became a request: the code in the envelope and on an access line', async (t) => {
  const { proxy } = await startStack(t)
  const cases = [
    ['GET /api/v2/source HTTP/1.1\nHost: localhost\n\n', 400, 'WAP_ERR_MALFORMED_REQUEST', '-'],
    [`GET /api/v2/source HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'WAP_ERR_HEADERS_TOO_LARGE', '-'],
    ['CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n', 400, 'WAP_ERR_BAD_REQUEST_TARGET', 'CONNECT']
  ] as const
  for (const [text, status, code, method] of cases) {
    const answer = await rawRequest(proxy.port, text)
    t.match(answer, new RegExp(`^HTTP/1\\.1 ${status} `), `${code}: ${status}`)
    t.match(rawEnvelope(answer).status, { code: status, errorCode: code })
    const line = await proxy.logged((r) => r.code === code)
    t.match(line, { level: 30, route: 'none', method, status, bytes: Number })
  }
})

t.test('a failure logged as a warning carries the code the client got', async (t) => {
  const { csp } = await startFakes(t)
  const proxy = await startProxy(t, { WAVEFRONT_URL: `http://127.0.0.1:${await freePort()}`, CSP_BASE_URL: csp.url, PORT: '0', ...credentialsEnv('app') })
  const res = await call(`${proxy.url}/api/v2/source`)
  t.equal(res.status, 502)
  t.equal((res.json() as { status: Status }).status.errorCode, 'WAP_ERR_UPSTREAM_UNREACHABLE')
  const records = logRecords(proxy.logs)
  t.match(records.find((r) => r.event === 'upstream_failed'), { level: 40, code: 'WAP_ERR_UPSTREAM_UNREACHABLE', cause: 'ECONNREFUSED', failure: 'unreachable' })
  t.match(records.find((r) => r.route === 'api'), { status: 502, code: 'WAP_ERR_UPSTREAM_UNREACHABLE' })
})
