import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { loadConfig } from '../../src/config/load.js'
import { ConfigError } from '../../src/failures.js'

const BASE = { WAVEFRONT_URL: 'https://example.wavefront.com', WAVEFRONT_TOKEN: 'static-token-value-1234' }

function problemsOf (env: Record<string, string>, argv: string[] = []): string[] {
  try {
    loadConfig({ env, argv })
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems]
    throw err
  }
  return []
}

function tempFile (name: string, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'wap-config-'))
  const path = join(dir, name)
  writeFileSync(path, content)
  return path
}

t.test('WAVEFRONT_URL spellings from the Wavefront docs all normalise to the origin', async (t) => {
  for (const url of ['https://example.wavefront.com', 'https://example.wavefront.com/', 'https://example.wavefront.com/api/', 'https://example.wavefront.com/api', 'https://example.wavefront.com/api/v2', 'https://example.wavefront.com/api/v2/']) {
    t.equal(loadConfig({ env: { ...BASE, WAVEFRONT_URL: url }, argv: [] }).wavefrontOrigin, 'https://example.wavefront.com', url)
  }
  t.equal(loadConfig({ env: { ...BASE, WAVEFRONT_URL: 'http://127.0.0.1:8080/api/' }, argv: [] }).wavefrontOrigin, 'http://127.0.0.1:8080')
})

