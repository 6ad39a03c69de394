// A few hundred malformed requests from a seeded PRNG, each on its own raw socket to the real
// binary: junk methods, odd targets, dot-segment spellings, control characters, oversized or
// duplicated headers, foreign Hosts and Origins, broken chunked encodings, truncated bodies and
// requests smuggled after a body. Afterwards the process still serves, and the instance has
// seen nothing outside /api/v2/ and /report, nothing that could normalise elsewhere, and no
// credential but the proxy's own. Reproduce a run with FUZZ_SEED=<seed printed below>.
import { createServer, request } from 'node:http'
import { connect, type AddressInfo } from 'node:net'
import t, { type Test } from 'tap'
import { startBinary } from '../helpers/binary.js'
import { call } from '../helpers/http.js'
import { seededRandom } from '../helpers/seeded-random.js'
import { credentialsEnv, startFakes } from '../helpers/stack.js'

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31))
const COUNT = Number(process.env.FUZZ_COUNT ?? 400)
const CONCURRENCY = 16
/** A request built to be incomplete is never answered by design: it is let go after this long idle. */
const IDLE_MS = 250
const BODY_LIMIT = 4096

type Rand = () => number

const METHODS = ['GET', 'GET', 'GET', 'POST', 'POST', 'POST', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT', 'PROPFIND', 'FOO', 'get', 'G\tET', '', '\u0000GET', 'M-SEARCH', 'PRI']
const PREFIXES = ['/api/v2/', '/api/v2/', '/api/v2/', '/report', '/report?f=wavefront', '/', '/api/v1/', '/API/v2/', '/healthz', '/metrics', '/%61pi/v2/', '/api%2fv2/',
  'http://elsewhere.example/api/v2/', 'https://127.0.0.1/report', '*', '//elsewhere.example/', 'elsewhere.example:443', '', '\\api\\v2\\', '/api/v2']
const SEGMENTS = ['source', 'alert', 'event', 'echo', '..', '.', '%2e%2e', '%2E%2e', '.%2e', '%2e.', '%2e', '..;', '..%3b', '%2e%2e;x=1', '%2f', '%2F..', '%5c', '%5C..', '\\..',
  '%00', '%252e%252e', '%252f', 'a%2fb', '#', '#/../x', '?q=../..', '?x=%00', '%zz', '%c0%ae%c0%ae', '%', 'é', '\u0000', '\u0001', '\u007f', ' ', '\t', '~user', ';jsessionid=1',
  '...', 'a..b', '.well-known', '', '%u002e', '%ef%bc%8e%ef%bc%8e']
const VERSIONS = ['HTTP/1.1', 'HTTP/1.1', 'HTTP/1.1', 'HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1 x', 'HTTP/9.9', 'http/1.1', '']
const SMUGGLED = ['GET /api/v2/%2e%2e/admin HTTP/1.1\r\nHost: localhost\r\n\r\n', 'GET /admin HTTP/1.1\r\nHost: localhost\r\n\r\n',
  'GET /api/v2/source HTTP/1.1\r\nHost: evil.example\r\n\r\n', 'GET http://elsewhere.example/ HTTP/1.1\r\nHost: localhost\r\n\r\n', 'X']

interface Case {
  readonly bytes: Buffer
  readonly head: boolean
  /** built to stop short of a complete message: sent, then the socket is closed */
  readonly truncated: boolean
}

function makeCase (r: Rand, port: number): Case {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(r() * list.length)] as T
  // Each part is usually plausible and sometimes hostile, so that many requests get far enough to be forwarded.
  const either = <T>(plain: readonly T[], hostile: readonly T[]): T => pick(r() < 0.7 ? plain : hostile)
  const eol = r() < 0.05 ? '\n' : '\r\n'
  const method = either(['GET', 'POST', 'HEAD', 'PUT', 'DELETE'], METHODS)
  const segments = Array.from({ length: Math.floor(r() * 4) }, () => either(['source', 'alert', 'echo', 'event', 'a..b', '...', '%20'], SEGMENTS))
  const target = either(['/api/v2/', '/report?f=wavefront'], PREFIXES) + segments.join('/')
  const headers: string[] = []
  const host = either(['localhost', `127.0.0.1:${port}`, '[::1]'], ['LOCALHOST:1', 'evil.example', 'localhost.evil.example', '', '[::1]evil', 'localhost\u0000', 'none', 'twice'])
  if (host === 'twice') headers.push('Host: localhost', 'Host: evil.example')
  else if (host !== 'none') headers.push(`Host: ${host}`)
  const extras = ['Origin: https://evil.example', 'Origin: null', 'Sec-Fetch-Site: cross-site', 'Sec-Fetch-Site: none', 'Authorization: Bearer attacker-token',
    'Proxy-Authorization: Basic eDp5', 'Connection: keep-alive, X-Drop', 'Connection: close', 'Upgrade: websocket\r\nConnection: Upgrade', 'Expect: 100-continue',
    `X-Big: ${'a'.repeat(8000 + Math.floor(r() * 12000))}`, 'X-Dup: 1\r\nX-Dup: 2', Array.from({ length: 200 }, (_, i) => `X-N${i}: v`).join('\r\n'),
    'X-Ctl: a\u0001b', 'Bad Name: x', ' X-Folded: x', 'X-Forwarded-Host: evil.example', 'Access-Control-Request-Method: POST', 'X-Request-Id: ../../etc/passwd',
    'Content-Type: application/json', 'Content-Encoding: gzip', 'X-Utf8: é']
  for (let n = Math.floor(r() * 4); n > 0; n--) headers.push(pick(extras))
  const body = makeBody(r, pick)
  headers.push(...body.headers)
  let text = `${method} ${target} ${either(['HTTP/1.1'], VERSIONS)}`.trimEnd() + eol + headers.map((h) => h + eol).join('') + eol + body.text
  let truncated = body.truncated
  if (r() < 0.05) {
    text = text.slice(0, Math.floor(r() * text.length)) // cut anywhere, even mid-header
    truncated = true
  }
  return { bytes: Buffer.from(text, 'latin1'), head: method === 'HEAD', truncated }
}

