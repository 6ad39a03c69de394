// `wavefront-auth-proxy check` run as users run it, the built binary in a child process, and the
// check every run must pass: no credential or issued token anywhere in its output.
import type { Test } from 'tap'
import type { FakeCsp } from '../fixtures/fake-csp.js'
import type { FakeWavefront } from '../fixtures/fake-wavefront.js'
import { runBinary } from './binary.js'
import { freePort } from './ports.js'
import { API_TOKEN, APP_ID, APP_SECRET, credentialsEnv, startFakes, STATIC_TOKEN, type Mode } from './stack.js'

export const WRONG_SECRET = 'wrong-secret-Gd7kP2sQ'
export const WRONG_API_TOKEN = 'wrong-api-token-Lm4vX9cE'

export interface Run { code: number | null, stdout: string, stderr: string, ms: number }

export async function runCheck (env: Record<string, string>): Promise<Run> {
  const started = Date.now()
  const run = await runBinary(env, ['check'])
  return { ...run, ms: Date.now() - started }
}

/** No credential, no base64 of id:secret and no token CSP issued appears anywhere in the output. */
export function assertNoSecrets (t: Test, run: Run, csp: FakeCsp): void {
  const values: Array<[string, string]> = [
    ['CSP_APP_SECRET', APP_SECRET], ['CSP_API_TOKEN', API_TOKEN], ['WAVEFRONT_TOKEN', STATIC_TOKEN],
    ['a wrong app secret', WRONG_SECRET], ['a wrong API token', WRONG_API_TOKEN],
    ['base64 of id:secret', Buffer.from(`${APP_ID}:${APP_SECRET}`).toString('base64')],
    ['base64 of id:wrong secret', Buffer.from(`${APP_ID}:${WRONG_SECRET}`).toString('base64')],
    ...[...csp.issued.keys()].map((v): [string, string] => ['an issued access token', v])
  ]
  for (const [name, value] of values) {
    t.notOk(run.stdout.includes(value), `stdout does not contain ${name}`)
    t.notOk(run.stderr.includes(value), `stderr does not contain ${name}`)
  }
}

/** A loopback URL nothing listens on. */
export async function closedPortUrl (): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`
}

export async function fakesEnv (t: Test, mode: Mode): Promise<{ env: Record<string, string>, csp: FakeCsp, instance: FakeWavefront }> {
  const { csp, instance } = await startFakes(t)
  return { csp, instance, env: { WAVEFRONT_URL: instance.url, CSP_BASE_URL: csp.url, ...credentialsEnv(mode) } }
}
