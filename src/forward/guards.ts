// Who may use the proxy, and with which requests. The proxy holds a powerful credential:
// whoever can reach it acts with it, so every forwarded request passes these checks first.
// A check returns the refusal to answer with, or undefined; Guards.check also says which CORS
// headers an allowed origin gets and whether its preflight is answered locally.
import type { IncomingMessage } from 'node:http'
import { BlockList, isIPv6 } from 'node:net'
import { parseCidr, type ParsedCidr } from '../config/addresses.js'
import {
  WAP_ERR_CLIENT_NOT_ALLOWED, WAP_ERR_HOST_INVALID, WAP_ERR_HOST_NOT_ALLOWED, WAP_ERR_ORIGIN_NOT_ALLOWED,
  WAP_ERR_PATH_NOT_ALLOWED, WAP_ERR_READ_ONLY
} from '../errors.js'
import type { Refusal } from './target.js'

export interface GuardOptions {
  readonly allowedHosts: readonly string[]
  readonly allowedOrigins: readonly string[]
  readonly allowedClients: readonly string[]
  readonly readOnly: boolean
  readonly allowedPaths: readonly string[]
}

export type { Refusal }

/** What the guards decided for one forwarded request. */
export interface Verdict {
  /** answer locally with this error; undefined when the request may go on */
  readonly refusal: Refusal | undefined
  /** a CORS preflight from an allowed origin: answer it locally with 204, never forward it */
  readonly preflight: boolean
  /** headers every answer to this request carries: CORS for an allowed origin, else none */
  readonly headers: Readonly<Record<string, string>>
}

export const FORWARDED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']
const READ_METHODS = ['GET', 'HEAD']
/** What a browser page from an allowed origin may send besides the CORS-safelisted headers. */
const CORS_ALLOWED_HEADERS = 'content-type, content-encoding, x-request-id'

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]'])

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({})
const ADMITTED: Verdict = Object.freeze({ refusal: undefined, preflight: false, headers: NO_HEADERS })

/** The checks for a forwarded request, in the order a request meets them. */
export class Guards {
  readonly #hosts: ReadonlySet<string>
  readonly #origins: ReadonlySet<string>
  readonly #clients: BlockList | undefined
  readonly #readOnly: boolean
  readonly #paths: readonly string[]
  readonly #preflight: Readonly<Record<string, string>>
  /** the Host value last admitted: a client sends the same one on every request */
  #admittedHost: string | undefined

