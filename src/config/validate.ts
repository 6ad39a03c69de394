// Checks every setting but the credentials and the URLs (credential-settings.ts, urls.ts), so
// that each invalid value is reported with where it came from and what was expected.
import envSchema from 'env-schema'
import { parseCidr } from './addresses.js'
import { SETTINGS, type Setting } from './settings.js'
import type { SettingSource } from './sources.js'

/** env-schema coerces and checks types, ranges and enums, and fills defaults. An invalid value
 * is reported and dropped, and the rest validated again, so one bad setting does not hide others. */
export function validateSettings (merged: Record<string, unknown>, sources: Record<string, SettingSource>, problems: string[]): Record<string, unknown> {
  const properties: Record<string, object> = {}
  const checked = (SETTINGS as readonly Setting[]).filter((s) => s.fileable !== true)
  for (const s of checked) properties[s.env] = schemaFor(s)
  const data = { ...merged }
  for (;;) {
    try {
      return envSchema({ schema: { type: 'object', properties }, data: [data], env: false }) as Record<string, unknown>
    } catch (err) {
      const errors = (err as { errors?: Array<{ instancePath: string, keyword: string }> }).errors ?? []
      const invalid = checked.filter((s) => errors.some((e) => e.instancePath === `/${s.env}`) && s.env in data)
      if (invalid.length === 0) throw err // not a value problem: a bug in the schema itself
      for (const setting of invalid) {
        problems.push(describeInvalid(setting, data[setting.env], sources[setting.key]))
        delete data[setting.env]
      }
    }
  }
}

function schemaFor (s: Setting): object {
  switch (s.type) {
    case 'integer': return { type: 'integer', minimum: s.min, maximum: s.max, default: s.default }
    case 'boolean': return { type: 'boolean', default: s.default }
    case 'enum': return { type: 'string', enum: s.values, default: s.default }
    case 'list': return { type: 'string', separator: ',', default: '' }
    default: return { type: 'string', default: s.default }
  }
}

function describeInvalid (s: Setting, value: unknown, source: SettingSource | undefined): string {
  const where = source === undefined ? '' : ` (from ${source})`
  const expected = s.type === 'integer'
    ? `a whole number from ${s.min ?? 0} to ${s.max ?? Number.MAX_SAFE_INTEGER}`
    : s.type === 'boolean' ? 'true or false' : s.type === 'enum' ? `one of ${(s.values ?? []).join(', ')}` : 'text'
  return `${s.env}=${JSON.stringify(value)}${where} is not valid: expected ${expected}`
}

export function checkAccessLists (values: Record<string, unknown>, problems: string[]): void {
  for (const c of listOf(values.ALLOWED_CLIENTS)) {
    if (parseCidr(c) === undefined) problems.push(`ALLOWED_CLIENTS entry ${JSON.stringify(c)} is not an address or CIDR range: write e.g. 10.0.0.0/8,fd00::/8`)
  }
  for (const p of listOf(values.ALLOWED_PATHS)) {
    if (!p.startsWith('/api/v2/') && p !== '/report') problems.push(`ALLOWED_PATHS entry ${JSON.stringify(p)} is not under /api/v2/ or /report: write e.g. /api/v2/source,/report`)
  }
  for (const o of listOf(values.ALLOWED_ORIGINS)) {
    if (!/^(https?:\/\/[^/\s]+|null)$/i.test(o.replace(/\/+$/, ''))) problems.push(`ALLOWED_ORIGINS entry ${JSON.stringify(o)} is not an origin: write e.g. https://dashboards.example.com`)
  }
}

/** A list setting as env-schema leaves it (split at commas), entries trimmed, empty ones dropped. */
export function listOf (value: unknown): string[] {
  return Array.isArray(value) ? value.map((v) => String(v).trim()).filter((v) => v !== '') : []
}
