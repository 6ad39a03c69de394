// Every setting the proxy reads, in one table: config loading, --help, --print-config and
// config.example.yaml are all derived from it, so a setting cannot be documented in one
// place and forgotten in another.

export type SettingType = 'string' | 'url' | 'integer' | 'boolean' | 'list' | 'enum'

export interface Setting {
  /** camelCase name, also the YAML file key */
  readonly key: string
  /** environment variable */
  readonly env: string
  /** command-line flag without the leading dashes; absent for secrets (argv is visible in `ps`) */
  readonly flag?: string
  readonly type: SettingType
  readonly group: SettingGroup
  readonly description: string
  readonly default?: string | number | boolean | readonly string[]
  readonly values?: readonly string[]
  readonly min?: number
  readonly max?: number
  /** never printed, logged or echoed */
  readonly secret?: boolean
  /** also readable from a file named by `<ENV>_FILE` (the Kubernetes secret-mount convention) */
  readonly fileable?: boolean
}

export type SettingGroup = 'Instance and credentials' | 'Listening' | 'Access control' | 'Limits and timeouts' | 'Logging and metrics' | 'Runtime'

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

const MiB = 1024 * 1024

export const SETTINGS = [
  {
    key: 'wavefrontUrl',
    env: 'WAVEFRONT_URL',
    flag: 'wavefront-url',
    type: 'url',
    group: 'Instance and credentials',
    description: 'The Wavefront instance, e.g. https://example.wavefront.com (a trailing /, /api/ or /api/v2 is accepted). Required.'
  },
  {
    key: 'cspAppId',
    env: 'CSP_APP_ID',
    flag: 'csp-app-id',
    type: 'string',
    group: 'Instance and credentials',
    fileable: true,
    description: 'Server-to-server OAuth app id (CSP app mode, with CSP_APP_SECRET).'
  },
  {
    key: 'cspAppSecret',
    env: 'CSP_APP_SECRET',
    type: 'string',
    group: 'Instance and credentials',
    fileable: true,
    secret: true,
    description: 'Server-to-server OAuth app secret (CSP app mode).'
  },
  {
    key: 'cspOrgId',
    env: 'CSP_ORG_ID',
    flag: 'csp-org-id',
    type: 'string',
    group: 'Instance and credentials',
    fileable: true,
    description: 'Optional CSP organization id that pins the app token to one organization (CSP app mode only).'
  },
  {
    key: 'cspApiToken',
    env: 'CSP_API_TOKEN',
    type: 'string',
    group: 'Instance and credentials',
    fileable: true,
    secret: true,
    description: 'User account API token (CSP API-token mode).'
  },
  {
    key: 'wavefrontToken',
    env: 'WAVEFRONT_TOKEN',
    type: 'string',
    group: 'Instance and credentials',
    fileable: true,
    secret: true,
    description: 'Original-subscription Wavefront API token, sent as is (static-token mode).'
  },
  {
    key: 'cspBaseUrl',
    env: 'CSP_BASE_URL',
    flag: 'csp-base-url',
    type: 'url',
    group: 'Instance and credentials',
    default: 'https://console.cloud.vmware.com',
    description: 'VMware Cloud services (CSP) console that issues tokens: https://console.cloud.vmware.com for Wavefront organizations, https://console.tanzu.broadcom.com for Broadcom\'s Tanzu products.'
  },
  {
    key: 'tokenOutputFile',
    env: 'TOKEN_OUTPUT_FILE',
    flag: 'token-output-file',
    type: 'string',
    group: 'Instance and credentials',
    description: 'Also write the current access token to this file (mode 0600, replaced atomically) at start and after every refresh, for a neighbour that reads its token from a file; emptied when the token runs out with no successor.'
  },
  {
    key: 'host',
    env: 'HOST',
    flag: 'host',
    type: 'string',
    group: 'Listening',
    default: '127.0.0.1',
    description: 'Address to listen on. Anything but loopback lets other machines use the credential: see Security in the README.'
  },
  {
    key: 'port',
    env: 'PORT',
    flag: 'port',
    type: 'integer',
    group: 'Listening',
    default: 9191,
    min: 0,
    max: 65535,
    description: 'TCP port to listen on (0 picks a free port).'
  },
  {
    key: 'allowedHosts',
    env: 'ALLOWED_HOSTS',
    flag: 'allowed-hosts',
    type: 'list',
    group: 'Access control',
    default: [],
    description: 'Host names, besides localhost, 127.0.0.1 and [::1], that clients may use to reach the proxy (DNS-rebinding guard).'
  },
  {
    key: 'allowedOrigins',
    env: 'ALLOWED_ORIGINS',
    flag: 'allowed-origins',
    type: 'list',
    group: 'Access control',
    default: [],
    description: 'Browser origins allowed to call the proxy; by default no web page may.'
  },
  {
    key: 'allowedClients',
    env: 'ALLOWED_CLIENTS',
    flag: 'allowed-clients',
    type: 'list',
    group: 'Access control',
    default: [],
    description: 'CIDR ranges (IPv4 or IPv6) of client addresses that may use the proxy; empty allows every client that can connect.'
  },
  {
    key: 'readOnly',
    env: 'READ_ONLY',
    flag: 'read-only',
    type: 'boolean',
    group: 'Access control',
    default: false,
    description: 'Forward only GET and HEAD requests.'
  },
  {
    key: 'allowedPaths',
    env: 'ALLOWED_PATHS',
    flag: 'allowed-paths',
    type: 'list',
    group: 'Access control',
    default: [],
    description: 'Path prefixes that may be forwarded (e.g. /api/v2/source,/report); empty allows all of /api/v2/ and /report.'
  },
  {
    key: 'upstreamTimeoutMs',
    env: 'UPSTREAM_TIMEOUT_MS',
    flag: 'upstream-timeout-ms',
    type: 'integer',
    group: 'Limits and timeouts',
    default: 60_000,
    min: 1,
    max: 3_600_000,
    description: 'How long the instance may take to start answering, and may stay silent mid-body, before the request fails with 504.'
  },
  {
    key: 'cspTimeoutMs',
    env: 'CSP_TIMEOUT_MS',
    flag: 'csp-timeout-ms',
    type: 'integer',
    group: 'Limits and timeouts',
    default: 10_000,
    min: 1,
    max: 600_000,
    description: 'Timeout of one token request to CSP.'
  },
  {
    key: 'bodyLimit',
    env: 'BODY_LIMIT',
    flag: 'body-limit',
    type: 'integer',
    group: 'Limits and timeouts',
    default: 256 * MiB,
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
    description: 'Largest request body in bytes (413 above it); 0 disables the limit.'
  },
  {
    key: 'upstreamConnections',
    env: 'UPSTREAM_CONNECTIONS',
    flag: 'upstream-connections',
    type: 'integer',
    group: 'Limits and timeouts',
    default: 128,
    min: 1,
    max: 65_535,
    description: 'Most keep-alive connections held open to the instance.'
  },
  {
    key: 'uploadConnections',
    env: 'UPLOAD_CONNECTIONS',
    flag: 'upload-connections',
    type: 'integer',
    group: 'Limits and timeouts',
    default: 32,
    min: 1,
    max: 65_535,
    description: 'Connections to the instance for streamed request bodies (chunked, or over 1 MiB), apart from UPSTREAM_CONNECTIONS: slow uploads cannot take the connections API calls need; more uploads than this wait their turn.'
  },
  {
    key: 'headersTimeoutMs',
    env: 'HEADERS_TIMEOUT_MS',
    flag: 'headers-timeout-ms',
    type: 'integer',
    group: 'Limits and timeouts',
    default: 20_000,
    min: 1_000,
    max: 600_000,
    description: 'How long a client may take to send a request line and headers; slower ones get 408 and are disconnected (checked every second).'
  },
  {
    key: 'bodyTimeoutMs',
    env: 'BODY_TIMEOUT_MS',
    flag: 'body-timeout-ms',
    type: 'integer',
    group: 'Limits and timeouts',
    default: 30_000,
    min: 0,
    max: 3_600_000,
    description: 'Longest a request body may go without a byte while the proxy reads it, and the grace before BODY_MIN_RATE applies: 408 if nothing reached the instance yet, else both connections are cut; 0 disables both.'
  },
  {
    key: 'bodyMinRate',
    env: 'BODY_MIN_RATE',
    flag: 'body-min-rate',
    type: 'integer',
    group: 'Limits and timeouts',
    default: 1024,
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
    description: 'Bytes per second a request body must average once BODY_TIMEOUT_MS has passed (each BODY_MIN_RATE bytes buy another second, like Apache mod_reqtimeout MinRate); 0 disables.'
  },
  {
    key: 'shutdownGraceMs',
    env: 'SHUTDOWN_GRACE_MS',
    flag: 'shutdown-grace-ms',
    type: 'integer',
    group: 'Limits and timeouts',
    default: 10_000,
    min: 0,
    max: 600_000,
    description: 'On SIGTERM or SIGINT, how long in-flight requests may take to finish before the process exits.'
  },
  {
    key: 'logLevel',
    env: 'LOG_LEVEL',
    flag: 'log-level',
    type: 'enum',
    group: 'Logging and metrics',
    default: 'info',
    values: LOG_LEVELS,
    description: 'Log level; info logs one access line per request.'
  },
  {
    key: 'logFormat',
    env: 'LOG_FORMAT',
    flag: 'log-format',
    type: 'enum',
    group: 'Logging and metrics',
    default: 'auto',
    values: ['auto', 'json', 'pretty'],
    description: 'json, pretty (colour, needs pino-pretty), or auto: pretty when stdout is a terminal and pino-pretty is installed.'
  },
  {
    key: 'metrics',
    env: 'METRICS',
    flag: 'metrics',
    type: 'boolean',
    group: 'Logging and metrics',
    default: true,
    description: 'Serve Prometheus metrics at /metrics.'
  },
  {
    key: 'runtimeTuning',
    env: 'RUNTIME_TUNING',
    flag: 'runtime-tuning',
    type: 'boolean',
    group: 'Runtime',
    default: true,
    description: 'Tune V8 for relaying large bodies and for sustained load (a minor GC every 8 MiB relayed, a V8 flag set at start); false leaves Node as it is.'
  }
] as const satisfies readonly Setting[]

export type SettingKey = (typeof SETTINGS)[number]['key']

/** The configuration file is named by CONFIG_FILE or --config; it is not itself a setting in the file. */
export const CONFIG_FILE_ENV = 'CONFIG_FILE'
export const CONFIG_FILE_FLAG = 'config'

export const FILE_SUFFIX_ENV = '_FILE'
export const FILE_SUFFIX_KEY = 'File'
export const FILE_SUFFIX_FLAG = '-file'

export function isSecret (env: string): boolean {
  return (SETTINGS as readonly Setting[]).some((s) => s.env === env && s.secret === true)
}

/** A setting's flag; secrets have no plain flag (argv is visible to every local user), only the -file form. */
export function flagName (s: Setting): string {
  return s.flag ?? s.key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())
}
