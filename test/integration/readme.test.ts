// The README is part of the product: its configuration table and quick start stay true.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { SETTINGS } from '../../src/config/settings.js'
import { call } from '../helpers/http.js'
import { freePort } from '../helpers/ports.js'

const README = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8')
const DEMO = fileURLToPath(new URL('../../dist/scripts/demo.js', import.meta.url))

t.test('the configuration table names every setting', async (t) => {
  const table = README.slice(README.indexOf('## Configuration'), README.indexOf('## Running it next to your tool'))
  for (const s of SETTINGS) t.match(table, `\`${s.env}\``, s.env)
})

const QUICK_START = README.slice(README.indexOf('## Quick start'), README.indexOf('## Using it\n'))

t.test('the quick start is the two commands CI runs', async (t) => {
  t.match(QUICK_START, /^npm ci +#/m)
  t.match(QUICK_START, /^npm test +#/m)
  t.match(QUICK_START, '`npm run demo`')
  const ci = readFileSync(fileURLToPath(new URL('../../.ci/run', import.meta.url)), 'utf8')
  t.match(ci, /npm ci/)
  t.match(ci, /npm test/)
})

t.test('npm run demo: the real proxy against the simulators answers curl localhost:PORT/api/v2/source', async (t) => {
  const port = await freePort()
  const demo = spawn(process.execPath, [DEMO], { env: { PATH: process.env.PATH ?? '', PORT: String(port), LOG_FORMAT: 'json' }, stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = new Promise<number | null>((resolve) => demo.on('exit', resolve))
  t.teardown(() => { demo.kill('SIGKILL') })
  await new Promise<void>((resolve) => {
    let seen = ''
    demo.stdout.on('data', (c: Buffer) => {
      seen += c.toString('utf8')
      if (seen.includes('"event":"started"')) resolve()
    })
  })
  const res = await call(`http://127.0.0.1:${port}/api/v2/source`)
  t.equal(res.status, 200)
  t.match(res.json(), { status: { result: 'OK' }, response: { items: Array } })
  demo.kill('SIGINT')
  t.equal(await exited, 0, 'Ctrl-C stops the demo cleanly')
})
