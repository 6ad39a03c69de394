// The package as users get it: package.json as shipped, npm run as a user runs it, and the checks
// a user makes of a proxy started from an install.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Test } from 'tap'
import { call } from '../helpers/http.js'
import { ROOT } from './helm.js'
import type { ProxyProcess } from './proxy-process.js'

export const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string, version: string, bin: Record<string, string>, devDependencies: Record<string, string>, scripts: Record<string, string> }

/** npm as a user runs it: none of the npm_* variables of the `npm test` that runs this file. */
export function npmEnv (): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^npm_/i.test(k)) env[k] = v
  return { ...env, npm_config_update_notifier: 'false' }
}

/** The checks a user would make of a running proxy: it forwards, it is ready, it stops cleanly. */
export async function exerciseAndStop (t: Test, proxy: ProxyProcess): Promise<void> {
  const res = await call(`${proxy.url}/api/v2/source?limit=2`)
  t.equal(res.status, 200, res.text)
  t.match(res.json(), { status: { result: 'OK', code: 200 }, response: { items: [{ id: 'web-1' }, { id: 'web-2' }] } }, 'the instance\'s envelope comes back')
  t.equal((await call(`${proxy.url}/readyz`)).status, 200, '/readyz: a token is held')
  t.equal((await call(`${proxy.url}/healthz`)).status, 200, '/healthz')
  t.equal(await proxy.stop(), 0, 'SIGTERM: drains and exits 0')
  t.ok(proxy.lines.some((l) => l.includes('"event":"stopped"')), 'logged that it stopped')
}
