// `wavefront-auth-proxy check`: configuration → token → one cheap authenticated call, printed
// as a short report with what to fix. Every wait is bounded (CSP_TIMEOUT_MS for the token, at
// most 15 s for the instance), and every line is scrubbed of credentials and the token.
import { STATUS_CODES } from 'node:http'
import { request, type Dispatcher } from 'undici'
import type { Config } from '../config/load.js'
import { requestCspToken } from '../credentials/csp.js'
import { cspTokenRequest, scrubCredentials } from '../credentials/provider.js'
import { SecretReader } from '../credentials/secrets.js'
import { TokenError } from '../errors.js'
import { createLogger, SecretValues } from '../observe/log.js'
import { createDispatchers } from '../forward/dispatchers.js'
import { classify, errorFor } from '../forward/upstream-errors.js'
import { USER_AGENT } from '../version.js'
import type { CredentialMode } from '../vocabulary.js'

const PROBE = '/api/v2/source?limit=1'
const INSTANCE_CAP_MS = 15_000
const MAX_BODY_BYTES = 256 * 1024

/** What a 401 or 403 from the instance means, per credential mode. */
const REFUSED: Record<CredentialMode, string> = {
  'csp-app': 'the app lacks access to this instance or its API: check that it belongs to the instance\'s organization (set CSP_ORG_ID if it belongs to several) and has a role with API access',
  'csp-api-token': 'the user of CSP_API_TOKEN lacks access to this instance or its API: check that user\'s organization and roles',
  'static-token': 'the instance refused WAVEFRONT_TOKEN: check that it is an API token of this instance and has not been revoked'
}

type Step = { ok: true, detail: string } | { ok: false, problem: string, fix: string }

export async function runCheck (config: Config, out: NodeJS.WritableStream): Promise<number> {
  const secrets = new SecretValues()
  const print = (text: string): void => { out.write(secrets.scrub(text) + '\n') }
  const report = (name: string, step: Step): void => {
    const label = name.padEnd(14)
    if (step.ok) print(`  ✓ ${label} ok: ${step.detail}`)
    else print(`  ✗ ${label} ${step.problem}\n    ${' '.repeat(14)} → fix: ${step.fix}`)
  }
  const creds = config.credentials
  const via = creds.mode === 'static-token' ? '' : `, CSP ${config.cspBaseUrl}`
  const org = creds.mode === 'csp-app' && creds.orgId !== undefined ? ' (with CSP_ORG_ID)' : ''
  print('wavefront-auth-proxy check')
  // cli.ts exits 2 on an invalid configuration before calling us.
  report('configuration', { ok: true, detail: `${creds.mode} mode${org}, instance ${config.wavefrontOrigin}${via}` })

  const dispatchers = createDispatchers(config)
  try {
    const { step, token } = await obtainToken(config, dispatchers.csp, secrets)
    report('token', step)
    if (token === undefined) {
      print(`  - ${'instance'.padEnd(14)} skipped: it needs a token`)
      print('check failed')
      return 1
    }
    const answer = await probeInstance(config, dispatchers.instance, token)
    report('instance', answer)
    print(answer.ok ? 'all checks passed' : 'check failed')
    return answer.ok ? 0 : 1
  } finally {
    await Promise.all([dispatchers.instance.destroy(), dispatchers.csp.destroy()])
  }
}

/** One exchange at CSP, built exactly as the proxy builds it; secrets and the token are scrubbed from the report. */
async function obtainToken (config: Config, dispatcher: Dispatcher, secrets: SecretValues): Promise<{ step: Step, token?: string }> {
  const creds = config.credentials
  scrubCredentials(config, secrets)
  // values re-read from mounted files are registered for scrubbing by the reader itself
  const reader = new SecretReader(createLogger({ level: 'warn', format: 'json', secrets, destination: process.stderr }), secrets)
  if (creds.mode === 'static-token') {
    return { step: { ok: true, detail: 'static token (WAVEFRONT_TOKEN): no exchange needed' }, token: reader.read(creds.token) }
  }
  const req = cspTokenRequest(creds, reader)
  for (const value of Object.values(req.headers)) secrets.add(value) // the Basic header: base64 of id:secret
  const startedAt = Date.now()
  try {
    const { accessToken, lifetimeMs } = await requestCspToken({ baseUrl: config.cspBaseUrl, dispatcher, timeoutMs: config.cspTimeoutMs }, req)
    secrets.add(accessToken)
    const expires = new Date(startedAt + lifetimeMs).toISOString().replace(/\.\d+Z$/, 'Z')
    return { step: { ok: true, detail: `lifetime ${duration(lifetimeMs)}, expires ${expires}` }, token: accessToken }
  } catch (err) {
    if (!(err instanceof TokenError)) throw err
    return { step: { ok: false, ...advice(err.message) } } // the message names variables, never values
  }
}

