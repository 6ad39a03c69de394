// Decides the credential mode from the configuration layers, reading `_FILE` secrets.
// Exactly one mode may be configured; every message names variables, never values.
import { isHeaderSafe, readSecretFile } from './secret-file.js'
import type { Layer, SettingSource } from './sources.js'
import { FILE_SUFFIX_ENV } from './settings.js'

/** One credential value (a secret, or an identifier such as CSP_APP_ID) and, when it came from a
 * mounted file, the file to re-read on rotation. */
export interface CredentialRef {
  readonly env: string
  readonly value: string
  readonly file: string | undefined
  readonly source: SettingSource
}

export type Credentials =
  | { readonly mode: 'csp-app', readonly appId: CredentialRef, readonly appSecret: CredentialRef, readonly orgId: CredentialRef | undefined }
  | { readonly mode: 'csp-api-token', readonly apiToken: CredentialRef }
  | { readonly mode: 'static-token', readonly token: CredentialRef }

/** Every value the configured mode uses, secrets and identifiers alike. */
export function credentialRefs (c: Credentials): CredentialRef[] {
  const refs = c.mode === 'csp-app' ? [c.appId, c.appSecret, c.orgId] : c.mode === 'csp-api-token' ? [c.apiToken] : [c.token]
  return refs.filter((r): r is CredentialRef => r !== undefined)
}

const MODES_HELP = 'set exactly one of: CSP_APP_ID with CSP_APP_SECRET (server-to-server app), CSP_API_TOKEN (user account API token), or WAVEFRONT_TOKEN (original subscription); each also has a _FILE form'

export function resolveCredentials (layers: readonly Layer[], problems: string[]): Credentials | undefined {
  const found = problems.length
  const read = (env: string): CredentialRef | undefined => readCredential(layers, env, problems)
  const appId = read('CSP_APP_ID')
  const appSecret = read('CSP_APP_SECRET')
  const orgId = read('CSP_ORG_ID')
  const apiToken = read('CSP_API_TOKEN')
  const token = read('WAVEFRONT_TOKEN')
  if (problems.length > found) return undefined

  const app = appId !== undefined || appSecret !== undefined
  const modes = [app, apiToken !== undefined, token !== undefined].filter(Boolean).length
  if (modes === 0) {
    problems.push(`no credentials are configured: ${MODES_HELP}`)
    return undefined
  }
  if (modes > 1) {
    const set = [appId, appSecret, apiToken, token].filter((r) => r !== undefined).map((r) => r.env)
    problems.push(`credentials for more than one mode are set (${set.join(', ')}): ${MODES_HELP}, and unset the others`)
    return undefined
  }
  if (orgId !== undefined && !app) {
    problems.push('CSP_ORG_ID is set, but it only applies to the server-to-server app mode (CSP_APP_ID with CSP_APP_SECRET): unset it')
    return undefined
  }
  if (app) {
    if (appId === undefined || appSecret === undefined) {
      const [have, missing] = appId === undefined ? ['CSP_APP_SECRET', 'CSP_APP_ID'] : ['CSP_APP_ID', 'CSP_APP_SECRET']
      problems.push(`${have} is set but ${missing} is not: the server-to-server app mode needs both (or ${missing}_FILE)`)
      return undefined
    }
    return { mode: 'csp-app', appId, appSecret, orgId }
  }
  if (apiToken !== undefined) return { mode: 'csp-api-token', apiToken }
  return { mode: 'static-token', token: token as CredentialRef }
}

/** The highest layer that names a credential wins; naming both X and X_FILE there is ambiguous. */
function readCredential (layers: readonly Layer[], env: string, problems: string[]): CredentialRef | undefined {
  const fileEnv = env + FILE_SUFFIX_ENV
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i] as Layer
    const direct = layer.values.get(env)
    const file = layer.values.get(fileEnv)
    if (direct === undefined && file === undefined) continue
    if (direct !== undefined && file !== undefined) {
      problems.push(`both ${env} and ${fileEnv} are set (${layer.source}): set only one of them`)
      return undefined
    }
    if (file !== undefined) {
      const value = readSecretFile(fileEnv, String(file), problems)
      return value === undefined ? undefined : { env, value, file: String(file), source: layer.source }
    }
    const value = String(direct)
    return isHeaderSafe(env, value, problems) ? { env, value, file: undefined, source: layer.source } : undefined
  }
  return undefined
}
