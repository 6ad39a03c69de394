// Runtime: the Node and V8 tuning that serve() installs (src/runtime/).
import type { Setting, SettingGroup } from './types.js'

const group = 'Runtime' satisfies SettingGroup

export const RUNTIME_SETTINGS = [
  {
    key: 'runtimeTuning',
    env: 'RUNTIME_TUNING',
    flag: 'runtime-tuning',
    type: 'boolean',
    group,
    default: true,
    description: 'Tune V8 for relaying large bodies and for sustained load (a minor GC every 8 MiB relayed, a V8 flag set at start); false leaves Node as it is.'
  }
] as const satisfies readonly Setting[]
