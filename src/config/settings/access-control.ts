// Access control: who may use the proxy, from where, and for which requests.
import type { Setting, SettingGroup } from './types.js'

const group = 'Access control' satisfies SettingGroup

export const ACCESS_CONTROL_SETTINGS = [
  {
    key: 'allowedHosts',
    env: 'ALLOWED_HOSTS',
    flag: 'allowed-hosts',
    type: 'list',
    group,
    default: [],
    description: 'Host names, besides localhost, 127.0.0.1 and [::1], that clients may use to reach the proxy (DNS-rebinding guard).'
  },
  {
    key: 'allowedOrigins',
    env: 'ALLOWED_ORIGINS',
    flag: 'allowed-origins',
    type: 'list',
    group,
    default: [],
    description: 'Browser origins allowed to call the proxy; by default no web page may.'
  },
  {
    key: 'allowedClients',
    env: 'ALLOWED_CLIENTS',
    flag: 'allowed-clients',
    type: 'list',
    group,
    default: [],
    description: 'CIDR ranges (IPv4 or IPv6) of client addresses that may use the proxy; empty allows every client that can connect.'
  },
  {
    key: 'readOnly',
    env: 'READ_ONLY',
    flag: 'read-only',
    type: 'boolean',
    group,
    default: false,
    description: 'Forward only GET and HEAD requests.'
  },
  {
    key: 'allowedPaths',
    env: 'ALLOWED_PATHS',
    flag: 'allowed-paths',
    type: 'list',
    group,
    default: [],
    description: 'Path prefixes that may be forwarded (e.g. /api/v2/source,/report); empty allows all of /api/v2/ and /report.'
  }
] as const satisfies readonly Setting[]
