// LOG_FORMAT=pretty prints readable colour lines instead of JSON.
import { spawn } from 'node:child_process'
import t from 'tap'
import { CLI } from '../helpers/binary.js'
import { credentialsEnv } from '../helpers/stack.js'

t.test('LOG_FORMAT=pretty prints readable colour lines instead of JSON', async (t) => {
  const child = spawn(process.execPath, [CLI], { env: { PATH: process.env.PATH ?? '', WAVEFRONT_URL: 'http://127.0.0.1:9', PORT: '0', LOG_FORMAT: 'pretty', ...credentialsEnv('static') } })
  t.teardown(() => { child.kill('SIGKILL') })
  const output = await new Promise<string>((resolve) => {
    let seen = ''
    child.stdout.on('data', (c: Buffer) => {
      seen += c.toString('utf8')
      if (seen.includes('listening on')) resolve(seen)
    })
  })
  t.notMatch(output, /^\{/, 'not JSON')
  t.match(output, /\u001b\[\d+m/, 'coloured')
  t.match(output, /INFO.*wavefront-auth-proxy [\d.]+ listening on http:\/\/127\.0\.0\.1:\d+/)
})
