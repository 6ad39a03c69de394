// A client that sends Expect: 100-continue (curl --data-binary @file does) gets its 100 from the
// proxy and its upload reaches the instance whole, without the Expect header.
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { startStack } from '../helpers/stack.js'
import { tempDir } from '../helpers/temp-dir.js'

t.test('curl --data-binary @file (which sends Expect: 100-continue) uploads to /report', async (t) => {
  const { proxy, instance } = await startStack(t)
  const file = join(tempDir(t, 'wap-upload-'), 'batch.txt')
  const body = Buffer.from('cpu.load 0.42 source=web-1 host=a\n'.repeat(200_000)) // ~7 MiB
  writeFileSync(file, body)
  const { stdout, stderr } = await promisify(execFile)('curl', ['-sS', '-v', '-o', '/dev/null', '-w', '%{http_code}', '--data-binary', `@${file}`, `${proxy.url}/report?f=wavefront`])
  t.equal(stdout, '202')
  t.match(stderr, /Expect: 100-continue/, 'curl asked to continue')
  t.equal(instance.received.at(-1)?.bodySha256, createHash('sha256').update(body).digest('hex'))
  t.notOk(instance.received.at(-1)?.headers.expect, 'Expect is answered by the proxy, not forwarded')
})

t.test('a client that sends Expect: 100-continue gets a 100 before sending the body', async (t) => {
  const { proxy, instance } = await startStack(t)
  const status = await new Promise<number>((resolve, reject) => {
    const req = httpRequest(`${proxy.url}/report`, { method: 'POST', headers: { expect: '100-continue', 'content-length': '4' } })
    req.on('continue', () => req.end('x 1\n'))
    req.on('response', (res) => { res.resume(); resolve(res.statusCode ?? 0) })
    req.on('error', reject)
  })
  t.equal(status, 202)
  t.equal(instance.received.at(-1)?.bodyBytes, 4)
})
