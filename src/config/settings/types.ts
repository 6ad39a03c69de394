// The shape of one row of the settings table (src/config/settings.ts).

export type SettingType = 'string' | 'url' | 'integer' | 'boolean' | 'list' | 'enum'

/** --help prints the settings under these headings, in the table's order. */
export type SettingGroup = 'Instance and credentials' | 'Listening' | 'Access control' | 'Limits and timeouts' | 'Logging and metrics' | 'Runtime'

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
