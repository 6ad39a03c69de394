// Every code an operator can meet is documented exactly once in the README's Troubleshooting
// table, and the table names no code that does not exist (fastify's errors.test.js is the model).
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import * as errors from '../../src/errors.js'
import { TokenError } from '../../src/failures.js'

const README = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8')
const section = README.slice(README.indexOf('## Troubleshooting'), README.indexOf('\n## ', README.indexOf('## Troubleshooting') + 1))
/** code → the status column of each row that names it first */
const rows = [...section.matchAll(/^\| `(WAP_ERR_\w+)` \| ([^|]+) \|/gm)].map((m) => ({ code: m[1] as string, status: (m[2] as string).trim() }))

const exported = Object.entries(errors).filter(([name]) => name.startsWith('WAP_ERR_'))

t.test('the registry: every export names its own code, and answered ones carry a status', async (t) => {
  t.ok(exported.length >= 25, `${exported.length} codes`)
  for (const [name, value] of exported) {
    if (typeof value === 'string') {
      t.equal(value, name, `${name}: a logged code is its own name`)
      continue
    }
    const err = new (value as new (...args: unknown[]) => errors.CodedError)('x')
    t.equal(err.code, name, `${name}: the error's code`)
    t.ok(err.statusCode >= 400 && err.statusCode < 600, `${name}: answers ${err.statusCode}`)
  }
})

t.test('every code is in the Troubleshooting table exactly once, with its status', async (t) => {
  for (const [name, value] of exported) {
    const found = rows.filter((r) => r.code === name)
    t.equal(found.length, 1, `${name} documented once`)
    if (found.length !== 1) continue
    const status = found[0]?.status
    if (typeof value === 'string') t.equal(status, '*logged*', `${name}: logged, never answered`)
    else if (name === 'WAP_ERR_REQUEST_REJECTED') t.equal(status, '4xx', `${name}: Fastify's own status`)
    else t.equal(status, String(new (value as new (...args: unknown[]) => errors.CodedError)('x').statusCode), `${name}: status`)
  }
})

t.test('the table names no code that does not exist', async (t) => {
  const names = new Set(exported.map(([name]) => name))
  for (const code of section.match(/WAP_ERR_\w+/g) ?? []) t.ok(names.has(code), `${code} exists`)
  t.equal(rows.length, exported.length, 'one row per code')
})

t.test('each kind of token failure logs a code of the registry', async (t) => {
  for (const kind of ['rejected', 'error', 'timeout'] as const) {
    const code = new TokenError(kind, 'x').code
    t.ok(exported.some(([name]) => name === code), `${kind}: ${code}`)
  }
})
