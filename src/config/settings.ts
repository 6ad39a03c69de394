// Every setting the proxy reads, in one table: config loading, --help, --print-config and
// config.example.yaml are all derived from it, so a setting cannot be documented in one
// place and forgotten in another. Each group's rows live in settings/, one file per group.
import { ACCESS_CONTROL_SETTINGS } from './settings/access-control.js'
import { INSTANCE_SETTINGS } from './settings/instance.js'
import { LIMIT_SETTINGS } from './settings/limits.js'
import { LISTENING_SETTINGS } from './settings/listening.js'
import { LOGGING_SETTINGS } from './settings/logging.js'
import { RUNTIME_SETTINGS } from './settings/runtime.js'
import type { Setting } from './settings/types.js'

export type { Setting, SettingGroup, SettingType } from './settings/types.js'

/** In --help order; a group's rows stay together because each group is one file. */
export const SETTINGS = [
  ...INSTANCE_SETTINGS,
  ...LISTENING_SETTINGS,
  ...ACCESS_CONTROL_SETTINGS,
  ...LIMIT_SETTINGS,
  ...LOGGING_SETTINGS,
  ...RUNTIME_SETTINGS
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
