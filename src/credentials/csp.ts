// One token request to VMware Cloud services (CSP), and the mapping of every way it can fail
// to a TokenError an operator can act on. CSP's own error text is never echoed: it may quote
// the credential.
import { request, type Dispatcher } from 'undici'
import { CSP_HOSTS } from '../config/urls.js'
import { outboundProxyAdvice } from '../errors.js'
import { isTlsCode, TokenError, tunnelRefusalStatus } from '../failures.js'
import { USER_AGENT } from '../version.js'

export interface FetchedToken {
  readonly accessToken: string
  /** lifetime CSP granted, from expires_in */
  readonly lifetimeMs: number
}

export interface CspTokenRequest {
  readonly path: string
  readonly headers: Record<string, string>
  readonly form: URLSearchParams
  /** what to tell the operator when CSP refuses the credentials, e.g. "check CSP_APP_ID and CSP_APP_SECRET" */
  readonly rejectedHint: string
  readonly what: string
}

export interface CspClient {
  readonly baseUrl: string
  readonly dispatcher: Dispatcher
  readonly timeoutMs: number
}

const MAX_BODY_BYTES = 64 * 1024

export async function requestCspToken (client: CspClient, req: CspTokenRequest, signal?: AbortSignal): Promise<FetchedToken> {
  const timeout = AbortSignal.timeout(client.timeoutMs) // whole ms (attemptTimeout and the settings give no other)
  let res: Dispatcher.ResponseData
  try {
    res = await request(client.baseUrl + req.path, {
      method: 'POST',
      dispatcher: client.dispatcher,
      headers: {
        ...req.headers,
        accept: 'application/json',
        'content-type': 'application/x-www-form-urlencoded',
        'user-agent': USER_AGENT
      },
      body: req.form.toString(),
      signal: signal === undefined ? timeout : AbortSignal.any([timeout, signal])
    })
  } catch (err) {
    throw transportError(err, client.timeoutMs, signal?.aborted === true)
  }
  let text: string
  try {
    text = await readLimited(res.body)
  } catch (err) {
    throw transportError(err, client.timeoutMs, signal?.aborted === true)
  }
  return parseTokenResponse(res.statusCode, res.headers, text, req)
}

async function readLimited (body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY_BYTES) {
      body.destroy()
      return '' // far larger than any token response: treated as unusable
    }
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

function parseTokenResponse (status: number, headers: Record<string, string | string[] | undefined>, text: string, req: CspTokenRequest): FetchedToken {
  if (status === 400 || status === 401 || status === 403) {
    throw new TokenError('rejected', `CSP rejected the ${req.what} (HTTP ${status}${cspErrorCode(text)}): ${req.rejectedHint}`, { status })
  }
  if (status === 429) {
    throw new TokenError('error', 'CSP is rate limiting token requests (HTTP 429): the proxy retries with backoff', { status, retryAfterMs: retryAfterMs(headers['retry-after']) })
  }
  if (status === 404) {
    // not an outage: nothing answers token requests at this address
    throw new TokenError('error', `CSP answered HTTP 404 to the token request: CSP_BASE_URL does not look like a CSP console; set it to ${CSP_HOSTS[0]} (Wavefront organizations) or ${CSP_HOSTS[1]} (Broadcom's Tanzu products), without a path; the proxy retries with backoff`, { status })
  }
  if (status !== 200) {
    const retryAfter = retryAfterMs(headers['retry-after'])
    throw new TokenError('error', `CSP answered HTTP ${status} to the token request: the proxy retries with backoff; check https://status.broadcom.com if it persists`, { status, retryAfterMs: retryAfter })
  }
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new TokenError('error', 'CSP answered HTTP 200 without a JSON token response: the proxy retries with backoff', { status })
  }
  const { access_token: accessToken, expires_in: expiresIn } = (body ?? {}) as { access_token?: unknown, expires_in?: unknown }
  const seconds = typeof expiresIn === 'string' ? Number(expiresIn) : expiresIn
  if (typeof accessToken !== 'string' || accessToken === '' || /[\s\u0000-\u001f\u007f]/.test(accessToken)) {
    throw new TokenError('error', 'CSP answered HTTP 200 without a usable access_token: the proxy retries with backoff', { status })
  }
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) {
    throw new TokenError('error', 'CSP answered HTTP 200 without a usable expires_in: the proxy retries with backoff', { status })
  }
  return { accessToken, lifetimeMs: seconds * 1000 }
}

/** CSP's errorCode is a short identifier, safe to show; anything else is dropped. */
function cspErrorCode (text: string): string {
  try {
    const code = JSON.parse(text) as { errorCode?: unknown, cspErrorCode?: unknown }
    const value = code.cspErrorCode ?? code.errorCode
    return typeof value === 'string' && /^[\w.:-]{1,64}$/.test(value) ? `, ${value}` : ''
  } catch {
    return ''
  }
}

export function retryAfterMs (header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header
  if (value === undefined || value.trim() === '') return undefined
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now())
}

/** `cancelled`: the caller's signal fired (the proxy is stopping), as opposed to any other abort. */
function transportError (err: unknown, timeoutMs: number, cancelled: boolean): TokenError {
  const e = err as { name?: string, code?: string, cause?: { code?: string } }
  if (e.name === 'TimeoutError' || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT' || e.code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new TokenError('timeout', `CSP did not answer the token request within ${timeoutMs} ms: the proxy retries with backoff; raise CSP_TIMEOUT_MS if the network is slow`)
  }
  if (cancelled) return new TokenError('error', 'the token request was cancelled because the proxy is shutting down')
  const refusedWith = tunnelRefusalStatus(err)
  if (refusedWith !== undefined) {
    return new TokenError('error', `the outbound proxy (HTTPS_PROXY or HTTP_PROXY) refused to open a connection to CSP (HTTP ${refusedWith}): ${outboundProxyAdvice(refusedWith)}; the proxy retries with backoff`)
  }
  const code = e.code ?? e.cause?.code ?? 'network error'
  if (isTlsCode(code)) {
    return new TokenError('error', `CSP presented a TLS certificate that could not be verified (${code}): for a private CA set NODE_EXTRA_CA_CERTS; check CSP_BASE_URL and HTTPS_PROXY`)
  }
  return new TokenError('error', `CSP could not be reached (${code}): check CSP_BASE_URL, DNS and HTTPS_PROXY; the proxy retries with backoff`)
}
