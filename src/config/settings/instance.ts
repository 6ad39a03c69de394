// Instance and credentials: the Wavefront instance, the credential for it, and where tokens come from.
import type { Setting, SettingGroup } from './types.js'

const group = 'Instance and credentials' satisfies SettingGroup

export const INSTANCE_SETTINGS = [
  {
    key: 'wavefrontUrl',
    env: 'WAVEFRONT_URL',
    flag: 'wavefront-url',
    type: 'url',
    group,
    description: 'The Wavefront instance, e.g. https://example.wavefront.com (a trailing /, /api/ or /api/v2 is accepted). Required.'
  },
  {
    key: 'cspAppId',
    env: 'CSP_APP_ID',
    flag: 'csp-app-id',
    type: 'string',
    group,
    fileable: true,
    description: 'Server-to-server OAuth app id (CSP app mode, with CSP_APP_SECRET).'
  },
  {
    key: 'cspAppSecret',
    env: 'CSP_APP_SECRET',
    type: 'string',
    group,
    fileable: true,
    secret: true,
    description: 'Server-to-server OAuth app secret (CSP app mode).'
  },
  {
    key: 'cspOrgId',
    env: 'CSP_ORG_ID',
    flag: 'csp-org-id',
    type: 'string',
    group,
    fileable: true,
    description: 'Optional CSP organization id that pins the app token to one organization (CSP app mode only).'
  },
  {
    key: 'cspApiToken',
    env: 'CSP_API_TOKEN',
    type: 'string',
    group,
    fileable: true,
    secret: true,
    description: 'User account API token (CSP API-token mode).'
  },
  {
    key: 'wavefrontToken',
    env: 'WAVEFRONT_TOKEN',
    type: 'string',
    group,
    fileable: true,
    secret: true,
    description: 'Original-subscription Wavefront API token, sent as is (static-token mode).'
  },
  {
    key: 'cspBaseUrl',
    env: 'CSP_BASE_URL',
    flag: 'csp-base-url',
    type: 'url',
    group,
    default: 'https://console.cloud.vmware.com',
    description: 'VMware Cloud services (CSP) console that issues tokens: https://console.cloud.vmware.com for Wavefront organizations, https://console.tanzu.broadcom.com for Broadcom\'s Tanzu products.'
  },
  {
    key: 'tokenOutputFile',
    env: 'TOKEN_OUTPUT_FILE',
    flag: 'token-output-file',
    type: 'string',
    group,
    description: 'Also write the current access token to this file (mode 0600, replaced atomically) at start and after every refresh, for a neighbour that reads its token from a file; emptied when the token runs out with no successor.'
  }
] as const satisfies readonly Setting[]
