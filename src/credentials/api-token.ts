// User-account mode: a CSP API token exchanged for an access token (api_token, the documented field).
import type { CspTokenRequest } from './csp.js'

export function apiTokenRequest (apiToken: string): CspTokenRequest {
  return {
    path: '/csp/gateway/am/api/auth/api-tokens/authorize',
    headers: {},
    form: new URLSearchParams({ api_token: apiToken }),
    what: 'API token',
    rejectedHint: 'check CSP_API_TOKEN: it may be mistyped, expired or revoked'
  }
}
