// An upload answered before its body is read (503 without a token, 413, the instance's own 401)
// ends with the client reading the answer, not a broken pipe: the proxy keeps reading and
// discarding for a bounded time, as nginx's lingering close does. No connection is left behind.
import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { call } from '../helpers/http.js'
import { freePort } from '../helpers/ports.js'
import { credentialsEnv, startFakes, startProxy, startStack, type RunningTestProxy } from '../helpers/stack.js'

const MiB = 1024 * 1024
const dir = mkdtempSync(join(tmpdir(), 'wap-upload-'))
const FILE = join(dir, 'big.bin')
writeFileSync(FILE, Buffer.alloc(40 * MiB, 'a'))

async function curl (url: string, ...extra: string[]): Promise<{ status: string, body: string }> {
  const { stdout } = await promisify(execFile)('curl', ['-sS', '-w', '\n%{http_code}', ...extra, '--data-binary', `@${FILE}`, url], { maxBuffer: 1 << 20 })
  const i = stdout.lastIndexOf('\n')
  return { body: stdout.slice(0, i), status: stdout.slice(i + 1) }
}

/** A client that writes the whole 40 MiB before it looks for an answer. */
async function writeAllThenRead (url: string): Promise<string> {
  return await new Promise((resolve) => {
    const req = request(url, { method: 'POST', agent: false, headers: { 'content-length': 40 * MiB } })
    req.on('response', (res) => {
      let body = ''
      res.on('data', (c: Buffer) => { body += c.toString() })
      res.on('end', () => { resolve(`${res.statusCode ?? 0} ${body}`) })
    })
    req.on('error', (err) => { resolve(`error ${(err as { code?: string }).code ?? ''}`) })
    const chunk = Buffer.alloc(MiB, 'a')
    let n = 0
    const write = (): void => {
      while (n < 40) {
        n++
        if (!req.write(chunk)) { req.once('drain', write); return }
      }
      req.end()
    }
    write()
  })
}

async function noConnectionsLeft (proxy: RunningTestProxy): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const n = await new Promise<number>((resolve) => { proxy.app.server.getConnections((_e, count) => { resolve(count) }) })
    if (n === 0) return 0
    await new Promise((resolve) => setTimeout(resolve, 50)) // polling for the close, not timing it
  }
  return -1
}

t.test('no token: curl --data-binary of 40 MiB shows the 503 envelope, and so does a client that writes it all first', async (t) => {
  const { instance } = await startFakes(t)
  const proxy = await startProxy(t, { WAVEFRONT_URL: instance.url, CSP_BASE_URL: `http://127.0.0.1:${await freePort()}`, PORT: '0', ...credentialsEnv('app') })
  for (const extra of [[], ['-H', 'Expect:']]) {
    const res = await curl(`${proxy.url}/report?f=wavefront`, ...extra)
    t.equal(res.status, '503', `curl ${extra.join(' ')}`)
    t.match(res.body, /"message":"No valid access token is available/)
  }
  t.match(await writeAllThenRead(`${proxy.url}/report?f=wavefront`), /^503 \{"status"/)
  t.equal(await noConnectionsLeft(proxy), 0, 'no connection left behind')
})

t.test('over BODY_LIMIT: curl shows the 413 envelope', async (t) => {
  const { proxy } = await startStack(t, { env: { BODY_LIMIT: String(MiB) } })
  const res = await curl(`${proxy.url}/report?f=wavefront`)
  t.equal(res.status, '413')
  t.match(res.body, /Request body is larger than BODY_LIMIT/)
  t.match(await writeAllThenRead(`${proxy.url}/report?f=wavefront`), /^413 \{"status"/)
  t.equal(await noConnectionsLeft(proxy), 0, 'no connection left behind')
})

t.test('the instance answers 401 before reading the upload: the client gets the 401 and no connection is stuck', async (t) => {
  const { proxy, instance } = await startStack(t, { mode: 'static' })
  instance.faults.push({ kind: 'early', status: 401 }, { kind: 'early', status: 401 })
  const res = await curl(`${proxy.url}/report?f=wavefront`)
  t.equal(res.status, '401')
  t.match(await writeAllThenRead(`${proxy.url}/report?f=wavefront`), /^401 /)
  t.equal(await noConnectionsLeft(proxy), 0, 'no connection left behind')
  t.equal((await call(`${proxy.url}/healthz`)).status, 200, 'still serving')
})
