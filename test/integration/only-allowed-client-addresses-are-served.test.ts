// Only clients whose address is in ALLOWED_CLIENTS are served, IPv4, IPv6 and IPv4-mapped alike;
// any other is refused 403 before anything is forwarded.
import { PassThrough } from 'node:stream'
import type { AddressInfo } from 'node:net'
import t, { type Test } from 'tap'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config/load.js'
import { createLogger, SecretValues } from '../../src/observe/log.js'
import { call } from '../helpers/http.js'
import { assertRefused, refusals } from '../helpers/refusals.js'
import { credentialsEnv, startFakes, startStack } from '../helpers/stack.js'

t.test('ALLOWED_CLIENTS: a client outside the listed ranges is refused 403 before anything is forwarded', async (t) => {
  const outside = await startStack(t, { env: { ALLOWED_CLIENTS: '10.0.0.0/8,fd00::/8' } })
  assertRefused(t, await call(`${outside.proxy.url}/api/v2/source`), 403, /^Refused: this client address is not in ALLOWED_CLIENTS$/, '127.0.0.1 is not in 10.0.0.0/8')
  t.equal(outside.instance.received.length, 0)
  t.equal((await refusals(outside.proxy.url)).client, 1)
  const inside = await startStack(t, { env: { ALLOWED_CLIENTS: '10.0.0.0/8, 127.0.0.1/32' } })
  t.equal((await call(`${inside.proxy.url}/api/v2/source`)).status, 200)
})

/** The proxy built as stack.ts builds it, but listening on `host` (an IPv6 or IPv4-mapped address). */
async function startProxyOn (t: Test, host: string, extraEnv: Record<string, string>): Promise<{ url: string, remoteAddresses: string[] }> {
  const { csp, instance } = await startFakes(t)
  const config = loadConfig({ env: { WAVEFRONT_URL: instance.url, CSP_BASE_URL: csp.url, PORT: '0', ...credentialsEnv('app'), ...extraEnv }, argv: [] })
  const secrets = new SecretValues()
  const app = await buildApp(config, { log: createLogger({ level: 'silent', format: 'json', secrets, destination: new PassThrough() }), secrets })
  t.teardown(async () => { await app.close() })
  const remoteAddresses: string[] = []
  app.server.on('connection', (socket: { remoteAddress?: string }) => remoteAddresses.push(String(socket.remoteAddress)))
  await new Promise<void>((resolve) => app.server.listen({ host, port: 0 }, resolve))
  const { port } = app.server.address() as AddressInfo
  return { url: host === '::1' ? `http://[::1]:${port}` : `http://127.0.0.1:${port}`, remoteAddresses }
}

t.test('ALLOWED_CLIENTS matches IPv6 clients, and IPv4 clients that a dual-stack socket shows as ::ffff:a.b.c.d', async (t) => {
  const v6 = await startProxyOn(t, '::1', { ALLOWED_CLIENTS: '::1/128' })
  t.equal((await call(`${v6.url}/api/v2/source`)).status, 200, '::1 is in ::1/128')
  t.same(v6.remoteAddresses, ['::1'])
  const v6Outside = await startProxyOn(t, '::1', { ALLOWED_CLIENTS: '127.0.0.0/8,fd00::/8' })
  assertRefused(t, await call(`${v6Outside.url}/api/v2/source`), 403, /ALLOWED_CLIENTS/, '::1 is in neither range')

  const mapped = await startProxyOn(t, '::ffff:127.0.0.1', { ALLOWED_CLIENTS: '127.0.0.1' })
  t.equal((await call(`${mapped.url}/api/v2/source`)).status, 200, '::ffff:127.0.0.1 matches 127.0.0.1')
  t.same(mapped.remoteAddresses, ['::ffff:127.0.0.1'], 'the client really was seen as IPv4-mapped')
  const mappedOutside = await startProxyOn(t, '::ffff:127.0.0.1', { ALLOWED_CLIENTS: '10.0.0.0/8' })
  assertRefused(t, await call(`${mappedOutside.url}/api/v2/source`), 403, /ALLOWED_CLIENTS/, '::ffff:127.0.0.1 is not in 10.0.0.0/8')
})
