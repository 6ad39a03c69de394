// The proxy stays correct when CSP misbehaves: it keeps a valid token, backs off, answers 503
// with the reason when it has nothing valid, and recovers by itself.
import t from 'tap'
import { call, envelopeMessage } from '../helpers/http.js'
import { credentialsEnv, logRecords, startFakes, startProxy, startStack } from '../helpers/stack.js'

t.test('CSP down: the current token is used until it expires, then 503 with the reason; recovery needs no restart', async (t) => {
  const { proxy, csp, instance } = await startStack(t, { lifetimeSeconds: 4 })
  await proxy.logged((r) => r.event === 'token_refreshed')
  csp.persistentFault = { kind: 'status', status: 503 }
  const outageStart = csp.requests.length

  // Keep asking until the held token is no longer usable; every answer meanwhile is a real one.
  let res = await call(`${proxy.url}/api/v2/source`)
  while (res.status === 200) res = await call(`${proxy.url}/api/v2/source`)
  t.ok(instance.received.length > 1, `the held token served ${instance.received.length} requests while CSP was down`)
  t.equal(res.status, 503)
  t.ok(Number(res.headers['retry-after']) >= 1)
  t.match(envelopeMessage(res).message, /CSP answered HTTP 503 to the token request/)
  t.equal(instance.expiredTokenRequests, 0, 'never an expired token')
  // several attempts fit in the held token's remaining 2.4 s, never closer than 150 ms
  const during = csp.requests.slice(outageStart)
  t.ok(during.length >= 3 && during.length <= 12, `retried within the token's life, not a hot loop: ${during.length} CSP calls during the outage`)
  const gaps = during.slice(1).map((r, i) => r.at - (during[i]?.at ?? 0))
  t.ok(Math.min(...gaps) >= 140, `attempts at least 150 ms apart (closest ${Math.min(...gaps)} ms)`)

  csp.persistentFault = undefined
  await proxy.logged((r) => r.event === 'token_refreshed' && r.afterFailures !== undefined)
  t.equal((await call(`${proxy.url}/api/v2/source`)).status, 200, 'recovered by itself')
})

t.test('429 from CSP: Retry-After is honoured before the next attempt', async (t) => {
  const { csp, instance } = await startFakes(t)
  csp.faults.push({ kind: 'status', status: 429, retryAfter: '2' })
  const proxy = await startProxy(t, { WAVEFRONT_URL: instance.url, CSP_BASE_URL: csp.url, PORT: '0', ...credentialsEnv('app') })
  const limited = await call(`${proxy.url}/api/v2/source`)
  t.equal(limited.status, 503)
  t.match(envelopeMessage(limited).message, /CSP is rate limiting token requests \(HTTP 429\)/)
  t.ok(Number(limited.headers['retry-after']) >= 2, 'the client is told when to come back')
  await proxy.logged((r) => r.event === 'token_refreshed')
  const [first, second] = csp.requests
  t.ok((second?.at ?? 0) - (first?.at ?? 0) >= 1900, `waited ${(second?.at ?? 0) - (first?.at ?? 0)} ms as asked`)
  t.equal((await call(`${proxy.url}/api/v2/source`)).status, 200)
})

t.test('a CSP that does not answer within CSP_TIMEOUT_MS is given up on and retried', async (t) => {
  const { csp, instance } = await startFakes(t)
  csp.faults.push({ kind: 'hang' })
  const proxy = await startProxy(t, { WAVEFRONT_URL: instance.url, CSP_BASE_URL: csp.url, PORT: '0', CSP_TIMEOUT_MS: '250', ...credentialsEnv('app') })
  const failed = await proxy.logged((r) => r.event === 'token_fetch_failed')
  t.equal(failed.outcome, 'timeout')
  t.match(failed.msg, /CSP did not answer the token request within 250 ms/)
  await proxy.logged((r) => r.event === 'token_refreshed')
  t.equal((await call(`${proxy.url}/api/v2/source`)).status, 200)
})

t.test('a 200 without a usable token (empty, not JSON, no access_token) is a transient failure', async (t) => {
  const { csp, instance } = await startFakes(t)
  csp.faults.push({ kind: 'empty' }, { kind: 'not-json' }, { kind: 'no-token' })
  // debug: a repeat of the same failure is logged at debug only, to keep info logs readable
  const proxy = await startProxy(t, { WAVEFRONT_URL: instance.url, CSP_BASE_URL: csp.url, PORT: '0', LOG_LEVEL: 'debug', ...credentialsEnv('api-token') })
  await proxy.logged((r) => r.event === 'token_refreshed')
  const failures = logRecords(proxy.logs).filter((r) => r.event === 'token_fetch_failed')
  t.same(failures.map((f) => f.outcome), ['error', 'error', 'error'])
  t.match(failures.map((f) => f.msg), [/without a JSON token response/, /without a JSON token response/, /without a usable access_token/])
  t.equal((await call(`${proxy.url}/api/v2/source`)).status, 200)
})

