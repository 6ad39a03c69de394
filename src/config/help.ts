// --help, generated from the settings table so that it lists every setting there is.
import { CONFIG_FILE_ENV, FILE_SUFFIX_ENV, FILE_SUFFIX_FLAG, FILE_SUFFIX_KEY, flagName, SETTINGS, type Setting } from './settings.js'

export function helpText (): string {
  const lines = [
    'wavefront-auth-proxy: adds a cached VMware Cloud services (CSP) access token to requests for',
    'the Wavefront REST API (/api/v2/...) and direct ingestion (/report).',
    '',
    'Usage:',
    '  wavefront-auth-proxy [serve] [flags]   run the proxy (the default)',
    '  wavefront-auth-proxy check [flags]     test the configuration, the credentials and the instance, then exit',
    '  wavefront-auth-proxy token [flags]     print one access token (bare, one line) for a tool that cannot use',
    '                                         the proxy, e.g. WAVEFRONT_TOKEN=$(wavefront-auth-proxy token) wf alert list.',
    '                                         Caution: the token then lives in that process\'s environment and stays',
    '                                         valid for its whole lifetime (30 minutes by default), whatever happens here.',
    '  wavefront-auth-proxy --print-config    print the effective configuration (secrets masked) and where each value came from',
    '  wavefront-auth-proxy --help | --version',
    '',
    'Each setting can be given, from lowest to highest precedence, as a key in a YAML file',
    `(--config PATH or ${CONFIG_FILE_ENV}), an environment variable, or a flag. Credentials also accept a`,
    `${FILE_SUFFIX_ENV} form naming a file that holds the value (a mounted Kubernetes Secret); secrets have`,
    'no plain flag, because command lines are visible to every local user.',
    '',
    'Credentials: set exactly one mode: CSP_APP_ID + CSP_APP_SECRET, CSP_API_TOKEN, or WAVEFRONT_TOKEN.'
  ]
  let group = ''
  for (const s of SETTINGS as readonly Setting[]) {
    if (s.group !== group) {
      group = s.group
      lines.push('', `${group}:`)
    }
    const names = [s.env, s.flag === undefined ? undefined : `--${s.flag}`, `${s.key} (file)`].filter((n) => n !== undefined)
    lines.push(`  ${names.join(', ')}${s.default === undefined ? '' : `   default: ${formatDefault(s.default)}`}`)
    lines.push(`      ${s.description}`)
    if (s.fileable === true) {
      lines.push(`      Also ${s.env}${FILE_SUFFIX_ENV}, --${flagName(s)}${FILE_SUFFIX_FLAG}, ${s.key}${FILE_SUFFIX_KEY} (file): read the value from a file.`)
    }
  }
  lines.push('', 'Other:', `  ${CONFIG_FILE_ENV}, --config   YAML configuration file with the keys above (see config.example.yaml)`)
  lines.push('', 'Exit codes: 0 success, 1 failure (check, token: nothing on stdout), 2 invalid configuration.')
  return lines.join('\n') + '\n'
}

function formatDefault (value: Setting['default']): string {
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.join(',')
  return String(value)
}
