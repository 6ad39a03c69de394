// When tokens are refreshed and how retries are spaced: pure functions, no clock at all.
import t from 'tap'
import {
  attemptTimeout, backoffDelay, MIN_ATTEMPT_TIMEOUT_MS, MIN_RETRY_MS, nextFailure, REJECTED, retryDelay, tokenTimes, TRANSIENT, WAITING, type Failure
} from '../../src/credentials/refresh-timing.js'
import { TokenError } from '../../src/failures.js'

const always = (value: number) => () => value

t.test('a 30-minute token is refreshed 3 minutes before its usable end, and never sent in its last 30 s', async (t) => {
  const times = tokenTimes(0, 1_800_000)
  t.equal(times.usableUntil, 1_770_000)
  t.equal(times.refreshAt, 1_590_000)
})

t.test('a short token is refreshed a third of the way through its usable life and never sent in its last tenth', async (t) => {
  for (const lifetimeMs of [100, 2_000, 3_000, 60_000]) {
    const { usableUntil, refreshAt } = tokenTimes(1_000, lifetimeMs)
    t.equal(usableUntil, 1_000 + lifetimeMs * 0.9, `${lifetimeMs} ms: usable for 90%`)
    t.equal(Math.round(refreshAt), 1_000 + lifetimeMs * 0.3, `${lifetimeMs} ms: refresh at 30%`)
  }
})

/** Attempts, each failing at once, made between the refresh and the end of the usable life. */
function attemptsBeforeExpiry (lifetimeMs: number, random: () => number): number {
  const { usableUntil, refreshAt } = tokenTimes(0, lifetimeMs)
  let now = refreshAt
  let attempts = 0
  while (now < usableUntil) {
    attempts++
    now += retryDelay({ kind: 'error', streak: attempts, retryAfterMs: undefined, remainingMs: usableUntil - now, lifetimeMs, waiting: false }, random)
  }
  return attempts
}

t.test('while a token is held, at least four attempts fit in its remaining life, whatever its lifetime', async (t) => {
  for (const lifetimeMs of [3_000, 10_000, 60_000, 300_000, 1_800_000, 3_600_000]) {
    const worst = attemptsBeforeExpiry(lifetimeMs, always(0.999))
    t.ok(worst >= 4, `${lifetimeMs / 1000} s token: ${worst} attempts with the longest jitter`)
    const most = attemptsBeforeExpiry(lifetimeMs, always(0))
    const life = tokenTimes(0, lifetimeMs)
    const spacing = Math.min(1_000, Math.max(MIN_RETRY_MS, lifetimeMs / 30))
    t.ok(most <= (life.usableUntil - life.refreshAt) / spacing + 1, `${lifetimeMs / 1000} s token: ${most} attempts with the shortest jitter, never closer than ${spacing} ms`)
  }
})

t.test('the issue\'s case: with a 3 s token, a fifth attempt still comes before the token runs out', async (t) => {
  const { usableUntil, refreshAt } = tokenTimes(0, 3_000)
  let now = refreshAt
  for (let streak = 1; streak <= 4; streak++) {
    now += retryDelay({ kind: 'error', streak, retryAfterMs: undefined, remainingMs: usableUntil - now, lifetimeMs: 3_000, waiting: false }, always(0.999))
  }
  t.ok(now < usableUntil, `fifth attempt at ${Math.round(now)} ms, token usable until ${usableUntil} ms`)
})

t.test('retries are never closer than MIN_RETRY_MS, even at the very end of a token', async (t) => {
  t.equal(retryDelay({ kind: 'error', streak: 1, retryAfterMs: undefined, remainingMs: 10, lifetimeMs: 3_000, waiting: false }, always(0)), MIN_RETRY_MS)
})

t.test('long tokens keep the ordinary 1 s doubling backoff while held', async (t) => {
  const delays = [1, 2, 3, 4, 5, 6, 7].map((streak) => retryDelay({ kind: 'timeout', streak, retryAfterMs: undefined, remainingMs: 180_000, lifetimeMs: 1_800_000, waiting: false }, always(1)))
  t.same(delays, [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000])
})

t.test('without a token and with requests waiting, the first retries are sub-second and capped at 5 s', async (t) => {
  const delays = [1, 2, 3, 4, 5, 6, 10].map((streak) => retryDelay({ kind: 'error', streak, retryAfterMs: undefined, remainingMs: 0, lifetimeMs: 0, waiting: true }, always(1)))
  t.same(delays, [250, 500, 1_000, 2_000, 4_000, 5_000, 5_000])
  t.equal(WAITING.capMs, 5_000)
})

