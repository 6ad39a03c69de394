// The README's "Using it with your tool", claim by claim: each tool's requests, shaped as its
// source shapes them (headers in its order and case, its key in X-AUTH-TOKEN or a dummy bearer,
// percent-encoded ids, gzip bodies, {} with DELETE), reach the instance through the proxy byte
// for byte, with the proxy's token and none of the tool's. Shapes are taken from:
//   wavefront_api_client  api_client.py (User-Agent, quote(id, safe='')), rest.py (DELETE with {}),
//                         configuration.py (X-AUTH-TOKEN, optional "Bearer " prefix)
//   go-wavefront-management-api / Terraform provider  client.go NewRequest (Bearer, Accept, JSON)
//   wavefront-sdk-go      internal/reporter.go (/report gzip octet-stream; /api/v2/event JSON)
//   wavefront-sdk-python  client.py _report (/report gzip; events to /api/v2/event or, without a
//                         token, /report?f=event)
//   wavefront-sdk (Ruby)  core/api_caller.rb (user-agent "wavefront-sdk …", Bearer, scheme option)
//   wavefront-proxy       its checkin/report/event API with X-WF-PROXY-ID
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import t, { type Test } from 'tap'
import type { FakeWavefront } from '../fixtures/fake-wavefront.js'
import { rawRequest } from '../helpers/raw.js'
import { startStack } from '../helpers/stack.js'

interface Shaped {
  readonly method: string
  readonly target: string
  /** the tool's own headers, in its order and case (Host, Content-Length and Connection are added) */
  readonly headers: ReadonlyArray<readonly [string, string]>
  readonly body?: Buffer
}

const EVENT_ID = '1700000000000:deploy api/v2'
const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value))
const lines = gzipSync('cpu.load 0.42 1700000000 source=web-1 env="prod"\nmem.used 1024 1700000000 source=web-1\n')
const CREDENTIAL_HEADERS = /^(?:x-auth-token|cookie|proxy-authorization)$/i

/** Sends one request exactly as shaped, on its own connection; the status the tool gets. */
async function send (port: number, req: Shaped): Promise<number> {
  const head = [`${req.method} ${req.target} HTTP/1.1`, `Host: localhost:${port}`, ...req.headers.map(([n, v]) => `${n}: ${v}`)]
  if (req.body !== undefined) head.push(`Content-Length: ${req.body.length}`)
  head.push('Connection: close', '', '')
  const answer = await rawRequest(port, Buffer.concat([Buffer.from(head.join('\r\n'), 'latin1'), req.body ?? Buffer.alloc(0)]))
  return Number(/^HTTP\/1\.1 (\d{3}) /.exec(answer)?.[1])
}

/** Every request answered 2xx and arrived as sent: same method, target, body, and the tool's other headers; the proxy's token only. */
async function sendsUnchanged (t: Test, instance: FakeWavefront, port: number, requests: readonly Shaped[]): Promise<void> {
  for (const req of requests) {
    const what = `${req.method} ${req.target}`
    const status = await send(port, req)
    t.ok(status >= 200 && status < 300, `${what}: ${status}`)
    const got = instance.received.at(-1)
    t.same([got?.method, got?.url], [req.method, req.target], `${what}: the target arrived byte for byte`)
    t.equal(got?.bodySha256, createHash('sha256').update(req.body ?? Buffer.alloc(0)).digest('hex'), `${what}: the body arrived byte for byte`)
    t.equal(got?.auth, 'valid', `${what}: with the proxy's token`)
    const raw = got?.rawHeaders ?? []
    t.same(raw.filter((h, i) => i % 2 === 0 && CREDENTIAL_HEADERS.test(h)), [], `${what}: none of the tool's credential headers`)
    for (const [name, value] of req.headers) {
      if (/^(?:authorization|x-auth-token)$/i.test(name)) continue
      t.equal(got?.headers[name.toLowerCase()], value, `${what}: ${name} kept`)
    }
  }
}

t.test('curl: the README\'s lines, run with the real curl', async (t) => {
  const { proxy, instance } = await startStack(t)
  const dir = mkdtempSync(join(tmpdir(), 'wap-curl-'))
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
  writeFileSync(join(dir, 'metrics.txt'), 'cpu.load 0.42 source=web-1\n')
  writeFileSync(join(dir, 'spans.txt'), 'getAllUsers source=web-1 traceId=7b3bf470-9456-11e8-9eb6-529269fb1459 spanId=0313bafe-9457-11e8-9eb6-529269fb1459 1533529977 343500\n')
  const base = `localhost:${proxy.port}`
  const commands = [
    `curl -sf '${base}/api/v2/source?limit=10'`,
    `curl -sf '${base}/api/v2/chart/api?q=ts(%22cpu.load%22)&s=1700000000000&g=m'`,
    `curl -sf -X POST ${base}/api/v2/event -H 'content-type: application/json' -d '{"name":"deploy","startTime":1700000000000,"annotations":{"severity":"info"}}'`,
    `curl -sf '${base}/api/v2/event/1700000000000:deploy%20api%2Fv2'`,
    `curl -sf --data-binary @metrics.txt '${base}/report?f=wavefront'`,
    `gzip -c spans.txt | curl -sf --data-binary @- -H 'content-encoding: gzip' '${base}/report?f=trace'`
  ]
  for (const command of commands) {
    const code = await new Promise<number | null>((resolve) => spawn('sh', ['-c', command], { cwd: dir, stdio: 'ignore' }).on('close', resolve))
    t.equal(code, 0, command)
    t.equal(instance.received.at(-1)?.auth, 'valid', command)
  }
  t.same(instance.received.map((r) => r.url), ['/api/v2/source?limit=10', '/api/v2/chart/api?q=ts(%22cpu.load%22)&s=1700000000000&g=m', '/api/v2/event', '/api/v2/event/1700000000000:deploy%20api%2Fv2', '/report?f=wavefront', '/report?f=trace'])
})

