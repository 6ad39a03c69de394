// Logging and metrics: what the proxy tells operators.
import type { Setting, SettingGroup } from './types.js'

const group = 'Logging and metrics' satisfies SettingGroup

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

export const LOGGING_SETTINGS = [
  {
    key: 'logLevel',
    env: 'LOG_LEVEL',
    flag: 'log-level',
    type: 'enum',
    group,
    default: 'info',
    values: LOG_LEVELS,
    description: 'Log level; info logs one access line per request.'
  },
  {
    key: 'logFormat',
    env: 'LOG_FORMAT',
    flag: 'log-format',
    type: 'enum',
    group,
    default: 'auto',
    values: ['auto', 'json', 'pretty'],
    description: 'json, pretty (colour, needs pino-pretty), or auto: pretty when stdout is a terminal and pino-pretty is installed.'
  },
  {
    key: 'metrics',
    env: 'METRICS',
    flag: 'metrics',
    type: 'boolean',
    group,
    default: true,
    description: 'Serve Prometheus metrics at /metrics.'
  }
] as const satisfies readonly Setting[]
