// Server-to-server app mode: OAuth 2.0 client credentials, id and secret in the Basic header.
import type { CspTokenRequest } from './csp.js'

export function appTokenRequest (appId: string, appSecret: string, orgId: string | undefined): CspTokenRequest {
  const form = new URLSearchParams({ grant_type: 'client_credentials' })
  if (orgId !== undefined) form.set('orgId', orgId)
  return {
    path: '/csp/gateway/am/api/auth/authorize',
    headers: { authorization: 'Basic ' + Buffer.from(`${appId}:${appSecret}`).toString('base64') },
    form,
    what: 'app credentials',
    rejectedHint: orgId === undefined
      ? 'check CSP_APP_ID and CSP_APP_SECRET (a regenerated secret invalidates the old one)'
      : 'check CSP_APP_ID and CSP_APP_SECRET, and that the app belongs to CSP_ORG_ID'
  }
}