t.test('rejected credentials: one clear error line, and only a few CSP calls however many requests arrive', async (t) => {
  const { proxy, csp, instance } = await startStack(t, { cspOptions: { apps: {} } })
  await proxy.logged((r) => r.event === 'token_fetch_failed')
  const until = Date.now() + 3000
  let answered = 0
  while (Date.now() < until) { // 20 requests a second
    const res = await call(`${proxy.url}/api/v2/source`)
    t.equal(res.status, 503)
    answered++
    await new Promise((resolve) => setTimeout(resolve, 50)) // pacing the load, not synchronising
  }
  t.ok(answered >= 40, `${answered} requests answered 503`)
  t.equal(csp.requests.length, 1, 'no token request per incoming request: the next waits for backoff (15 s or more)')
  const errors = logRecords(proxy.logs).filter((r) => r.level === 50)
  t.equal(errors.length, 1, 'exactly one error line')
  t.match(errors[0]?.msg, /CSP rejected the app credentials \(HTTP 401, invalid_client\): check CSP_APP_ID and CSP_APP_SECRET/)
  t.equal(instance.received.length, 0)
})

t.test('the instance answers 401 (token revoked): one refresh for many requests, each replayed transparently', async (t) => {
  const { proxy, csp, instance } = await startStack(t)
  await proxy.logged((r) => r.event === 'token_refreshed')
  csp.revokeAll() // the app secret was regenerated: its tokens are invalid at once
  const answers = await Promise.all([
    ...Array.from({ length: 30 }, async () => await call(`${proxy.url}/api/v2/alert`)),
    call(`${proxy.url}/api/v2/event`, { method: 'POST', body: JSON.stringify({ name: 'deploy' }), headers: { 'content-type': 'application/json' } }),
    call(`${proxy.url}/report?f=wavefront`, { method: 'POST', body: 'cpu 1 source=a\n' })
  ])
  t.same(answers.map((a) => a.status), [...Array(31).fill(200), 202], 'every request succeeded after one replay')
  t.equal(csp.requests.length, 2, 'start-up plus exactly one refresh')
  const replayed = instance.received.filter((r) => r.auth === 'valid' && r.method === 'POST' && r.url === '/api/v2/event')
  t.equal(replayed.length, 1, 'the small POST body was replayed intact')
  t.equal(replayed[0]?.bodyBytes, Buffer.byteLength(JSON.stringify({ name: 'deploy' })))
  const refused = instance.received.filter((r) => r.auth === 'unknown').length
  t.ok(refused >= 1, `${refused} request(s) met the revoked token`)
  const metrics = (await call(`${proxy.url}/metrics`)).text
  t.match(metrics, new RegExp(`wavefront_auth_proxy_upstream_401_retries_total ${refused}\n`), 'each of them was replayed once')
})

t.test('a large streamed body that meets a 401 gets the 401; the refresh happens and the next request succeeds', async (t) => {
  const { proxy, csp, instance } = await startStack(t)
  await proxy.logged((r) => r.event === 'token_refreshed')
  csp.revokeAll()
  const big = Buffer.alloc(2 * 1024 * 1024, 'a') // over the 1 MiB replay buffer: streamed, cannot be replayed
  const first = await call(`${proxy.url}/report?f=wavefront`, { method: 'POST', body: big })
  t.equal(first.status, 401, 'the instance\'s answer is passed through')
  t.match(envelopeMessage(first).message, /Authentication required/)
  await proxy.logged((r) => r.event === 'token_refreshed' && csp.requests.length === 2)
  const second = await call(`${proxy.url}/report?f=wavefront`, { method: 'POST', body: big })
  t.equal(second.status, 202)
  t.equal(instance.received.at(-1)?.bodyBytes, big.length)
})

t.test('a static token refused with 401 is passed through: there is nothing to refresh', async (t) => {
  const { proxy, instance } = await startStack(t, { mode: 'static' })
  instance.staticTokens.clear()
  const res = await call(`${proxy.url}/api/v2/source`)
  t.equal(res.status, 401)
  t.equal(instance.received.length, 1, 'sent once, not replayed')
})
