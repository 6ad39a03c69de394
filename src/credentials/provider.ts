// Turns the configured credential mode into the TokenProvider the forwarding path uses.
import { createHash } from 'node:crypto'
import type { Logger } from 'pino'
import type { Dispatcher } from 'undici'
import type { Config } from '../config/load.js'
import type { SecretValues } from '../observe/log.js'
import type { TokenObserver, TokenProvider } from '../vocabulary.js'
import { TokenSource } from './token-source.js'
import { apiTokenRequest } from './api-token.js'
import { appTokenRequest } from './app.js'
import { requestCspToken, type CspTokenRequest } from './csp.js'
import { isSecret } from '../config/settings.js'
import { credentialRefs, type Credentials } from '../config/credential-settings.js'
import { SecretReader } from './secrets.js'
import { StaticTokenProvider } from './static.js'

export interface ProviderDeps {
  readonly dispatcher: Dispatcher
  readonly log: Logger
  /** learns every credential and token value, to scrub them from logs */
  readonly secrets: SecretValues
  readonly observer?: TokenObserver
}

export function createTokenProvider (config: Config, deps: ProviderDeps): TokenProvider {
  const creds = config.credentials
  const secrets = new SecretReader(deps.log, deps.secrets)
  if (creds.mode === 'static-token') return new StaticTokenProvider(() => secrets.read(creds.token), deps.log, deps.observer)

  const buildRequest = (): CspTokenRequest => cspTokenRequest(creds, secrets)
  const client = { baseUrl: config.cspBaseUrl, dispatcher: deps.dispatcher, timeoutMs: config.cspTimeoutMs }
  return new TokenSource({
    fetch: async (signal, timeoutMs) => {
      const token = await requestCspToken({ ...client, timeoutMs }, buildRequest(), signal)
      deps.secrets.addToken(token.accessToken)
      return token
    },
    timeoutMs: config.cspTimeoutMs,
    identity: () => identityOf(config.cspBaseUrl, buildRequest()),
    log: deps.log,
    ...(deps.observer === undefined ? {} : { observer: deps.observer })
  })
}

/** The exchange a CSP mode makes, with the current value of each credential. */
export function cspTokenRequest (creds: Exclude<Credentials, { mode: 'static-token' }>, secrets: SecretReader): CspTokenRequest {
  return creds.mode === 'csp-app'
    ? appTokenRequest(secrets.read(creds.appId), secrets.read(creds.appSecret), creds.orgId === undefined ? undefined : secrets.read(creds.orgId))
    : apiTokenRequest(secrets.read(creds.apiToken))
}

/** Registers the configured secret values to be scrubbed from every output line. */
export function scrubCredentials (config: Config, secrets: SecretValues): void {
  const c = config.credentials
  for (const ref of credentialRefs(c)) if (isSecret(ref.env)) secrets.add(ref.value)
  // The app secret also travels base64-encoded inside the Basic header sent to CSP.
  if (c.mode === 'csp-app') secrets.add(Buffer.from(`${c.appId.value}:${c.appSecret.value}`).toString('base64'))
}

/** The mounted files the credential is read from, to watch for rotation. */
export function secretFilesOf (config: Config): string[] {
  return credentialRefs(config.credentials).flatMap((r) => r.file === undefined ? [] : [r.file])
}

/** A one-way digest of everything that decides which token CSP issues: never the secret itself. */
function identityOf (baseUrl: string, req: CspTokenRequest): string {
  return createHash('sha256').update(baseUrl).update('\0').update(req.path).update('\0')
    .update(JSON.stringify(req.headers)).update('\0').update(req.form.toString()).digest('base64url')
}