  constructor (opts: GuardOptions) {
    this.#hosts = new Set(opts.allowedHosts.map((h) => h.toLowerCase()))
    this.#origins = new Set(opts.allowedOrigins.map((o) => o.toLowerCase().replace(/\/+$/, '')))
    this.#clients = opts.allowedClients.length === 0 ? undefined : blockListOf(opts.allowedClients)
    this.#readOnly = opts.readOnly
    this.#paths = opts.allowedPaths
    this.#preflight = {
      'access-control-allow-methods': (opts.readOnly ? READ_METHODS : FORWARDED_METHODS).join(', '),
      'access-control-allow-headers': CORS_ALLOWED_HEADERS,
      'access-control-max-age': '600'
    }
  }

  check (req: IncomingMessage, path: string): Verdict {
    const headers = req.headers
    const host = this.#hostRefusal(req)
    if (host !== undefined) return refused(host)
    const origin = headers.origin
    if (origin === undefined) {
      if (fromOtherSite(headers['sec-fetch-site'])) return refused(notFromPages(`Sec-Fetch-Site: ${String(headers['sec-fetch-site'])}`))
      const refusal = this.#callerRefusal(req, path)
      return refusal === undefined ? ADMITTED : refused(refusal)
    }
    if (!this.#origins.has(origin.toLowerCase())) return refused(notFromPages(`Origin ${JSON.stringify(origin)} is not in ALLOWED_ORIGINS`))
    // An allowed origin: every answer names it (never *), so its page can read refusals too.
    const cors = { 'access-control-allow-origin': origin, vary: 'Origin' }
    if (req.method === 'OPTIONS' && headers['access-control-request-method'] !== undefined) {
      // A preflight only asks: the method and path checks meet the real request that follows.
      const client = this.#clientRefusal(req)
      if (client !== undefined) return { refusal: client, preflight: false, headers: cors }
      return { refusal: undefined, preflight: true, headers: { ...cors, ...this.#preflight } }
    }
    return { refusal: this.#callerRefusal(req, path), preflight: false, headers: cors }
  }

  #callerRefusal (req: IncomingMessage, path: string): Refusal | undefined {
    const client = this.#clientRefusal(req)
    if (client !== undefined) return client
    if (this.#readOnly && !READ_METHODS.includes(req.method as string)) return { reason: 'read_only', error: new WAP_ERR_READ_ONLY() }
    if (this.#paths.length > 0 && !this.#paths.some((p) => pathWithin(path, p))) return { reason: 'path', error: new WAP_ERR_PATH_NOT_ALLOWED() }
    return undefined
  }

  #clientRefusal (req: IncomingMessage): Refusal | undefined {
    if (this.#clients === undefined || clientAllowed(this.#clients, req.socket.remoteAddress)) return undefined
    return { reason: 'client', error: new WAP_ERR_CLIENT_NOT_ALLOWED() }
  }

  /** DNS-rebinding guard: a page that re-points its own name at 127.0.0.1 still sends its own Host. */
  #hostRefusal (req: IncomingMessage): Refusal | undefined {
    const host = req.headers.host
    if (host === undefined) return { reason: 'host', error: new WAP_ERR_HOST_INVALID('the request has no Host header') }
    if (hostCount(req.rawHeaders) > 1) return { reason: 'host', error: new WAP_ERR_HOST_INVALID('the request has more than one Host header') }
    if (host === this.#admittedHost) return undefined
    const lower = host.toLowerCase()
    const name = HOST.exec(lower)?.[1]
    if (name === undefined || !(LOOPBACK_NAMES.has(name) || this.#hosts.has(name) || this.#hosts.has(lower))) return { reason: 'host', error: new WAP_ERR_HOST_NOT_ALLOWED() }
    this.#admittedHost = host
    return undefined
  }
}

/** host [":" port], the host a bracketed IPv6 literal or a name without brackets or colons. */
const HOST = /^(\[[0-9a-f:.]+\]|[^[\]:]+)(?::\d*)?$/

function refused (refusal: Refusal): Verdict {
  return { refusal, preflight: false, headers: NO_HEADERS }
}

function notFromPages (why: string): Refusal {
  return { reason: 'origin', error: new WAP_ERR_ORIGIN_NOT_ALLOWED(why) }
}

function hostCount (rawHeaders: readonly string[]): number {
  let n = 0
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string
    if (name.length === 4 && name.toLowerCase() === 'host') n++
  }
  return n
}

/** Sec-Fetch-Site is sent by browsers only; "none" (typed in the address bar) and "same-origin" are the user's own. */
function fromOtherSite (fetchSite: string | undefined): boolean {
  return fetchSite !== undefined && /(?:^|,)\s*(?:cross-site|same-site)\s*(?:,|$)/i.test(fetchSite)
}

/** An allowed prefix matches itself and what lies below it, never a sibling (/api/v2/alert ≠ /api/v2/alerts). */
function pathWithin (path: string, prefix: string): boolean {
  if (!path.startsWith(prefix)) return false
  return path.length === prefix.length || prefix.endsWith('/') || path.charCodeAt(prefix.length) === 47
}

function blockListOf (cidrs: readonly string[]): BlockList {
  const list = new BlockList()
  for (const cidr of cidrs) {
    const { address, prefix, family } = parseCidr(cidr) as ParsedCidr
    list.addSubnet(address, prefix, family)
  }
  return list
}

function clientAllowed (list: BlockList, address: string | undefined): boolean {
  if (address === undefined) return false
  // An IPv4 client on a dual-stack socket appears as ::ffff:a.b.c.d
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped !== null) return list.check(mapped[1] as string, 'ipv4')
  return list.check(address, isIPv6(address) ? 'ipv6' : 'ipv4')
}
