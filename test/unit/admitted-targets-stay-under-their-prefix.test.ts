// Property: every target the proxy admits still falls under the same forwarded prefix, and under
// the same ALLOWED_PATHS entry, after each decoding a server might apply to it: percent-decoding
// once, %2F read as /, \ read as /, ;parameters dropped, decoded once and then parsed again as a
// URL (cut at ? or #), dot-segments removed, and all of them in a row. Targets are built from the pieces traversal tricks are made of.
import type { IncomingMessage } from 'node:http'
import fc from 'fast-check'
import t from 'tap'
import { Guards } from '../../src/forward/guards.js'
import { checkForwardedTarget, pathOf } from '../../src/forward/target.js'

const PIECES = [
  '/', '.', '..', '%2E', '%2e', '%2F', '%2f', '%5C', '%5c', '\\', ';', '%3B', '%3b', '%25', '%252F', '%252e', '%2525',
  '%20', '%3A', ':', '%3F', '%3f', '%23', '%253F', 'a', 'event', 'alert', 'source', '1700000000000:deploy', 'x', '%41', '%32', '%46', '%00', '%0a', '?', '=', '&', '#'
]
const PREFIXES = ['/api/v2/', '/api/v2/event', '/api/v2/event/', '/api/v2/alert', '/report', '/api/v2', '/api', '/']
const ALLOWED = [[], ['/api/v2/event'], ['/api/v2/event/'], ['/api/v2/alert', '/report'], ['/api/v2/source', '/api/v2/event']]

const target = fc.tuple(fc.constantFrom(...PREFIXES), fc.array(fc.constantFrom(...PIECES), { maxLength: 10 })).map(([p, rest]) => p + rest.join(''))

const decodeOnce = (p: string): string => p.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
const slashes = (p: string): string => p.replace(/%2f/gi, '/')
const backslashes = (p: string): string => p.replace(/\\/g, '/')
const params = (p: string): string => p.split('/').map((s) => s.split(';', 1)[0]).join('/')
/** A server that decodes the path and then parses the result as a URL again ends it at ? or #. */
const reparsed = (p: string): string => decodeOnce(p).split(/[?#]/, 1)[0] ?? ''
/** RFC 3986 §5.2.4, on an absolute path. */
function dots (p: string): string {
  const out: string[] = []
  const segments = p.split('/').slice(1)
  segments.forEach((s, i) => {
    const last = i === segments.length - 1
    if (s === '..') {
      out.pop()
      if (last) out.push('')
    } else if (s === '.') {
      if (last) out.push('')
    } else {
      out.push(s)
    }
  })
  return '/' + out.join('/')
}
const DECODINGS: Array<[string, (p: string) => string]> = [
  ['percent-decoded once', decodeOnce], ['%2F read as /', slashes], ['\\ read as /', backslashes], ['; parameters dropped', params],
  ['decoded, then parsed again', reparsed], ['dot-segments removed', dots],
  ['all of them', (p) => dots(params(backslashes(slashes(decodeOnce(p)))))], ['%2F as / then dots', (p) => dots(slashes(p))],
  ['decoded, parsed again, then dots', (p) => dots(params(backslashes(reparsed(p))))],
  ['decoded twice, parsed again, then dots', (p) => dots(reparsed(decodeOnce(p)))]
]

function request (url: string): IncomingMessage {
  return { url, method: 'GET', headers: { host: 'localhost' }, rawHeaders: ['Host', 'localhost'], socket: { remoteAddress: '127.0.0.1' } } as unknown as IncomingMessage
}

/** What the proxy forwards: its router's two routes, the target checks, then the path guard. */
function admitted (url: string, guards: Guards): boolean {
  const path = pathOf(url)
  if (!(path === '/report' || path.startsWith('/api/v2/'))) return false
  if (checkForwardedTarget(url) !== undefined) return false
  return guards.check(request(url), path).refusal === undefined
}

const underForwardedPrefix = (path: string): boolean => path === '/report' || path.startsWith('/api/v2/')

t.test('an admitted target stays under its forwarded prefix and ALLOWED_PATHS entry however a server decodes it', async (t) => {
  let admittedCount = 0
  fc.assert(fc.property(target, fc.constantFrom(...ALLOWED), (url, allowedPaths) => {
    const guards = new Guards({ allowedHosts: [], allowedOrigins: [], allowedClients: [], readOnly: false, allowedPaths })
    if (!admitted(url, guards)) return
    admittedCount++
    const entries = allowedPaths.filter((entry) => admitted(url, new Guards({ allowedHosts: [], allowedOrigins: [], allowedClients: [], readOnly: false, allowedPaths: [entry] })))
    if (allowedPaths.length > 0 && entries.length === 0) throw new Error(`${url} admitted by no single entry`)
    for (const [how, decode] of DECODINGS) {
      const decoded = decode(pathOf(url))
      if (!underForwardedPrefix(decoded)) throw new Error(`${url} → ${how} → ${decoded}: left the forwarded prefix`)
      for (const entry of entries) {
        const stays = new Guards({ allowedHosts: [], allowedOrigins: [], allowedClients: [], readOnly: false, allowedPaths: [entry] }).check(request(decoded), decoded).refusal === undefined
        if (!stays) throw new Error(`${url} → ${how} → ${decoded}: left ALLOWED_PATHS entry ${entry}`)
      }
    }
  }), { numRuns: 20_000, seed: 20 })
  t.ok(admittedCount > 1_000, `the generator reaches admitted targets often enough (${admittedCount} of 20000)`)
})

t.test('the generator reaches the tricky cases: refused traversals and admitted encoded slashes both occur', async (t) => {
  const samples = fc.sample(target, { numRuns: 20_000, seed: 21 })
  const guards = new Guards({ allowedHosts: [], allowedOrigins: [], allowedClients: [], readOnly: false, allowedPaths: [] })
  t.ok(samples.some((u) => /%2f/i.test(u) && admitted(u, guards)), 'some admitted target holds %2F')
  t.ok(samples.some((u) => /%2f(?:\.|%2e)/i.test(u) && !admitted(u, guards)), 'some refused target hides a dot-segment behind %2F')
})