t.test('wavefront_api_client (Python REST client): host http://localhost:9191, any key in X-AUTH-TOKEN, ids quoted with safe=\'\'', async (t) => {
  const { proxy, instance } = await startStack(t)
  const id = encodeURIComponent(EVENT_ID).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`) // Python's quote(v, safe='')
  t.equal(id, '1700000000000%3Adeploy%20api%2Fv2')
  for (const key of ['Bearer unused', 'unused']) { // api_key_prefix['X-AUTH-TOKEN'] = 'Bearer', or none
    const headers = [['Accept', 'application/json'], ['Content-Type', 'application/json'], ['User-Agent', 'Swagger-Codegen/2.219.6/python'], ['X-AUTH-TOKEN', key], ['Accept-Encoding', 'identity']] as const
    await sendsUnchanged(t, instance, proxy.port, [
      { method: 'GET', target: '/api/v2/source?limit=10', headers },
      { method: 'POST', target: '/api/v2/event', headers, body: json({ name: EVENT_ID.slice(14), startTime: 1700000000000, annotations: { severity: 'info' } }) },
      { method: 'GET', target: `/api/v2/event/${id}`, headers },
      { method: 'PUT', target: `/api/v2/event/${id}`, headers, body: json({ name: 'deploy api/v2', startTime: 1700000000000, annotations: {} }) },
      { method: 'POST', target: `/api/v2/event/${id}/close`, headers, body: Buffer.from('{}') },
      { method: 'DELETE', target: `/api/v2/event/${id}`, headers, body: Buffer.from('{}') }
    ])
  }
})

t.test('Go management client and Terraform provider: address http://localhost:9191, a dummy token as Bearer', async (t) => {
  const { proxy, instance } = await startStack(t)
  const get = [['User-Agent', 'Go-http-client/1.1'], ['Authorization', 'Bearer unused'], ['Accept', 'application/json'], ['Accept-Encoding', 'gzip']] as const
  const withBody = [['User-Agent', 'Go-http-client/1.1'], ['Authorization', 'Bearer unused'], ['Accept', 'application/json'], ['Content-Type', 'application/json'], ['Accept-Encoding', 'gzip']] as const
  await sendsUnchanged(t, instance, proxy.port, [
    { method: 'GET', target: '/api/v2/alert?limit=100&offset=0', headers: get },
    { method: 'POST', target: '/api/v2/event', headers: withBody, body: json({ name: 'deploy api', startTime: 1700000000000, tags: null, annotations: { severity: 'info', details: '', type: '' } }) },
    { method: 'PUT', target: '/api/v2/event/1700000000000:deploy%20api', headers: withBody, body: json({ name: 'deploy api', startTime: 1700000000000 }) }, // Go's URL.String(): %20, ':' kept
    { method: 'POST', target: '/api/v2/event/1700000000000:deploy%20api/close', headers: get },
    { method: 'DELETE', target: '/api/v2/event/1700000000000:deploy%20api', headers: get }
  ])
})

t.test('Go ingestion SDK and Telegraf\'s Wavefront output: http://unused@localhost:9191 (direct) or http://localhost:9191 (proxy mode)', async (t) => {
  const { proxy, instance } = await startStack(t)
  const direct = [['User-Agent', 'Go-http-client/1.1'], ['Content-Type', 'application/octet-stream'], ['Content-Encoding', 'gzip'], ['Authorization', 'Bearer unused'], ['Accept-Encoding', 'gzip']] as const
  const proxyMode = direct.filter(([n]) => n !== 'Authorization')
  // ReportEvent sets Content-Encoding: gzip beside a plain JSON body in direct mode: forwarded as sent
  const event = [['User-Agent', 'Go-http-client/1.1'], ['Content-Type', 'application/json'], ['Content-Encoding', 'gzip'], ['Authorization', 'Bearer unused'], ['Accept-Encoding', 'gzip']] as const
  await sendsUnchanged(t, instance, proxy.port, [
    { method: 'POST', target: '/report?f=wavefront', headers: direct, body: lines },
    { method: 'POST', target: '/report?f=histogram', headers: direct, body: gzipSync('!M 1700000000 #20 30.0 #10 5.1 request.latency source=web-1\n') },
    { method: 'POST', target: '/report?f=trace', headers: direct, body: gzipSync('getAllUsers source=web-1 traceId=7b3bf470-9456-11e8-9eb6-529269fb1459 spanId=0313bafe-9457-11e8-9eb6-529269fb1459 1533529977 343500\n') },
    { method: 'POST', target: '/report?f=wavefront', headers: proxyMode, body: lines },
    { method: 'POST', target: '/api/v2/event', headers: event, body: json({ name: 'deploy', annotations: { severity: 'info' }, startTime: 1700000000000, endTime: 1700000000001 }) }
  ])
})

t.test('Python ingestion SDK: WavefrontClient(server=\'http://localhost:9191\', token=\'unused\'); without a token events go to /report?f=event', async (t) => {
  const { proxy, instance } = await startStack(t)
  const requests = [['User-Agent', 'python-requests/2.31.0'], ['Accept-Encoding', 'gzip, deflate'], ['Accept', '*/*']] as const
  const direct = [...requests, ['Content-Type', 'application/octet-stream'], ['Content-Encoding', 'gzip'], ['Authorization', 'Bearer unused']] as const
  const event = [...requests, ['Content-Type', 'application/json'], ['Content-Encoding', 'gzip'], ['Authorization', 'Bearer unused']] as const
  const proxyMode = [...requests, ['Content-Type', 'application/octet-stream'], ['Content-Encoding', 'gzip']] as const
  await sendsUnchanged(t, instance, proxy.port, [
    { method: 'POST', target: '/report?f=wavefront', headers: direct, body: lines },
    { method: 'POST', target: '/report?f=spanLogs', headers: direct, body: gzipSync('{"traceId":"7b3bf470","spanId":"0313bafe","logs":[]}\n') },
    { method: 'POST', target: '/api/v2/event', headers: event, body: Buffer.from('{"name": "deploy", "annotations": {"severity": "info"}, "startTime": 1700000000000, "endTime": 1700000000001}\n') },
    // proxy mode: the event in the Wavefront proxy's line format, to /report?f=event, which a Wavefront proxy reads and the instance's API is not meant to
    { method: 'POST', target: '/report?f=event', headers: proxyMode, body: gzipSync('@Event 1700000000000 1700000000001 "deploy" severity="info"\n') }
  ])
})

t.test('Ruby SDK: Wavefront::Alert.new({ endpoint: \'localhost:9191\', token: \'unused\' }, scheme: \'http\')', async (t) => {
  const { proxy, instance } = await startStack(t)
  const headers = [['User-Agent', 'wavefront-sdk 7.0.0'], ['Authorization', 'Bearer unused'], ['Accept-Encoding', 'gzip;q=1.0,deflate;q=0.6,identity;q=0.3'], ['Accept', '*/*']] as const
  await sendsUnchanged(t, instance, proxy.port, [
    { method: 'GET', target: '/api/v2/alert?offset=0&limit=100', headers },
    { method: 'GET', target: '/api/v2/source?limit=100', headers }
  ])
})

t.test('Wavefront proxy before CSP support: --server http://localhost:9191/api/ and any UUID as --token', async (t) => {
  const { proxy, instance } = await startStack(t)
  const proxyId = '6a0a3bd7-1f0a-4d5e-9d1b-0c1d2e3f4a5b'
  const common = [['X-WF-PROXY-ID', proxyId], ['Authorization', 'Bearer a411c16b-3cf7-4f03-bf11-8ca05aab898d'], ['User-Agent', 'Wavefront-Proxy/12.4'], ['Accept-Encoding', 'gzip,deflate']] as const
  const asJson = [...common, ['Content-Type', 'application/json']] as const
  await sendsUnchanged(t, instance, proxy.port, [
    { method: 'POST', target: '/api/v2/wfproxy/checkin?hostname=build-7&version=12.4&currentMillis=1700000000000', headers: asJson, body: json({ 'wavefront.proxy.points': 0 }) },
    { method: 'POST', target: '/api/v2/wfproxy/report?format=wavefront', headers: [...common, ['Content-Type', 'text/plain'], ['Content-Encoding', 'gzip']], body: lines },
    { method: 'POST', target: '/api/v2/wfproxy/report?format=spanLogs', headers: [...common, ['Content-Type', 'text/plain'], ['Content-Encoding', 'gzip']], body: gzipSync('{"traceId":"7b3bf470","logs":[]}\n') },
    { method: 'POST', target: '/api/v2/wfproxy/event', headers: asJson, body: json([{ name: 'deploy', startTime: 1700000000000, endTime: 1700000000001, annotations: { severity: 'info' }, hosts: ['web-1'] }]) },
    { method: 'POST', target: '/api/v2/wfproxy/config/processed', headers: asJson }
  ])
  t.ok(instance.received.every((r) => r.headers['x-wf-proxy-id'] === proxyId), 'every call carried X-WF-PROXY-ID')
})
