// Builds the one frozen, typed Config from defaults < YAML file < environment < flags.
// Nothing else in the proxy reads process.env or argv.
import envSchema from 'env-schema'
import { readSettingLayers, type Layer, type SettingSource } from './sources.js'
import { resolveCredentials, type Credentials } from './credential-settings.js'
import { ConfigError } from '../failures.js'
import { parseCidr } from './addresses.js'
import { SETTINGS, type Setting, type SettingKey } from './settings.js'

export interface Config {
  /** The instance origin, e.g. https://example.wavefront.com */
  readonly wavefrontOrigin: string
  readonly cspBaseUrl: string
  /** TOKEN_OUTPUT_FILE: where the running proxy also writes its token, if anywhere */
  readonly tokenOutputFile: string | undefined
  readonly credentials: Credentials
  readonly host: string
  readonly port: number
  readonly allowedHosts: readonly string[]
  readonly allowedOrigins: readonly string[]
  readonly allowedClients: readonly string[]
  readonly readOnly: boolean
  readonly allowedPaths: readonly string[]
  readonly upstreamTimeoutMs: number
  readonly cspTimeoutMs: number
  readonly bodyLimit: number
  readonly upstreamConnections: number
  readonly uploadConnections: number
  readonly headersTimeoutMs: number
  /** body stall timeout and min-rate grace; 0 disables */
  readonly bodyTimeoutMs: number
  /** bytes per second; 0 disables */
  readonly bodyMinRate: number
  readonly shutdownGraceMs: number
  readonly logLevel: string
  readonly logFormat: 'auto' | 'json' | 'pretty'
  readonly metrics: boolean
  /** V8 tuning (src/runtime/), installed by serve() */
  readonly runtimeTuning: boolean
  /** HTTP_PROXY, HTTPS_PROXY, NO_PROXY (lowercase spellings first, as curl does); empty when unset */
  readonly outboundProxy: { readonly httpProxy: string, readonly httpsProxy: string, readonly noProxy: string }
  /** Where each setting's value came from, for --print-config */
  readonly sources: Readonly<Record<string, SettingSource>>
  readonly configFile: string | undefined
}

export interface ConfigInput {
  readonly env: NodeJS.ProcessEnv
  readonly argv: readonly string[]
}

export function loadConfig ({ env, argv }: ConfigInput): Config {
  const { layers, configFile } = readSettingLayers(env, argv)
  const problems: string[] = []
  const merged: Record<string, unknown> = {}
  const sources: Record<string, SettingSource> = {}
  for (const layer of layers) mergeLayer(layer, merged, sources)

  const credentials = resolveCredentials(layers, problems)
  const wavefrontOrigin = normaliseInstanceUrl(merged.WAVEFRONT_URL, problems)
  const values = validateSettings(merged, sources, problems)
  const cspBaseUrl = normaliseBaseUrl(String(values.CSP_BASE_URL), 'CSP_BASE_URL', problems)
  checkAccessLists(values, problems)
  if (problems.length > 0 || credentials === undefined) throw new ConfigError(problems)

  for (const s of SETTINGS) sources[s.key] ??= 'default'
  return Object.freeze({
    wavefrontOrigin: wavefrontOrigin as string,
    cspBaseUrl: cspBaseUrl as string,
    credentials,
    tokenOutputFile: values.TOKEN_OUTPUT_FILE === undefined ? undefined : String(values.TOKEN_OUTPUT_FILE),
    host: String(values.HOST),
    port: Number(values.PORT),
    allowedHosts: listOf(values.ALLOWED_HOSTS),
    allowedOrigins: listOf(values.ALLOWED_ORIGINS),
    allowedClients: listOf(values.ALLOWED_CLIENTS),
    readOnly: Boolean(values.READ_ONLY),
    allowedPaths: listOf(values.ALLOWED_PATHS),
    upstreamTimeoutMs: Number(values.UPSTREAM_TIMEOUT_MS),
    cspTimeoutMs: Number(values.CSP_TIMEOUT_MS),
    bodyLimit: Number(values.BODY_LIMIT),
    upstreamConnections: Number(values.UPSTREAM_CONNECTIONS),
    uploadConnections: Number(values.UPLOAD_CONNECTIONS),
    headersTimeoutMs: Number(values.HEADERS_TIMEOUT_MS),
    bodyTimeoutMs: Number(values.BODY_TIMEOUT_MS),
    bodyMinRate: Number(values.BODY_MIN_RATE),
    shutdownGraceMs: Number(values.SHUTDOWN_GRACE_MS),
    logLevel: String(values.LOG_LEVEL),
    logFormat: values.LOG_FORMAT as Config['logFormat'],
    metrics: Boolean(values.METRICS),
    runtimeTuning: Boolean(values.RUNTIME_TUNING),
    outboundProxy: Object.freeze({
      // || not ??: an empty lowercase variable must not hide the uppercase one
      httpProxy: env.http_proxy || env.HTTP_PROXY || '',
      httpsProxy: env.https_proxy || env.HTTPS_PROXY || '',
      noProxy: env.no_proxy || env.NO_PROXY || ''
    }),
    sources: Object.freeze(sources),
    configFile
  })
}

function mergeLayer (layer: Layer, merged: Record<string, unknown>, sources: Record<string, SettingSource>): void {
  for (const s of SETTINGS as readonly Setting[]) {
    if (s.fileable === true) continue // credentials are resolved with their _FILE forms
    const value = layer.values.get(s.env)
    if (value === undefined) continue
    merged[s.env] = value
    sources[s.key] = layer.source
  }
}

