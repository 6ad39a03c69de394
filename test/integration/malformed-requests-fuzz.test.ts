// A few hundred malformed requests from a seeded PRNG, each on its own raw socket to the real
// binary: junk methods, odd targets, dot-segment spellings, control characters, oversized or
// duplicated headers, foreign Hosts and Origins, broken chunked encodings, truncated bodies and
// requests smuggled after a body. Afterwards the process still serves, and the instance has
// seen nothing outside /api/v2/ and /report, nothing that could normalise elsewhere, and no
// credential but the proxy's own. Reproduce a run with FUZZ_SEED=<seed printed below>.
import t from 'tap'
import { arrivalsBefore } from '../fixtures/arrival-recorder.js'
import { startBinary } from '../helpers/binary.js'
import { call } from '../helpers/http.js'
import { BODY_LIMIT, makeCase, type Case } from '../helpers/malformed-requests.js'
import { exchange, type Outcome } from '../helpers/raw.js'
import { seededRandom } from '../helpers/seeded-random.js'
import { credentialsEnv, startFakes } from '../helpers/stack.js'

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31))
const COUNT = Number(process.env.FUZZ_COUNT ?? 400)
const CONCURRENCY = 16
/** A request built to be incomplete is never answered by design: it is let go after this long idle. */
const IDLE_MS = 250

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
      const { outcome, answer } = await exchange(port, c, IDLE_MS)
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