function makeBody (r: Rand, pick: <T>(list: readonly T[]) => T): { headers: string[], text: string, truncated: boolean } {
  const data = (n: number): string => 'cpu.load 0.5 source=web-1\n'.repeat(Math.ceil(n / 26)).slice(0, n)
  const size = pick([0, 1, 26, 1000, BODY_LIMIT, BODY_LIMIT + 1, 6000])
  switch (pick(['none', 'none', 'exact', 'exact', 'short', 'extra', 'bad-length', 'chunked', 'chunked', 'bad-hex', 'no-end', 'overlong-chunk', 'odd-te', 'both', 'chunked-smuggle'])) {
    case 'exact': return { headers: [`Content-Length: ${size}`], text: data(size), truncated: false }
    case 'short': return { headers: [`Content-Length: ${size + 10}`], text: data(size), truncated: true }
    case 'extra': return { headers: [`Content-Length: ${size}`], text: data(size) + pick(SMUGGLED), truncated: false }
    case 'bad-length': return { headers: [pick(['Content-Length: abc', 'Content-Length: -1', 'Content-Length: 1e3', 'Content-Length: 5 5', 'Content-Length: 5\r\nContent-Length: 6', 'Content-Length: 99999999999999999999'])], text: data(5), truncated: false }
    case 'chunked': {
      const chunks = Array.from({ length: 1 + Math.floor(r() * 3) }, () => data(size))
      const ext = r() < 0.3 ? ';ext=1' : ''
      const trailer = r() < 0.3 ? 'X-Trailer: 1\r\n' : ''
      return { headers: ['Transfer-Encoding: chunked'], text: chunks.map((c) => `${c.length.toString(16)}${ext}\r\n${c}\r\n`).join('') + `0\r\n${trailer}\r\n`, truncated: false }
    }
    case 'bad-hex': return { headers: ['Transfer-Encoding: chunked'], text: `zz\r\n${data(5)}\r\n0\r\n\r\n`, truncated: false }
    case 'no-end': return { headers: ['Transfer-Encoding: chunked'], text: `${size.toString(16)}\r\n${data(size)}\r\n`, truncated: true }
    case 'overlong-chunk': return { headers: ['Transfer-Encoding: chunked'], text: `2\r\n${data(size + 3)}\r\n0\r\n\r\n`, truncated: false }
    case 'odd-te': return { headers: [pick(['Transfer-Encoding: gzip, chunked', 'Transfer-Encoding: chunked, gzip', 'Transfer-Encoding: identity', 'Transfer-Encoding: Chunked', 'Transfer-Encoding:  chunked', 'Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked'])], text: `5\r\n${data(5)}\r\n0\r\n\r\n`, truncated: false }
    case 'both': return { headers: ['Content-Length: 5', 'Transfer-Encoding: chunked'], text: `5\r\n${data(5)}\r\n0\r\n\r\n`, truncated: false }
    case 'chunked-smuggle': return { headers: ['Transfer-Encoding: chunked'], text: `5\r\n${data(5)}\r\n0\r\n\r\n${pick(SMUGGLED)}`, truncated: false }
    default: return { headers: [], text: '', truncated: false }
  }
}

type Outcome = 'answered' | 'closed' | 'idle' | 'sent'

/** Sends one case on its own connection; resolves with every status line the proxy wrote. */
async function exchange (port: number, c: Case): Promise<{ outcome: Outcome, answer: string }> {
  return await new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let got = Buffer.alloc(0)
    let timer: NodeJS.Timeout | undefined
    let settled = false
    const finish = (outcome: Outcome): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      resolve({ outcome, answer: got.toString('latin1') })
    }
    const idle = (): void => {
      clearTimeout(timer)
      timer = setTimeout(() => { finish('idle') }, IDLE_MS)
    }
    socket.on('data', (chunk: Buffer) => {
      got = Buffer.concat([got, chunk])
      if (finalAnswerComplete(got, c.head)) finish('answered')
      else idle()
    })
    socket.on('error', () => {}) // a reset is an answer too; 'close' follows
    socket.on('close', () => { finish('closed') })
    socket.write(c.bytes, () => { c.truncated ? finish('sent') : idle() })
  })
}

