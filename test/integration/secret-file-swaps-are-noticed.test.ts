// The watch on mounted secret files: every swap of a Secret volume is noticed, the first one
// too even when it comes before the watcher's first look could finish, and nothing after stop.
import { pbkdf2 } from 'node:crypto'
import t from 'tap'
import { watchSecretFiles } from '../../src/credentials/secret-watch.js'
import { secretVolume } from '../helpers/secret-volume.js'

const POLL_MS = 20

async function changesWithin (ms: number, counter: { count: number }): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, ms))
  return counter.count
}

t.test('a swap made at once, while the thread pool is busy, is still noticed', async (t) => {
  const secret = secretVolume('app-secret', 'first')
  // occupy libuv's threads, as a busy start does: an asynchronous first look would come back late
  for (let i = 0; i < 4; i++) pbkdf2('x', 'y', 200_000, 32, 'sha256', () => {})
  const seen = { count: 0 }
  const stop = watchSecretFiles([secret.path], () => { seen.count++ }, POLL_MS)
  t.teardown(stop)
  secret.update('second')
  t.equal(await changesWithin(1_500, seen), 1)
})

t.test('each swap is noticed once, an untouched file never, and nothing after stop', async (t) => {
  const secret = secretVolume('api-token', 'v1')
  const seen = { count: 0 }
  const stop = watchSecretFiles([secret.path, secret.path], () => { seen.count++ }, POLL_MS)
  t.equal(await changesWithin(POLL_MS * 5, seen), 0, 'no change, no call')
  secret.update('v2')
  t.equal(await changesWithin(POLL_MS * 10, seen), 1)
  secret.update('v3')
  t.equal(await changesWithin(POLL_MS * 10, seen), 2)
  stop()
  secret.update('v4')
  t.equal(await changesWithin(POLL_MS * 5, seen), 2, 'stopped')
})
