// `wavefront-auth-proxy check`: configuration → token → one cheap authenticated call, printed
// as a short report with what to fix. Every wait is bounded (CSP_TIMEOUT_MS for the token, at
// most 15 s for the instance), and every line is scrubbed of credentials and the token.
import { STATUS_CODES } from 'node:http'
import { request, type Dispatcher } from 'undici'
import type { Config } from '../config/load.js'
import { SecretValues } from '../observe/log.js'
import { createDispatchers } from '../forward/dispatchers.js'
import { classify, errorFor } from '../forward/upstream-errors.js'
import { USER_AGENT } from '../version.js'
import type { CredentialMode } from '../vocabulary.js'
import { advice, formatStep, obtainToken, type Step } from './obtain-token.js'

const PROBE = '/api/v2/source?limit=1'
const INSTANCE_CAP_MS = 15_000
const MAX_BODY_BYTES = 256 * 1024

/** What a 401 or 403 from the instance means, per credential mode. */
const REFUSED: Record<CredentialMode, string> = {
  'csp-app': 'the app lacks access to this instance or its API: check that it belongs to the instance\'s organization (set CSP_ORG_ID if it belongs to several) and has a role with API access',
  'csp-api-token': 'the user of CSP_API_TOKEN lacks access to this instance or its API: check that user\'s organization and roles',
  'static-token': 'the instance refused WAVEFRONT_TOKEN: check that it is an API token of this instance and has not been revoked'
}

export async function runCheck (config: Config, out: NodeJS.WritableStream): Promise<number> {
  const secrets = new SecretValues()
  const print = (text: string): void => { out.write(secrets.scrub(text) + '\n') }
  const report = (name: string, step: Step): void => { print(formatStep(name, step)) }
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