/** Is a complete final (non-1xx) response in `buf`? Interim 100 Continue answers are skipped. */
function finalAnswerComplete (buf: Buffer, head: boolean): boolean {
  let offset = 0
  for (;;) {
    const end = buf.indexOf('\r\n\r\n', offset)
    if (end < 0) return false
    const headText = buf.subarray(offset, end).toString('latin1')
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(headText)?.[1] ?? 0)
    if (status >= 100 && status < 200) {
      offset = end + 4
      continue
    }
    if (head || status === 204 || status === 304) return true
    const length = /\r\ncontent-length: *(\d+)/i.exec(headText)
    if (length !== null) return buf.length >= end + 4 + Number(length[1])
    return /\r\ntransfer-encoding: *chunked/i.test(headText) && buf.subarray(end + 4).includes('0\r\n\r\n')
  }
}

/** A pass-through in front of the fake instance that notes each target as its headers arrive:
 * the fake records a request once its body has ended, and an aborted upload never does. */
async function arrivalsBefore (t: Test, instanceUrl: string): Promise<{ url: string, targets: string[] }> {
  const targets: string[] = []
  const server = createServer((req, res) => {
    targets.push(req.url ?? '')
    const onward = request(instanceUrl + (req.url ?? ''), { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    onward.on('error', () => res.destroy())
    req.pipe(onward)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(async () => {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, targets }
}

/** What the instance must never see in a forwarded path: a dot-segment in any spelling (also between
 * encoded slashes), an encoded slash at a segment's start or in a prefix, an encoded or plain backslash.
 * An encoded slash inside a segment is forwarded: free-text event ids hold one. */
const ESCAPING_PATH = /(?:^|\/|%2f)(?:\.|%2e){1,2}(?:[/;?]|%3b|%2f|$)|(?:^|\/)%2f|^\/api(?:%2f|\/v2%2f)|%5c|\\/i

t.test(`${COUNT} malformed requests (seed ${SEED}): the process stays up and the instance sees only clean /api/v2/ and /report targets`, async (t) => {
  t.comment(`FUZZ_SEED=${SEED}`)
  const { csp, instance } = await startFakes(t)
  const arrivals = await arrivalsBefore(t, instance.url)
  const proxy = await startBinary(t, { WAVEFRONT_URL: arrivals.url, CSP_BASE_URL: csp.url, PORT: '0', BODY_LIMIT: String(BODY_LIMIT), ...credentialsEnv('app') })
  const port = Number(new URL(proxy.url).port)
  const r = seededRandom(SEED)
  const cases = Array.from({ length: COUNT }, () => makeCase(r, port))

  const statuses = new Map<string, number>()
  const outcomes = new Map<Outcome, number>()
  const permissive: string[] = []
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < cases.length) {
      const c = cases[next++] as Case
      const { outcome, answer } = await exchange(port, c)
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1)
      for (const m of answer.matchAll(/^HTTP\/1\.1 (\d{3}) /gm)) statuses.set(m[1] as string, (statuses.get(m[1] as string) ?? 0) + 1)
      if (/^access-control-allow-(origin: *\*|credentials)/im.test(answer)) permissive.push(c.bytes.toString('latin1').slice(0, 200))
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
  t.comment(`outcomes ${JSON.stringify(Object.fromEntries(outcomes))}; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}; forwarded ${arrivals.targets.length}, complete ${instance.received.length}`)

  t.equal(proxy.child.exitCode, null, `the process is still running: ${proxy.stderr.join('\n')}`)
  t.equal((await call(`${proxy.url}/healthz`)).status, 200, 'and still serving')
  t.equal((await call(`${proxy.url}/api/v2/source`)).status, 200, 'and still forwarding')
  t.notOk(statuses.has('500'), 'no request made the proxy fail unexpectedly')
  t.same(permissive, [], 'no answer carried a permissive CORS header')

  const received = instance.received.slice(0, -1) // all but the control request above
  const targets = arrivals.targets.slice(0, -1) // every target forwarded, its body complete or not
  t.ok(targets.length >= received.length, 'every complete request was seen arriving')
  const outside = targets.filter((url) => !/^(?:\/api\/v2\/|\/report(?:\?|$))/.test(url))
  t.same(outside, [], 'nothing outside /api/v2/ and /report reached the instance')
  const escaping = targets.filter((url) => ESCAPING_PATH.test(url.split('?', 1)[0] as string) || /%00|\u0000|#/i.test(url))
  t.same(escaping, [], 'no forwarded target holds a dot-segment, %2F at a segment start, %5C, a backslash, NUL or a fragment')
  t.same(received.filter((req) => req.auth !== 'valid').map((req) => req.headers.authorization), [], 'every forwarded request carried the proxy\'s own valid token, never the client\'s')
  // Not vacuous: the mix both reached the instance and was refused locally.
  t.ok(received.length >= COUNT / 50, `some requests were forwarded (${received.length})`)
  t.ok([...statuses.keys()].filter((s) => s.startsWith('4')).length >= 3, 'several kinds of local refusal were met')
})
