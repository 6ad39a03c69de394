// Reads the three places a setting can come from (YAML file, environment, flags) into layers
// keyed by environment-variable name, lowest precedence first. No validation beyond shape.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, resolve } from 'node:path'
import { ConfigError } from '../failures.js'
import {
  CONFIG_FILE_ENV, CONFIG_FILE_FLAG, FILE_SUFFIX_ENV, FILE_SUFFIX_FLAG, FILE_SUFFIX_KEY, flagName, SETTINGS, type Setting
} from './settings.js'

/** yaml is loaded only when a config file is given: most deployments use none, and it costs ~3–5 MiB of idle RSS. */
function parseYaml (text: string): unknown {
  const { parse } = createRequire(import.meta.url)('yaml') as typeof import('yaml')
  return parse(text)
}

export type SettingSource = 'default' | 'file' | 'environment' | 'flag'

export interface Layer {
  readonly source: SettingSource
  /** values keyed by environment-variable name; `<ENV>_FILE` keys hold secret-file paths */
  readonly values: ReadonlyMap<string, string | number | boolean>
}

/** One accepted spelling of a setting; a `_FILE` spelling names the file that holds the value. */
interface Spelling { readonly setting: Setting, readonly env: string, readonly isFile: boolean }

const settings = SETTINGS as readonly Setting[]

/** Every accepted spelling of every setting, in each of the three namespaces. */
function spellings (): { byEnv: Map<string, Spelling>, byKey: Map<string, Spelling>, byFlag: Map<string, Spelling> } {
  const byEnv = new Map<string, Spelling>()
  const byKey = new Map<string, Spelling>()
  const byFlag = new Map<string, Spelling>()
  for (const setting of settings) {
    const plain: Spelling = { setting, env: setting.env, isFile: false }
    byEnv.set(setting.env, plain)
    byKey.set(setting.key, plain)
    if (setting.flag !== undefined) byFlag.set(setting.flag, plain)
    if (setting.fileable === true) {
      const file: Spelling = { setting, env: setting.env + FILE_SUFFIX_ENV, isFile: true }
      byEnv.set(file.env, file)
      byKey.set(setting.key + FILE_SUFFIX_KEY, file)
      byFlag.set(flagName(setting) + FILE_SUFFIX_FLAG, file)
    }
  }
  return { byEnv, byKey, byFlag }
}

export function readSettingLayers (env: NodeJS.ProcessEnv, argv: readonly string[]): { layers: Layer[], configFile: string | undefined } {
  const { byEnv, byKey, byFlag } = spellings()
  const problems: string[] = []
  const flags = readFlags(argv, byFlag, problems)
  const envValues = new Map<string, string>()
  for (const name of byEnv.keys()) {
    const value = env[name]
    if (value !== undefined && value !== '') envValues.set(name, value) // empty means unset, as in most manifests
  }
  const configFile = flags.configFile ?? nonEmpty(env[CONFIG_FILE_ENV])
  const fileValues = configFile === undefined ? new Map() : readConfigFile(configFile, byKey, problems)
  if (problems.length > 0) throw new ConfigError(problems)
  return {
    layers: [
      { source: 'file', values: fileValues },
      { source: 'environment', values: envValues },
      { source: 'flag', values: flags.values }
    ],
    configFile
  }
}

function nonEmpty (v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v
}

function readFlags (argv: readonly string[], byFlag: Map<string, Spelling>, problems: string[]): { values: Map<string, string>, configFile: string | undefined } {
  const values = new Map<string, string>()
  let configFile: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    const match = /^--([a-z0-9-]+)(?:=(.*))?$/s.exec(arg)
    if (match === null) {
      problems.push(`unexpected argument ${JSON.stringify(arg)}: flags look like --port 9191 (run with --help for the list)`)
      continue
    }
    const flag = match[1] as string
    let value = match[2]
    const name = byFlag.get(flag)
    const isBoolean = name?.setting.type === 'boolean' && !name.isFile
    if (value === undefined) {
      const next = argv[i + 1]
      if (isBoolean) {
        value = next === 'true' || next === 'false' ? (i++, next) : 'true'
      } else if (next !== undefined && !next.startsWith('--')) {
        value = next
        i++
      }
    }
    if (flag === CONFIG_FILE_FLAG) {
      if (value === undefined) problems.push('--config needs a file path, e.g. --config /etc/wavefront-auth-proxy.yaml')
      else configFile = value
      continue
    }
    if (name === undefined) {
      problems.push(`unknown flag --${flag}: run with --help to list the settings`)
      continue
    }
    if (value === undefined) {
      problems.push(`--${flag} needs a value (run with --help)`)
      continue
    }
    values.set(name.env, value)
  }
  return { values, configFile }
}

function readConfigFile (path: string, byKey: Map<string, Spelling>, problems: string[]): Map<string, string | number | boolean> {
  const values = new Map<string, string | number | boolean>()
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    problems.push(`cannot read the configuration file ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'}): check CONFIG_FILE or --config and the file's permissions`)
    return values
  }
  let doc: unknown
  try {
    doc = parseYaml(text)
  } catch (err) {
    problems.push(`the configuration file ${path} is not valid YAML: ${(err as Error).message.split('\n')[0]}`)
    return values
  }
  if (doc === null || doc === undefined) return values // an empty or all-comment file sets nothing
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    problems.push(`the configuration file ${path} must be a mapping of settings (key: value)`)
    return values
  }
  for (const [key, value] of Object.entries(doc)) {
    const name = byKey.get(key)
    if (name === undefined) {
      problems.push(`unknown key ${JSON.stringify(key)} in ${path}: keys are camelCase setting names such as wavefrontUrl or cspAppId (see config.example.yaml)`)
      continue
    }
    if (value === null || value === undefined) continue
    const scalar = fileScalar(name, value)
    if (scalar === undefined) {
      problems.push(`${key} in ${path} must be ${name.setting.type === 'list' ? 'a list or a comma-separated string' : 'a single value'}`)
      continue
    }
    // A relative secret-file path is relative to the configuration file, not the working directory.
    values.set(name.env, name.isFile ? resolve(dirname(path), String(scalar)) : scalar)
  }
  return values
}

function fileScalar (name: Spelling, value: unknown): string | number | boolean | undefined {
  if (Array.isArray(value) && name.setting.type === 'list' && !name.isFile) return value.map(String).join(',')
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value
  return undefined
}
