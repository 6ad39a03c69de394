// --print-config: the effective configuration as YAML, secrets masked, each value's origin noted.
import { credentialRefs, type CredentialRef } from './credential-settings.js'
import type { Config } from './load.js'
import { SETTINGS, type Setting } from './settings.js'

/** The effective configuration as YAML a person can read, secrets masked, each value's origin noted. */
export function printConfig (config: Config): string {
  const lines = ['# effective configuration of wavefront-auth-proxy (secrets masked)']
  if (config.configFile !== undefined) lines.push(`# configuration file: ${config.configFile}`)
  lines.push(`# credential mode: ${config.credentials.mode}`)
  const creds = credentialEntries(config)
  for (const s of SETTINGS as readonly Setting[]) {
    if (s.fileable === true) {
      const ref = creds.get(s.env)
      if (ref === undefined) continue
      const origin = ref.file === undefined ? ref.source : `${ref.source}, read from ${ref.file}`
      lines.push(`${s.key}: ${s.secret === true ? '"********"' : JSON.stringify(ref.value)}  # ${origin}`)
      continue
    }
    const value = effectiveValue(config, s)
    lines.push(`${s.key}: ${JSON.stringify(value)}  # ${config.sources[s.key] ?? 'default'}`)
  }
  return lines.join('\n') + '\n'
}

function credentialEntries (config: Config): Map<string, CredentialRef> {
  return new Map(credentialRefs(config.credentials).map((r) => [r.env, r]))
}

function effectiveValue (config: Config, s: Setting): unknown {
  if (s.key === 'wavefrontUrl') return config.wavefrontOrigin
  return (config as unknown as Record<string, unknown>)[s.key] ?? null
}