t.test('without a token and nobody waiting, the pace is the ordinary one', async (t) => {
  t.equal(retryDelay({ kind: 'error', streak: 1, retryAfterMs: undefined, remainingMs: 0, lifetimeMs: 0, waiting: false }, always(1)), TRANSIENT.baseMs)
})

t.test('rejected credentials are retried after 15 s doubling to 5 minutes, whatever is held or waiting', async (t) => {
  for (const [remainingMs, waiting] of [[0, true], [1_000, false], [0, false]] as const) {
    const delays = [1, 2, 3, 5, 10].map((streak) => retryDelay({ kind: 'rejected', streak, retryAfterMs: undefined, remainingMs, lifetimeMs: remainingMs * 3, waiting }, always(1)))
    t.same(delays, [15_000, 30_000, 60_000, 240_000, REJECTED.capMs], `held ${remainingMs} ms, waiting ${String(waiting)}`)
  }
})

t.test('Retry-After is a floor in every case, up to 10 minutes', async (t) => {
  for (const [remainingMs, waiting] of [[1_000, false], [0, true], [0, false]] as const) {
    t.equal(retryDelay({ kind: 'error', streak: 1, retryAfterMs: 2_000, remainingMs, lifetimeMs: remainingMs * 3, waiting }, always(0)), 2_000)
  }
  t.equal(retryDelay({ kind: 'error', streak: 1, retryAfterMs: 3_600_000, remainingMs: 0, lifetimeMs: 0, waiting: true }, always(0)), 600_000)
})

t.test('equal jitter: every delay lies between half and all of the exponential step', async (t) => {
  t.equal(backoffDelay({ baseMs: 1_000, capMs: 30_000 }, 3, undefined, always(0)), 2_000)
  t.equal(backoffDelay({ baseMs: 1_000, capMs: 30_000 }, 3, undefined, always(0.5)), 3_000)
  t.equal(backoffDelay({ baseMs: 1_000, capMs: 30_000 }, 3, undefined, always(1)), 4_000)
})

t.test('a token request made while a token is about to run out may take a third of its remaining life', async (t) => {
  t.equal(attemptTimeout(10_000, 0), 10_000, 'no token held: the configured timeout')
  t.equal(attemptTimeout(10_000, 180_000), 10_000, 'plenty of life left: the configured timeout')
  t.equal(attemptTimeout(10_000, 1_800), 600)
  t.equal(attemptTimeout(10_000, 200), MIN_ATTEMPT_TIMEOUT_MS, 'never below the floor')
  t.equal(attemptTimeout(300, 1_400), 300, 'never above the configured timeout')
  for (const remaining of [1_700, 1_801, 2_000, 4_999, 29_999]) t.ok(Number.isInteger(attemptTimeout(10_000, remaining)), `whole milliseconds with ${remaining} ms left (AbortSignal.timeout throws on a fraction)`)
})

t.test('after failures while a token was held, the backoff without one starts at its first step', async (t) => {
  const error = new TokenError('error', 'CSP answered HTTP 500', { status: 500 })
  const held = { remainingMs: 400, lifetimeMs: 3_000 }
  const none = { remainingMs: 0, lifetimeMs: 0 }
  let failure: Failure | undefined
  for (let i = 0; i < 4; i++) failure = nextFailure(failure, error, held, false, 0, () => 1)
  t.same([failure?.streak, failure?.withoutToken], [4, 0], 'four in a row while held')
  failure = nextFailure(failure, error, none, true, 0, () => 1)
  t.same([failure.streak, failure.withoutToken, failure.nextAttemptAt], [5, 1, WAITING.baseMs], 'the first without a token: 250 ms, not the fifth step')
  failure = nextFailure(failure, error, none, true, 0, () => 1)
  t.equal(failure.nextAttemptAt, WAITING.baseMs * 2)
  const rejected = nextFailure(failure, new TokenError('rejected', 'CSP rejected the app credentials (HTTP 401)', { status: 401 }), none, true, 0, () => 1)
  t.equal(rejected.nextAttemptAt, REJECTED.baseMs, 'rejected credentials keep their own slow steps')
})
