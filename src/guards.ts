// Who may use the proxy, and with which requests. The proxy holds a powerful credential:
// whoever can reach it acts with it, so every forwarded request passes these checks first.
// Each check returns the error to answer with, or undefined.
import type { IncomingMessage } from 'node:http'
import { BlockList, isIPv4, isIPv6 } from 'node:net'
import {
  WAP_ERR_BAD_REQUEST_TARGET, WAP_ERR_CLIENT_NOT_ALLOWED, WAP_ERR_HOST_NOT_ALLOWED, WAP_ERR_ORIGIN_NOT_ALLOWED,
  WAP_ERR_PATH_NOT_ALLOWED, WAP_ERR_READ_ONLY
} from './errors.js'

export interface GuardOptions {
  readonly allowedHosts: readonly string[]
  readonly allowedOrigins: readonly string[]
  readonly allowedClients: readonly string[]
  readonly readOnly: boolean
  readonly allowedPaths: readonly string[]
}

export type GuardError = Error & { statusCode: number }
export type RefusalReason = 'bad_target' | 'host' | 'origin' | 'client' | 'read_only' | 'path'

export interface Refusal { readonly reason: RefusalReason, readonly error: GuardError }

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1'])

export function isLoopbackHost (host: string): boolean {
  return LOOPBACK_NAMES.has(host.toLowerCase()) || host.startsWith('127.')
}

/** Request-target hygiene, for every request: only origin-form paths with nothing that could
 * normalise somewhere else. Forwarded targets are sent upstream byte for byte, so what passes
 * here is exactly what the instance sees. */
export function checkTarget (url: string): Refusal | undefined {
  const problem = targetProblem(url)
  return problem === undefined ? undefined : { reason: 'bad_target', error: new WAP_ERR_BAD_REQUEST_TARGET(problem) }
}

function targetProblem (url: string): string | undefined {
  if (url.charCodeAt(0) !== 47 /* / */) return 'not an origin-form path (absolute URLs and CONNECT are not proxied)'
  const q = url.indexOf('?')
  const path = q < 0 ? url : url.slice(0, q)
  // fast path: nothing that could encode or spell a dot-segment or another path
  if (!/[%\\.]/.test(path) && !/[\u0000-\u001f\u007f]/.test(url)) return undefined
  if (/[\u0000-\u001f\u007f]/.test(url) || /%00/i.test(url)) return 'control characters or NUL bytes'
  if (path.includes('\\') || /%5c/i.test(path)) return 'a backslash in the path'
  if (/%2f/i.test(path)) return 'an encoded slash (%2F) in the path'
  if (/%25(2e|2f|5c|00)/i.test(path)) return 'double percent-encoding in the path'
  for (const segment of path.split('/')) {
    const s = segment.replace(/%2e/gi, '.')
    if (s === '.' || s === '..') return 'a dot-segment (. or ..) in the path'
  }
  return undefined
}

/** The checks for a forwarded request, in the order a request meets them. */
export class Guards {
  readonly #hosts: ReadonlySet<string>
  readonly #origins: ReadonlySet<string>
  readonly #clients: BlockList | undefined
  readonly #readOnly: boolean
  readonly #paths: readonly string[]

  constructor (opts: GuardOptions) {
    this.#hosts = new Set(opts.allowedHosts.map((h) => h.toLowerCase()))
    this.#origins = new Set(opts.allowedOrigins.map((o) => o.toLowerCase().replace(/\/+$/, '')))
    this.#clients = opts.allowedClients.length === 0 ? undefined : blockListOf(opts.allowedClients)
    this.#readOnly = opts.readOnly
    this.#paths = opts.allowedPaths
  }

  check (req: IncomingMessage, path: string): Refusal | undefined {
    const headers = req.headers
    if (!this.#hostAllowed(headers.host)) return { reason: 'host', error: new WAP_ERR_HOST_NOT_ALLOWED() }
    const browser = this.#browserProblem(headers.origin, headers['sec-fetch-site'])
    if (browser !== undefined) return { reason: 'origin', error: new WAP_ERR_ORIGIN_NOT_ALLOWED(browser) }
    if (this.#clients !== undefined && !clientAllowed(this.#clients, req.socket.remoteAddress)) {
      return { reason: 'client', error: new WAP_ERR_CLIENT_NOT_ALLOWED() }
    }
    if (this.#readOnly && req.method !== 'GET' && req.method !== 'HEAD') return { reason: 'read_only', error: new WAP_ERR_READ_ONLY() }
    if (this.#paths.length > 0 && !this.#paths.some((p) => pathWithin(path, p))) return { reason: 'path', error: new WAP_ERR_PATH_NOT_ALLOWED() }
    return undefined
  }

  /** DNS-rebinding guard: a page that re-points its own name at 127.0.0.1 still sends its own Host. */
  #hostAllowed (host: string | undefined): boolean {
    if (host === undefined) return false
    const lower = host.toLowerCase()
    const name = lower.startsWith('[') ? lower.slice(0, lower.indexOf(']') + 1) : lower.replace(/:\d*$/, '')
    return LOOPBACK_NAMES.has(name) || this.#hosts.has(name) || this.#hosts.has(lower)
  }

  #browserProblem (origin: string | undefined, fetchSite: string | string[] | undefined): string | undefined {
    if (origin !== undefined) return this.#origins.has(origin.toLowerCase()) ? undefined : `Origin ${JSON.stringify(origin)} is not in ALLOWED_ORIGINS`
    if (fetchSite === 'cross-site' || fetchSite === 'same-site') return `Sec-Fetch-Site: ${fetchSite}`
    return undefined
  }
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

interface ParsedCidr { address: string, prefix: number, family: 'ipv4' | 'ipv6' }

/** Accepts 10.0.0.0/8, fd00::/8 and bare addresses; undefined when malformed. */
export function parseCidr (cidr: string): ParsedCidr | undefined {
  const [address = '', bits] = cidr.trim().split('/')
  const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : undefined
  if (family === undefined) return undefined
  const max = family === 'ipv4' ? 32 : 128
  const prefix = bits === undefined ? max : Number(bits)
  if (!/^\d+$/.test(bits ?? String(max)) || prefix < 0 || prefix > max) return undefined
  return { address, prefix, family }
}

function clientAllowed (list: BlockList, address: string | undefined): boolean {
  if (address === undefined) return false
  // An IPv4 client on a dual-stack socket appears as ::ffff:a.b.c.d
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped !== null) return list.check(mapped[1] as string, 'ipv4')
  return list.check(address, isIPv6(address) ? 'ipv6' : 'ipv4')
}