/** GET the probe with the token; the answer as a Step an operator can act on. */
async function probeInstance (config: Config, dispatcher: Dispatcher, token: string): Promise<Step> {
  const timeoutMs = Math.min(config.upstreamTimeoutMs, INSTANCE_CAP_MS)
  const call = `GET ${PROBE} answered`
  let status: number
  let body: { status?: { message?: unknown }, response?: { items?: unknown } } | undefined
  try {
    const res = await request(config.wavefrontOrigin + PROBE, {
      dispatcher,
      method: 'GET',
      headers: { authorization: `Bearer ${token}`, accept: 'application/json', 'user-agent': USER_AGENT },
      signal: AbortSignal.timeout(timeoutMs)
    })
    status = res.statusCode
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of res.body) {
      chunks.push(chunk as Buffer)
      size += (chunk as Buffer).length
      if (size > MAX_BODY_BYTES) break // far more than one source could need: not the API we expect
    }
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body
    } catch {}
  } catch (err) {
    const { kind, code } = (err as { name?: string }).name === 'TimeoutError' ? { kind: 'timeout' as const, code: 'timeout' } : classify(err)
    if (kind === 'other' || kind === 'client-gone' || kind === 'too-large') {
      return { ok: false, problem: `the request to the instance failed (${code})`, fix: 'check WAVEFRONT_URL and the network, then run check again' }
    }
    return { ok: false, ...advice(errorFor(kind, code, timeoutMs, config.bodyLimit).message) }
  }
  const message = typeof body?.status?.message === 'string' && body.status.message !== ''
    ? body.status.message.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 120) // remote text: no terminal control
    : STATUS_CODES[status] ?? 'unknown status'
  if (status === 200 && Array.isArray(body?.response?.items)) {
    const n = body.response.items.length
    return { ok: true, detail: `${call} 200 (${n} source${n === 1 ? '' : 's'} visible)` }
  }
  if (status === 200) {
    return { ok: false, problem: `${call} 200 without a Wavefront API response`, fix: 'check that WAVEFRONT_URL is the instance itself, e.g. https://example.wavefront.com' }
  }
  const fix = status === 401 || status === 403
    ? REFUSED[config.credentials.mode]
    : status === 404
      ? 'check that WAVEFRONT_URL is the instance origin, e.g. https://example.wavefront.com'
      : status === 429 || status >= 500
        ? 'the instance is busy or failing: run check again later; check https://status.broadcom.com if it persists'
        : 'check WAVEFRONT_URL and the instance status'
  return { ok: false, problem: `${call} ${status}: ${message}`, fix }
}

/** "what went wrong: what to do" → both halves; retry advice is for the server, not a one-shot check. */
function advice (message: string): { problem: string, fix: string } {
  const i = message.indexOf(': ')
  if (i < 0) return { problem: message, fix: 'run check again' }
  const fix = message.slice(i + 2).split('; ').filter((clause) => !clause.startsWith('the proxy retries')).join('; ')
  return { problem: message.slice(0, i), fix: fix === '' ? 'wait a minute, then run check again' : fix }
}

function duration (ms: number): string {
  const total = Math.round(ms / 1000)
  const [h, m, s] = [Math.floor(total / 3600), Math.floor(total / 60) % 60, total % 60]
  return h > 0 ? `${h}h ${m}m ${s}s` : m > 0 ? `${m}m ${s}s` : `${s}s`
}
