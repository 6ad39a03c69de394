// The token source over simulated hours of CSP behaviour: an injected clock and seeded jitter,
// no real-time waits. CSP is a function that answers after a delay of the fake clock.
import pino from 'pino'
import t, { type Test } from 'tap'
import type { FetchedToken } from '../../src/credentials/csp.js'
import { TokenError, TokenUnavailable } from '../../src/failures.js'
import { TokenSource } from '../../src/credentials/token-source.js'
import { FakeClock, settle } from '../helpers/fake-clock.js'
import { seededRandom } from '../helpers/seeded-random.js'

type Answer = 'ok' | 'error' | 'rate-limited' | 'hang' | 'rejected'

interface FakeCspCall { readonly at: number, readonly timeoutMs: number }

function setup (t: Test, opts: { lifetimeMs: number, answers?: (n: number) => Answer, latencyMs?: number, seed?: number }): { clock: FakeClock, source: TokenSource, calls: FakeCspCall[] } {
  const clock = new FakeClock()
  const calls: FakeCspCall[] = []
  let issued = 0
  const fetch = async (_signal: AbortSignal, timeoutMs: number): Promise<FetchedToken> => {
    calls.push({ at: clock.now(), timeoutMs })
    const answer = opts.answers?.(calls.length) ?? 'ok'
    if (answer === 'hang') {
      await clock.sleep(timeoutMs)
      throw new TokenError('timeout', `CSP did not answer the token request within ${timeoutMs} ms`)
    }
    await clock.sleep(opts.latencyMs ?? 20)
    if (answer === 'error') throw new TokenError('error', 'CSP answered HTTP 500 to the token request', { status: 500 })
    if (answer === 'rate-limited') throw new TokenError('error', 'CSP is rate limiting token requests (HTTP 429)', { status: 429, retryAfterMs: 1_000 })
    if (answer === 'rejected') throw new TokenError('rejected', 'CSP rejected the app credentials (HTTP 401)', { status: 401 })
    return { accessToken: `token-${++issued}`, lifetimeMs: opts.lifetimeMs }
  }
  const source = new TokenSource({ fetch, timeoutMs: 10_000, identity: () => 'app', log: pino({ level: 'silent' }), clock, random: seededRandom(opts.seed ?? 1) })
  t.teardown(() => { source.close() })
  return { clock, source, calls }
}

/** Walks the clock in `stepMs` steps, noting every moment no usable token was held. */
async function walk (clock: FakeClock, source: TokenSource, totalMs: number, stepMs = 10): Promise<{ withoutToken: number, expiredSeen: number }> {
  let withoutToken = 0
  let expiredSeen = 0
  for (let elapsed = 0; elapsed < totalMs; elapsed += stepMs) {
    await clock.advance(stepMs)
    const token = source.peek()
    if (token === undefined) {
      withoutToken += stepMs
      source.get().catch(() => {}) // a request arrives and is refused
    } else if (clock.now() >= token.obtainedAt + token.lifetimeMs) expiredSeen++
  }
  return { withoutToken, expiredSeen }
}

t.test('across 2-second tokens, a usable token is always held and none is used past its expiry', async (t) => {
  const { clock, source, calls } = setup(t, { lifetimeMs: 2_000 })
  source.start()
  await clock.advance(20)
  const { withoutToken, expiredSeen } = await walk(clock, source, 60_000)
  t.equal(withoutToken, 0, 'never without a token after the first')
  t.equal(expiredSeen, 0, 'never an expired token')
  // refreshed at 30% of the lifetime
  t.ok(calls.length >= 95 && calls.length <= 105, `${calls.length} token requests in 60 s`)
  const gaps = new Set(calls.slice(1).map((c, i) => c.at - (calls[i] as FakeCspCall).at))
  t.same([...gaps], [600], 'each refresh 600 ms after the previous request: 30% of the lifetime')
})

t.test('3-second tokens with 30% of token requests failing (500, 429 + Retry-After, hang): a gap only where CSP asks to wait', async (t) => {
  const random = seededRandom(42)
  const kinds: Answer[] = ['error', 'rate-limited', 'hang']
  const { clock, source, calls } = setup(t, { lifetimeMs: 3_000, answers: (n) => n === 1 || random() >= 0.3 ? 'ok' : kinds[Math.floor(random() * 3)] as Answer })
  source.start()
  await clock.advance(20)
  const { withoutToken, expiredSeen } = await walk(clock, source, 600_000, 20)
  t.equal(expiredSeen, 0, 'never an expired token')
  // two 429s in a row ask for 2 s, more than the 1.8 s left at a refresh: only then does the token run out
  t.ok(withoutToken <= 18_000, `${withoutToken} ms of 600 000 (under 3%) without a token`)
  t.ok(calls.length < 800, `${calls.length} token requests in 10 minutes (a refresh every 0.9 s, plus retries): no hot loop`)
})

