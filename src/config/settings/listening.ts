// Listening: where the proxy listens.
import type { Setting, SettingGroup } from './types.js'

const group = 'Listening' satisfies SettingGroup

export const LISTENING_SETTINGS = [
  {
    key: 'host',
    env: 'HOST',
    flag: 'host',
    type: 'string',
    group,
    default: '127.0.0.1',
    description: 'Address to listen on. Anything but loopback lets other machines use the credential: see Security in the README.'
  },
  {
    key: 'port',
    env: 'PORT',
    flag: 'port',
    type: 'integer',
    group,
    default: 9191,
    min: 0,
    max: 65535,
    description: 'TCP port to listen on (0 picks a free port).'
  }
] as const satisfies readonly Setting[]
