// Builds the one frozen, typed Config from defaults < YAML file < environment < flags.
// Nothing else in the proxy reads process.env or argv.
import { ConfigError } from '../failures.js'
import { resolveCredentials, type Credentials } from './credential-settings.js'
import { SETTINGS, type Setting } from './settings.js'
import { readSettingLayers, type Layer, type SettingSource } from './sources.js'
import { normaliseBaseUrl, normaliseInstanceUrl } from './urls.js'
import { checkAccessLists, listOf, validateSettings } from './validate.js'

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

/** Lays one source's values over the lower ones', noting where each came from; credentials are read apart. */
function mergeLayer (layer: Layer, merged: Record<string, unknown>, sources: Record<string, SettingSource>): void {
  for (const s of SETTINGS as readonly Setting[]) {
    if (s.fileable === true) continue // credentials are resolved with their _FILE forms
    const value = layer.values.get(s.env)
    if (value === undefined) continue
    merged[s.env] = value
    sources[s.key] = layer.source
  }
}