t.test('the issue\'s case: four failures in a row while a 3-second token is held cost no outage', async (t) => {
  const { clock, source, calls } = setup(t, { lifetimeMs: 3_000, answers: (n) => n >= 2 && n <= 5 ? 'error' : 'ok' })
  source.start()
  await clock.advance(20)
  const { withoutToken } = await walk(clock, source, 10_000)
  t.equal(withoutToken, 0, 'the fifth attempt came before the held token ran out')
  t.ok((calls[5]?.at ?? Infinity) - (calls[1]?.at ?? 0) < 1_800, 'five attempts within the token\'s last 1.8 s')
})

t.test('a hung token request while a token runs out is cut at a third of the remaining life', async (t) => {
  const { clock, source, calls } = setup(t, { lifetimeMs: 3_000, answers: (n) => n === 2 ? 'hang' : 'ok' })
  source.start()
  await clock.advance(20)
  const { withoutToken } = await walk(clock, source, 5_000)
  t.equal(calls[0]?.timeoutMs, 10_000, 'no token held: the configured CSP_TIMEOUT_MS')
  t.equal(calls[1]?.timeoutMs, 600, 'the refresh, with 1.8 s left, may take 600 ms')
  t.equal(withoutToken, 0, 'the retry after the hang still came in time')
})

t.test('no token and requests waiting: the next attempt comes within a quarter second, not the idle pace', async (t) => {
  const { clock, source, calls } = setup(t, { lifetimeMs: 3_000, answers: (n) => n <= 2 ? 'error' : 'ok', seed: 7 })
  source.start()
  await clock.advance(20) // first attempt fails with nobody waiting: idle pace, 0.5-1 s
  t.equal(calls.length, 1)
  await t.rejects(source.get(), TokenUnavailable, 'the waiting request is refused at once')
  await clock.advance(250)
  t.equal(calls.length, 2, 'retried within 250 ms of the refusal')
  await t.rejects(source.get(), TokenUnavailable)
  await clock.advance(500) // second failure, with requests waiting: 250-500 ms
  t.equal(calls.length, 3)
  await clock.advance(20)
  t.ok(source.peek() !== undefined, 'recovered')
})

t.test('a token that runs out during a run of failures: the retries without it start over at a quarter second', async (t) => {
  // 11 failures in a row: those while the token is held come ever closer, to fit its life; it
  // runs out, and the backoff for refused requests starts again at 125-250 ms instead of going
  // on from the 9th step (2.5-5 s, 5.8 s without a token in all with this seed)
  const { clock, source } = setup(t, { lifetimeMs: 3_000, answers: (n) => n >= 2 && n <= 12 ? 'error' : 'ok', seed: 3 })
  source.start()
  await clock.advance(20)
  const { withoutToken } = await walk(clock, source, 15_000)
  t.ok(withoutToken > 0 && withoutToken <= 1_000, `${withoutToken} ms without a token`)
  t.ok(source.peek() !== undefined, 'recovered')
})

t.test('rejected credentials keep the slow pace even with requests waiting', async (t) => {
  const { clock, source, calls } = setup(t, { lifetimeMs: 3_000, answers: () => 'rejected' })
  source.start()
  await clock.advance(20)
  let refused = 0
  for (let i = 0; i < 200; i++) {
    await source.get().catch((err: unknown) => { if (err instanceof TokenUnavailable) refused++ })
    await clock.advance(100)
  }
  t.equal(refused, 200, 'every request refused at once')
  t.equal(calls.length, 2, `${calls.length} token requests in 20 s of refused requests: the first, and one after 7.5-15 s`)
})

t.test('Retry-After is honoured while a token is held, even when the token runs out first', async (t) => {
  const { clock, source, calls } = setup(t, { lifetimeMs: 3_000, answers: (n) => n === 2 ? 'rate-limited' : 'ok' })
  source.start()
  await clock.advance(20)
  await walk(clock, source, 3_000)
  t.ok((calls[2]?.at ?? 0) - (calls[1]?.at ?? 0) >= 1_020, 'no attempt within the 1 s CSP asked for')
})

t.test('readiness reports the remaining usable time on the injected clock', async (t) => {
  const { clock, source } = setup(t, { lifetimeMs: 10_000 })
  source.start()
  await clock.advance(20)
  await settle()
  t.same(source.readiness(), { ready: true, expiresInMs: 9_000 - 20 })
})
