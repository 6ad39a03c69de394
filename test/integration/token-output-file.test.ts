// TOKEN_OUTPUT_FILE: the running proxy keeps a file holding its current token, for a neighbour
// that reads a token from a file. Mode 0600, replaced atomically, written at start and after
// every refresh, emptied when the token runs out with no successor, never in a log line.
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { call } from '../helpers/http.js'
import { runBinary } from '../helpers/binary.js'
import { startFakes, startStack, STATIC_TOKEN } from '../helpers/stack.js'

function tokenPath (t: Test): { dir: string, file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'wap-token-file-'))
  return { dir, file: join(dir, 'token') }
}

const read = (file: string): string => readFileSync(file, 'utf8')

t.test('written at start with the token, mode 0600, no newline, no temporary file left; rewritten after every refresh', async (t) => {
  const { dir, file } = tokenPath(t)
  const { csp, proxy } = await startStack(t, { lifetimeSeconds: 2, env: { TOKEN_OUTPUT_FILE: file } })
  await proxy.logged((r) => r.event === 'token_refreshed')
  const first = read(file)
  t.equal(csp.validity(first), 'valid', 'the file holds the token the proxy holds')
  t.equal(statSync(file).mode & 0o777, 0o600)
  t.same(readdirSync(dir), ['token'], 'the temporary file was renamed over it')
  await csp.requestsAnswered(2) // the 2-second token is refreshed ahead of expiry
  await proxy.logged((r) => r.event === 'token_refreshed' && proxy.logs.filter((l) => l.includes('"token_refreshed"')).length >= 2)
  const second = read(file)
  t.not(second, first, 'the refreshed token replaced the old one')
  t.equal(csp.validity(second), 'valid')
  for (const value of csp.issued.keys()) t.notOk(proxy.logs.some((l) => l.includes(value)), 'no token in any log line')
})

t.test('emptied, and said so in the log, when the token runs out and CSP cannot give a new one', async (t) => {
  const { file } = tokenPath(t)
  const { csp, proxy } = await startStack(t, { lifetimeSeconds: 2, env: { TOKEN_OUTPUT_FILE: file } })
  await proxy.logged((r) => r.event === 'token_refreshed')
  t.equal(csp.validity(read(file)), 'valid')
  csp.persistentFault = { kind: 'status', status: 503 }
  const emptied = await proxy.logged((r) => r.event === 'token_file_emptied')
  t.match(emptied, { level: 40, code: 'WAP_ERR_TOKEN_FILE_EMPTIED', path: file, msg: /^emptied TOKEN_OUTPUT_FILE: the access token ran out and no new one could be fetched yet/ })
  t.equal(read(file), '')
  csp.persistentFault = undefined
  await proxy.logged((r) => r.event === 'token_refreshed' && proxy.logs.filter((l) => l.includes('"token_refreshed"')).length >= 2)
  t.equal(csp.validity(read(file)), 'valid', 'the next token is written when it arrives')
  for (const value of csp.issued.keys()) t.notOk(proxy.logs.some((l) => l.includes(value)), 'no token in any log line')
})

t.test('a revoked token: the file is emptied at the instance\'s 401 and holds the new token after the refresh', async (t) => {
  const { file } = tokenPath(t)
  const { csp, proxy } = await startStack(t, { env: { TOKEN_OUTPUT_FILE: file } })
  await proxy.logged((r) => r.event === 'token_refreshed')
  const revoked = read(file)
  csp.revokeAll()
  t.equal((await call(`${proxy.url}/api/v2/source`)).status, 200, 'the request is replayed with a new token')
  t.match(await proxy.logged((r) => r.event === 'token_file_emptied'), { msg: /the instance rejected the access token/ })
  const now = read(file)
  t.not(now, revoked)
  t.equal(csp.validity(now), 'valid')
})

t.test('static mode: the configured token is written at start', async (t) => {
  const { file } = tokenPath(t)
  await startStack(t, { mode: 'static', env: { TOKEN_OUTPUT_FILE: file } })
  t.equal(read(file), STATIC_TOKEN)
})

t.test('emptied when the proxy stops: nobody keeps it true afterwards', async (t) => {
  const { file } = tokenPath(t)
  const { proxy } = await startStack(t, { env: { TOKEN_OUTPUT_FILE: file } })
  await proxy.logged((r) => r.event === 'token_refreshed')
  t.not(read(file), '')
  await proxy.close()
  t.equal(read(file), '')
})

t.test('a restart after a kill: the stale token and a half-written temporary file are cleared, and the proxy starts', async (t) => {
  const { dir, file } = tokenPath(t)
  writeFileSync(file, 'stale-token-from-a-killed-proxy')
  writeFileSync(join(dir, '.token.1.1.tmp'), 'half-written') // the name a pid-1 container's first write used to take
  writeFileSync(join(dir, '.token.9f8e7d6c5b4a.tmp'), 'half-written')
  writeFileSync(join(dir, 'neighbour.txt'), 'kept')
  const { csp, proxy } = await startStack(t, { env: { TOKEN_OUTPUT_FILE: file } })
  await proxy.logged((r) => r.event === 'token_refreshed')
  t.equal(csp.validity(read(file)), 'valid')
  t.same(readdirSync(dir).sort(), ['neighbour.txt', 'token'])
})

t.test('a file the proxy cannot write stops it at start: exit 2, a message naming TOKEN_OUTPUT_FILE, nothing listens', async (t) => {
  const { csp, instance } = await startFakes(t)
  const { dir } = tokenPath(t)
  writeFileSync(join(dir, 'not-a-dir'), '')
  for (const file of [join(dir, 'missing', 'token'), join(dir, 'not-a-dir', 'token')]) {
    for (const how of [['--token-output-file', file], []]) {
      const run = await runBinary({ WAVEFRONT_URL: instance.url, CSP_BASE_URL: csp.url, WAVEFRONT_TOKEN: STATIC_TOKEN, PORT: '0', ...(how.length === 0 ? { TOKEN_OUTPUT_FILE: file } : {}) }, how)
      t.equal(run.code, 2, file)
      t.match(run.stderr, `invalid configuration:\n  - TOKEN_OUTPUT_FILE=${JSON.stringify(file)} cannot be written (`, file)
      t.match(run.stderr, /choose a file in a directory the proxy may write to/)
      t.notMatch(run.stdout, /"event":"started"/)
      t.notOk(existsSync(file))
    }
  }
  t.equal(csp.requests.length + instance.received.length, 0)
})
