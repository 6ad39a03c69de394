// One token, fetched exactly as the proxy fetches it, for `check` and `token`: the outcome as
// a report step an operator can act on, naming the CSP host used and, when CSP's answer
// suggests the wrong one, the other host. Secrets and the token are scrubbed from every line.
import type { Dispatcher } from 'undici'
import type { Config } from '../config/load.js'
import { CSP_HOSTS } from '../config/urls.js'
import { requestCspToken } from '../credentials/csp.js'
import { cspTokenRequest, scrubCredentials } from '../credentials/provider.js'
import { SecretReader } from '../credentials/secrets.js'
import { TokenError } from '../failures.js'
import { createLogger, type SecretValues } from '../observe/log.js'

export type Step = { ok: true, detail: string } | { ok: false, problem: string, fix: string }

/** One line of a report: ✓ with the detail, or ✗ with the problem and the fix beneath. */
export function formatStep (name: string, step: Step): string {
  const label = name.padEnd(14)
  return step.ok ? `  ✓ ${label} ok: ${step.detail}` : `  ✗ ${label} ${step.problem}\n    ${' '.repeat(14)} → fix: ${step.fix}`
}

/** One exchange at CSP (none in static mode); the token, or the step that says why there is none. */
export async function obtainToken (config: Config, dispatcher: Dispatcher, secrets: SecretValues): Promise<{ step: Step, token?: string }> {
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
    return { step: { ok: true, detail: `from ${config.cspBaseUrl}, lifetime ${duration(lifetimeMs)}, expires ${expires}` }, token: accessToken }
  } catch (err) {
    if (!(err instanceof TokenError)) throw err
    const { problem, fix } = advice(err.message) // the message names variables, never values
    return { step: { ok: false, problem: `${problem} at ${config.cspBaseUrl}`, fix: withHostHint(config, err, fix) } }
  }
}

/** A 404 on the token path, or CSP refusing the client, org or API token: maybe the other CSP. */
function withHostHint (config: Config, err: TokenError, fix: string): string {
  const other = otherCspHosts(config.cspBaseUrl)
  if (err.status === 404) {
    return `CSP_BASE_URL does not look like a CSP console: set it to ${other.join(' or ')} (Wavefront organizations sign in at ${CSP_HOSTS[0]}, Broadcom's Tanzu products at ${CSP_HOSTS[1]})`
  }
  if (err.kind === 'rejected') { // 400, 401 or 403: CSP does not know the client, token or org here
    const what = config.credentials.mode === 'csp-app' ? 'app (and org)' : 'API token'
    return `${fix}; or, if this ${what} belongs to the other CSP console, set CSP_BASE_URL=${other.join(' or ')}`
  }
  return fix
}

/** The host(s) to suggest instead of `base`: the other public one, or both for a staging or custom base. */
export function otherCspHosts (base: string): string[] {
  const origin = URL.canParse(base) ? new URL(base).origin : base
  const others = CSP_HOSTS.filter((h) => h !== origin)
  return others.length === CSP_HOSTS.length ? [...CSP_HOSTS] : others
}

/** "what went wrong: what to do" → both halves; retry advice is for the server, not a one-shot command. */
export function advice (message: string): { problem: string, fix: string } {
  const i = message.indexOf(': ')
  if (i < 0) return { problem: message, fix: 'run the command again' }
  const fix = message.slice(i + 2).split('; ').filter((clause) => !clause.startsWith('the proxy retries')).join('; ')
  return { problem: message.slice(0, i), fix: fix === '' ? 'wait a minute, then run the command again' : fix }
}

function duration (ms: number): string {
  const total = Math.round(ms / 1000)
  const [h, m, s] = [Math.floor(total / 3600), Math.floor(total / 60) % 60, total % 60]
  return h > 0 ? `${h}h ${m}m ${s}s` : m > 0 ? `${m}m ${s}s` : `${s}s`
}
