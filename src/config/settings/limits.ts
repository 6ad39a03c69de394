// Limits and timeouts: what one client or one instance may cost in bytes, connections and time.
import type { Setting, SettingGroup } from './types.js'

const group = 'Limits and timeouts' satisfies SettingGroup
const MiB = 1024 * 1024

export const LIMIT_SETTINGS = [
  {
    key: 'upstreamTimeoutMs',
    env: 'UPSTREAM_TIMEOUT_MS',
    flag: 'upstream-timeout-ms',
    type: 'integer',
    group,
    default: 60_000,
    min: 1,
    max: 3_600_000,
    description: 'How long the instance may take to start answering, and may stay silent mid-body, before the request fails with 504; also how long an upload waits for one of UPLOAD_CONNECTIONS before 503.'
  },
  {
    key: 'cspTimeoutMs',
    env: 'CSP_TIMEOUT_MS',
    flag: 'csp-timeout-ms',
    type: 'integer',
    group,
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
    group,
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
    group,
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
    group,
    default: 32,
    min: 1,
    max: 65_535,
    description: 'Connections to the instance for streamed request bodies (chunked, or over 1 MiB), apart from UPSTREAM_CONNECTIONS: slow uploads cannot take the connections API calls need; more uploads than this wait their turn, up to UPSTREAM_TIMEOUT_MS (then 503).'
  },
  {
    key: 'headersTimeoutMs',
    env: 'HEADERS_TIMEOUT_MS',
    flag: 'headers-timeout-ms',
    type: 'integer',
    group,
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
    group,
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
    group,
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
    group,
    default: 10_000,
    min: 0,
    max: 600_000,
    description: 'On SIGTERM or SIGINT, how long in-flight requests may take to finish before the process exits.'
  }
] as const satisfies readonly Setting[]
