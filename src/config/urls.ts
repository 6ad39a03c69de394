// Checks the two URL settings (WAVEFRONT_URL, CSP_BASE_URL) and reduces them to the form the
// proxy builds requests from; a URL is echoed in a message only when it cannot hold a password.

const INSTANCE_PATHS = new Set(['', '/', '/api', '/api/', '/api/v2', '/api/v2/'])

/** The Wavefront docs write https://x.wavefront.com/api/; all such spellings mean the origin. */
/** The two public CSP consoles: Wavefront organizations sign in at the first, Broadcom's Tanzu products at the second. */
export const CSP_HOSTS = ['https://console.cloud.vmware.com', 'https://console.tanzu.broadcom.com'] as const

export function normaliseInstanceUrl (raw: unknown, problems: string[]): string | undefined {
  if (raw === undefined) {
    problems.push('WAVEFRONT_URL is required: set it to your Wavefront instance, e.g. WAVEFRONT_URL=https://example.wavefront.com')
    return undefined
  }
  const url = parseHttpUrl(String(raw), 'WAVEFRONT_URL', problems)
  if (url === undefined) return undefined
  if (!INSTANCE_PATHS.has(url.pathname) || url.search !== '' || url.hash !== '') {
    problems.push(`WAVEFRONT_URL=${shown(String(raw))} has a path or query the proxy cannot use: set the instance origin, e.g. https://example.wavefront.com`)
    return undefined
  }
  return url.origin
}

export function normaliseBaseUrl (raw: string, name: string, problems: string[]): string | undefined {
  const url = parseHttpUrl(raw, name, problems)
  // A trailing slash would produce //csp/... in token URLs.
  return url === undefined ? undefined : url.origin + url.pathname.replace(/\/+$/, '')
}

function parseHttpUrl (raw: string, name: string, problems: string[]): URL | undefined {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    problems.push(`${name}=${shown(raw)} is not a URL: write it as https://host[:port]`)
    return undefined
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    problems.push(`${name}=${shown(raw)} must start with https:// (or http:// for a local test server)`)
    return undefined
  }
  if (url.username !== '' || url.password !== '') {
    problems.push(`${name} must not contain a user name or password: give credentials through CSP_APP_ID/CSP_APP_SECRET, CSP_API_TOKEN or WAVEFRONT_TOKEN`)
    return undefined
  }
  return url
}

/** A URL is echoed in errors only when it cannot hold a user name or password. */
function shown (raw: string): string {
  return raw.includes('@') ? '(value hidden: it contains @)' : JSON.stringify(raw)
}