/** env-schema coerces and checks types, ranges and enums, and fills defaults. An invalid value
 * is reported and dropped, and the rest validated again, so one bad setting does not hide others. */
function validateSettings (merged: Record<string, unknown>, sources: Record<string, SettingSource>, problems: string[]): Record<string, unknown> {
  const properties: Record<string, object> = {}
  const checked = (SETTINGS as readonly Setting[]).filter((s) => s.fileable !== true)
  for (const s of checked) properties[s.env] = schemaFor(s)
  const data = { ...merged }
  for (;;) {
    try {
      return envSchema({ schema: { type: 'object', properties }, data: [data], env: false }) as Record<string, unknown>
    } catch (err) {
      const errors = (err as { errors?: Array<{ instancePath: string, keyword: string }> }).errors ?? []
      const invalid = checked.filter((s) => errors.some((e) => e.instancePath === `/${s.env}`) && s.env in data)
      if (invalid.length === 0) throw err // not a value problem: a bug in the schema itself
      for (const setting of invalid) {
        problems.push(describeInvalid(setting, data[setting.env], sources[setting.key]))
        delete data[setting.env]
      }
    }
  }
}

function schemaFor (s: Setting): object {
  switch (s.type) {
    case 'integer': return { type: 'integer', minimum: s.min, maximum: s.max, default: s.default }
    case 'boolean': return { type: 'boolean', default: s.default }
    case 'enum': return { type: 'string', enum: s.values, default: s.default }
    case 'list': return { type: 'string', separator: ',', default: '' }
    default: return { type: 'string', default: s.default }
  }
}

function describeInvalid (s: Setting, value: unknown, source: SettingSource | undefined): string {
  const where = source === undefined ? '' : ` (from ${source})`
  const expected = s.type === 'integer'
    ? `a whole number from ${s.min ?? 0} to ${s.max ?? Number.MAX_SAFE_INTEGER}`
    : s.type === 'boolean' ? 'true or false' : s.type === 'enum' ? `one of ${(s.values ?? []).join(', ')}` : 'text'
  return `${s.env}=${JSON.stringify(value)}${where} is not valid: expected ${expected}`
}

function checkAccessLists (values: Record<string, unknown>, problems: string[]): void {
  for (const c of listOf(values.ALLOWED_CLIENTS)) {
    if (parseCidr(c) === undefined) problems.push(`ALLOWED_CLIENTS entry ${JSON.stringify(c)} is not an address or CIDR range: write e.g. 10.0.0.0/8,fd00::/8`)
  }
  for (const p of listOf(values.ALLOWED_PATHS)) {
    if (!p.startsWith('/api/v2/') && p !== '/report') problems.push(`ALLOWED_PATHS entry ${JSON.stringify(p)} is not under /api/v2/ or /report: write e.g. /api/v2/source,/report`)
  }
  for (const o of listOf(values.ALLOWED_ORIGINS)) {
    if (!/^(https?:\/\/[^/\s]+|null)$/i.test(o.replace(/\/+$/, ''))) problems.push(`ALLOWED_ORIGINS entry ${JSON.stringify(o)} is not an origin: write e.g. https://dashboards.example.com`)
  }
}

function listOf (value: unknown): string[] {
  return Array.isArray(value) ? value.map((v) => String(v).trim()).filter((v) => v !== '') : []
}

const INSTANCE_PATHS = new Set(['', '/', '/api', '/api/', '/api/v2', '/api/v2/'])

/** The Wavefront docs write https://x.wavefront.com/api/; all such spellings mean the origin. */
export function normaliseInstanceUrl (raw: unknown, problems: string[]): string | undefined {
  if (raw === undefined) {
    problems.push('WAVEFRONT_URL is required: set it to your Wavefront instance, e.g. WAVEFRONT_URL=https://example.wavefront.com')
    return undefined
  }
  const url = parseHttpUrl(String(raw), 'WAVEFRONT_URL', problems)
  if (url === undefined) return undefined
  if (!INSTANCE_PATHS.has(url.pathname) || url.search !== '' || url.hash !== '') {
    problems.push(`WAVEFRONT_URL=${shown(String(raw))} has a path or query the proxy cannot use: set the instance origin, e.g. https://example.wavefront.com`)
    return undefined
  }
  return url.origin
}

function normaliseBaseUrl (raw: string, name: string, problems: string[]): string | undefined {
  const url = parseHttpUrl(raw, name, problems)
  // A trailing slash would produce //csp/... in token URLs.
  return url === undefined ? undefined : url.origin + url.pathname.replace(/\/+$/, '')
}

function parseHttpUrl (raw: string, name: string, problems: string[]): URL | undefined {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    problems.push(`${name}=${shown(raw)} is not a URL: write it as https://host[:port]`)
    return undefined
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    problems.push(`${name}=${shown(raw)} must start with https:// (or http:// for a local test server)`)
    return undefined
  }
  if (url.username !== '' || url.password !== '') {
    problems.push(`${name} must not contain a user name or password: give credentials through CSP_APP_ID/CSP_APP_SECRET, CSP_API_TOKEN or WAVEFRONT_TOKEN`)
    return undefined
  }
  return url
}

/** A URL is echoed in errors only when it cannot hold a user name or password. */
function shown (raw: string): string {
  return raw.includes('@') ? '(value hidden: it contains @)' : JSON.stringify(raw)
}

export type { SettingKey, SettingSource }