t.test('a missing or malformed WAVEFRONT_URL is a configuration error that says what to set', async (t) => {
  t.match(problemsOf({ WAVEFRONT_TOKEN: 'x-token-value' }), [/WAVEFRONT_URL is required: set it to your Wavefront instance/])
  t.match(problemsOf({ ...BASE, WAVEFRONT_URL: 'example.wavefront.com' }), [/WAVEFRONT_URL="example.wavefront.com" is not a URL/])
  t.match(problemsOf({ ...BASE, WAVEFRONT_URL: 'ftp://example.wavefront.com' }), [/must start with https:\/\//])
  t.match(problemsOf({ ...BASE, WAVEFRONT_URL: 'https://example.wavefront.com/dashboards' }), [/has a path or query the proxy cannot use/])
  const withPassword = problemsOf({ ...BASE, WAVEFRONT_URL: 'https://user:hunter2-pass@example.wavefront.com' })
  t.match(withPassword, [/must not contain a user name or password/])
  t.notMatch(withPassword.join(), /hunter2/, 'the password is not echoed')
})

t.test('CSP_BASE_URL defaults to the VMware console and loses a trailing slash', async (t) => {
  t.equal(loadConfig({ env: BASE, argv: [] }).cspBaseUrl, 'https://console.cloud.vmware.com')
  t.equal(loadConfig({ env: { ...BASE, CSP_BASE_URL: 'https://console-stg.cloud.vmware.com/' }, argv: [] }).cspBaseUrl, 'https://console-stg.cloud.vmware.com')
})

t.test('exactly one credential mode', async (t) => {
  const url = { WAVEFRONT_URL: BASE.WAVEFRONT_URL }
  t.match(problemsOf(url), [/no credentials are configured: set exactly one of: CSP_APP_ID with CSP_APP_SECRET .* CSP_API_TOKEN .* WAVEFRONT_TOKEN/])
  t.match(problemsOf({ ...url, CSP_API_TOKEN: 'api-token-aaaa', WAVEFRONT_TOKEN: 'wf-token-bbbb' }), [/more than one mode are set \(CSP_API_TOKEN, WAVEFRONT_TOKEN\)/])
  const three = problemsOf({ ...url, CSP_APP_ID: 'id', CSP_APP_SECRET: 'secret-cccc', CSP_API_TOKEN: 'api-token-aaaa', WAVEFRONT_TOKEN: 'wf-token-bbbb' })
  t.match(three, [/more than one mode are set \(CSP_APP_ID, CSP_APP_SECRET, CSP_API_TOKEN, WAVEFRONT_TOKEN\)/])
  t.notMatch(three.join(), /secret-cccc|api-token-aaaa|wf-token-bbbb/, 'values are never echoed')
  t.match(problemsOf({ ...url, CSP_APP_ID: 'id' }), [/CSP_APP_ID is set but CSP_APP_SECRET is not/])
  t.match(problemsOf({ ...url, CSP_APP_SECRET: 'secret-cccc' }), [/CSP_APP_SECRET is set but CSP_APP_ID is not/])
  t.match(problemsOf({ ...url, CSP_API_TOKEN: 'api-token-aaaa', CSP_ORG_ID: 'org' }), [/CSP_ORG_ID is set, but it only applies to the server-to-server app mode/])

  t.equal(loadConfig({ env: { ...url, CSP_APP_ID: 'id', CSP_APP_SECRET: 's', CSP_ORG_ID: 'org' }, argv: [] }).credentials.mode, 'csp-app')
  t.equal(loadConfig({ env: { ...url, CSP_API_TOKEN: 'api' }, argv: [] }).credentials.mode, 'csp-api-token')
  t.equal(loadConfig({ env: { ...url, WAVEFRONT_TOKEN: 'tok' }, argv: [] }).credentials.mode, 'static-token')
  t.equal(loadConfig({ env: { ...url, WAVEFRONT_TOKEN: 'tok', CSP_API_TOKEN: '' }, argv: [] }).credentials.mode, 'static-token', 'an empty variable counts as unset')
})

t.test('a bad PORT or other setting names the variable, where it came from and what is expected', async (t) => {
  t.match(problemsOf({ ...BASE, PORT: '99999' }), [/PORT="99999" \(from environment\) is not valid: expected a whole number from 0 to 65535/])
  t.match(problemsOf({ ...BASE, PORT: 'http' }), [/PORT="http" \(from environment\) is not valid/])
  t.match(problemsOf({ ...BASE, LOG_LEVEL: 'loud' }), [/LOG_LEVEL="loud" .* expected one of fatal, error, warn, info, debug, trace, silent/])
  t.match(problemsOf(BASE, ['--port', '-1']), [/PORT="-1" \(from flag\)/])
  t.match(problemsOf(BASE, ['--no-such-flag', 'x']), [/unknown flag --no-such-flag/])
  t.match(problemsOf(BASE, ['--csp-app-secret', 'x']), [/unknown flag --csp-app-secret/], 'secrets have no plain flag')
  t.match(problemsOf({ ...BASE, ALLOWED_CLIENTS: '10.0.0.0/8,banana' }), [/ALLOWED_CLIENTS entry "banana" is not an address or CIDR range/])
  t.match(problemsOf({ ...BASE, ALLOWED_PATHS: '/api/v1/x' }), [/ALLOWED_PATHS entry "\/api\/v1\/x" is not under \/api\/v2\/ or \/report/])
})

t.test('every problem is reported at once: one bad value does not hide the others', async (t) => {
  t.match(problemsOf({ WAVEFRONT_URL: 'example.wavefront.com', CSP_API_TOKEN: 'api-token-aaaa', PORT: '99999', LOG_LEVEL: 'loud', CSP_BASE_URL: 'ftp://x' }), [
    /WAVEFRONT_URL="example.wavefront.com" is not a URL/,
    /PORT="99999"/,
    /LOG_LEVEL="loud"/,
    /CSP_BASE_URL="ftp:\/\/x" must start with https:\/\//
  ])
})

t.test('precedence: defaults < file < environment < flags', async (t) => {
  const file = tempFile('proxy.yaml', 'wavefrontUrl: https://from-file.wavefront.com\nport: 7001\nlogLevel: debug\nhost: 127.0.0.2\nallowedHosts: [a.example, b.example]\n')
  const config = loadConfig({
    env: { CONFIG_FILE: file, WAVEFRONT_TOKEN: 'tok-1234', PORT: '7002', LOG_LEVEL: 'warn' },
    argv: ['--log-level', 'error']
  })
  t.equal(config.wavefrontOrigin, 'https://from-file.wavefront.com', 'file over default')
  t.equal(config.host, '127.0.0.2')
  t.equal(config.port, 7002, 'environment over file')
  t.equal(config.logLevel, 'error', 'flag over environment')
  t.same(config.allowedHosts, ['a.example', 'b.example'], 'YAML lists are accepted')
  t.equal(config.upstreamTimeoutMs, 60_000, 'defaults fill the rest')
  t.same(
    { wavefrontUrl: config.sources.wavefrontUrl, port: config.sources.port, logLevel: config.sources.logLevel, bodyLimit: config.sources.bodyLimit },
    { wavefrontUrl: 'file', port: 'environment', logLevel: 'flag', bodyLimit: 'default' }
  )
  t.equal(loadConfig({ env: { WAVEFRONT_TOKEN: 'tok-1234' }, argv: ['--config', file, '--port=7003'] }).port, 7003, '--config and --flag=value')
})

t.test('configuration file problems are reported with the file name', async (t) => {
  t.match(problemsOf({ ...BASE, CONFIG_FILE: '/nonexistent/proxy.yaml' }), [/cannot read the configuration file \/nonexistent\/proxy.yaml \(ENOENT\)/])
  t.match(problemsOf({ ...BASE, CONFIG_FILE: tempFile('bad.yaml', 'port: [1,\n') }), [/is not valid YAML/])
  t.match(problemsOf({ ...BASE, CONFIG_FILE: tempFile('unknown.yaml', 'wavefront_url: x\n') }), [/unknown key "wavefront_url"/])
  t.match(problemsOf({ ...BASE, CONFIG_FILE: tempFile('list.yaml', '- a\n- b\n') }), [/must be a mapping of settings/])
  t.same(problemsOf({ ...BASE, CONFIG_FILE: tempFile('empty.yaml', '# nothing set\n') }), [], 'a file of comments is fine')
})

t.test('_FILE credentials are read with a trailing newline trimmed', async (t) => {
  const secretFile = tempFile('secret', 'app-secret-from-file\n')
  const config = loadConfig({ env: { WAVEFRONT_URL: BASE.WAVEFRONT_URL, CSP_APP_ID: 'app', CSP_APP_SECRET_FILE: secretFile }, argv: [] })
  t.equal(config.credentials.mode, 'csp-app')
  if (config.credentials.mode === 'csp-app') {
    t.equal(config.credentials.appSecret.value, 'app-secret-from-file')
    t.equal(config.credentials.appSecret.file, secretFile, 'remembered, to re-read on rotation')
  }
  const fromYaml = tempFile('with-secret.yaml', `wavefrontUrl: https://x.wavefront.com\nwavefrontTokenFile: ${secretFile}\n`)
  t.equal(loadConfig({ env: { CONFIG_FILE: fromYaml }, argv: [] }).credentials.mode, 'static-token', 'the file key form works too')
})

t.test('an unreadable, empty or ambiguous _FILE credential is an error naming the variable, never the value', async (t) => {
  t.match(problemsOf({ WAVEFRONT_URL: BASE.WAVEFRONT_URL, WAVEFRONT_TOKEN_FILE: '/nonexistent/token' }), [/cannot read WAVEFRONT_TOKEN_FILE=\/nonexistent\/token \(ENOENT\): check the path and that the secret is mounted/])
  t.match(problemsOf({ WAVEFRONT_URL: BASE.WAVEFRONT_URL, WAVEFRONT_TOKEN_FILE: tempFile('empty', '\n') }), [/WAVEFRONT_TOKEN_FILE=.* is empty/])
  const both = problemsOf({ WAVEFRONT_URL: BASE.WAVEFRONT_URL, WAVEFRONT_TOKEN: 'tok-zzzz', WAVEFRONT_TOKEN_FILE: tempFile('t', 'tok-yyyy') })
  t.match(both, [/both WAVEFRONT_TOKEN and WAVEFRONT_TOKEN_FILE are set \(environment\): set only one of them/])
  t.match(problemsOf({ WAVEFRONT_URL: BASE.WAVEFRONT_URL, WAVEFRONT_TOKEN_FILE: tempFile('crlf', 'tok\r\nsecond-line-value') }), [/contains a line break or control character/])
  t.notMatch(both.join(), /tok-zzzz|tok-yyyy/)
})
