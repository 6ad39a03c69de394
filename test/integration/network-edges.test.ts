// The proxy's own network edges: the bind address warning, TLS verification of the instance and
// CSP (a token is never sent to a server that cannot be verified; NODE_EXTRA_CA_CERTS adds a
// private CA), and HTTP_PROXY / HTTPS_PROXY / NO_PROXY for both.
import { readFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { createServer, type Server } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import { fileURLToPath } from 'node:url'
import t, { type Test } from 'tap'
import { isLoopbackHost } from '../../src/config/addresses.js'
import { startBinary, type RunningBinary } from '../helpers/binary.js'
import { call, envelopeMessage } from '../helpers/http.js'
import { credentialsEnv, startFakes, startProxy } from '../helpers/stack.js'
import { ForwardProxy } from '../fixtures/forward-proxy.js'

const tlsFile = (name: string): string => fileURLToPath(new URL(`../fixtures/tls/${name}`, import.meta.url))
const CA_FILE = tlsFile('ca.pem')
const ISSUED = { cert: readFileSync(tlsFile('server.pem')), key: readFileSync(tlsFile('server-key.pem')) }
const SELF_SIGNED = { cert: readFileSync(tlsFile('self-signed.pem')), key: readFileSync(tlsFile('self-signed-key.pem')) }

interface TlsFront {
  readonly url: string
  readonly hostPort: string
  /** requests that arrived over TLS, i.e. after a handshake the client accepted */
  readonly requests: string[]
  /** resolves when a client has given up on the handshake */
  readonly handshakeRefused: Promise<void>
}

/** HTTPS in front of a plain-HTTP fake: terminates TLS with `identity` and relays each request. */
async function tlsFront (t: Test, backendUrl: string, identity: { cert: Buffer, key: Buffer }): Promise<TlsFront> {
  const requests: string[] = []
  const backend = new URL(backendUrl)
  const server: Server = createServer(identity, (req, res) => {
    requests.push(`${req.method ?? ''} ${req.url ?? ''}`)
    const out = httpRequest({ host: backend.hostname, port: backend.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    out.on('error', () => res.destroy())
    req.pipe(out)
  })
  const handshakeRefused = new Promise<void>((resolve) => server.once('tlsClientError', () => resolve()))
  const sockets = new Set<Socket>()
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })
  const hostPort = `127.0.0.1:${(server.address() as AddressInfo).port}`
  return { url: `https://${hostPort}`, hostPort, requests, handshakeRefused }
}

async function startForwardProxy (t: Test): Promise<ForwardProxy> {
  const proxy = await new ForwardProxy().listen()
  t.teardown(async () => { await proxy.close() })
  return proxy
}

t.test('an instance whose certificate cannot be verified gets no request and no token: 502 saying so', async (t) => {
  const { csp, instance } = await startFakes(t)
  for (const [what, identity, code] of [['self-signed', SELF_SIGNED, 'DEPTH_ZERO_SELF_SIGNED_CERT'], ['issued by an unknown CA', ISSUED, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE']] as const) {
    const front = await tlsFront(t, instance.url, identity)
    const proxy = await startProxy(t, { WAVEFRONT_URL: front.url, CSP_BASE_URL: csp.url, PORT: '0', ...credentialsEnv('app') })
    const res = await call(`${proxy.url}/api/v2/source`)
    t.equal(res.status, 502, what)
    t.same(envelopeMessage(res), {
      result: 'ERROR',
      code: 502,
      message: `The Wavefront instance presented a TLS certificate that could not be verified (${code}), so no token was sent: for a private CA set NODE_EXTRA_CA_CERTS to its PEM file`
    }, what)
    await front.handshakeRefused // the proxy did try, and walked away during the handshake
    t.same(front.requests, [], `${what}: no request crossed the connection`)
  }
  t.equal(csp.requests.length, 2, 'each proxy held a token it did not send')
  t.same(instance.received, [])
})

t.test('CSP with a certificate that cannot be verified: 503 whose message names the certificate, and no credential sent', async (t) => {
  const { csp, instance } = await startFakes(t)
  const front = await tlsFront(t, csp.url, SELF_SIGNED)
  const proxy = await startProxy(t, { WAVEFRONT_URL: instance.url, CSP_BASE_URL: front.url, PORT: '0', ...credentialsEnv('app') })
  const res = await call(`${proxy.url}/api/v2/source`)
  t.equal(res.status, 503)
  t.match(envelopeMessage(res).message, /^No valid access token is available, so the request was not forwarded: CSP presented a TLS certificate that could not be verified \(DEPTH_ZERO_SELF_SIGNED_CERT\): for a private CA set NODE_EXTRA_CA_CERTS/)
  t.same(front.requests, [], 'the app secret never crossed the connection')
  t.same(csp.requests, [])
  t.same(instance.received, [])
})

/** The next log record the binary writes that matches. */
async function logLine (bin: RunningBinary, match: (record: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  const find = (): Record<string, unknown> | undefined => bin.stdout.map(parseLine).find((r) => r !== undefined && match(r))
  return find() ?? await new Promise((resolve) => {
    const look = (): void => {
      const found = find()
      if (found === undefined) return
      bin.child.stdout?.off('data', look)
      resolve(found)
    }
    bin.child.stdout?.on('data', look) // registered after the helper's own listener, so its lines are in
  })
}

function parseLine (line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>
  } catch {
    return undefined
  }
}

t.test('NODE_EXTRA_CA_CERTS trusts a private CA: the real binary reaches CSP and the instance over verified TLS', async (t) => {
  const { csp, instance } = await startFakes(t)
  const cspFront = await tlsFront(t, csp.url, ISSUED)
  const instanceFront = await tlsFront(t, instance.url, ISSUED)
  const proxy = await startBinary(t, { WAVEFRONT_URL: instanceFront.url, CSP_BASE_URL: cspFront.url, PORT: '0', NODE_EXTRA_CA_CERTS: CA_FILE, ...credentialsEnv('app') })
  const res = await call(`${proxy.url}/api/v2/source?limit=1`)
  t.equal(res.status, 200, res.text)
  t.equal(instance.received.at(-1)?.auth, 'valid')
  t.same(instanceFront.requests, ['GET /api/v2/source?limit=1'])
  t.equal(cspFront.requests.length, 1)

  // The private CA vouches for what it issued, not for any self-signed certificate.
  const stranger = await tlsFront(t, instance.url, SELF_SIGNED)
  const strict = await startBinary(t, { WAVEFRONT_URL: stranger.url, CSP_BASE_URL: cspFront.url, PORT: '0', NODE_EXTRA_CA_CERTS: CA_FILE, ...credentialsEnv('app') })
  const refused = await call(`${strict.url}/api/v2/source`)
  t.equal(refused.status, 502)
  t.match(envelopeMessage(refused).message, /could not be verified \(DEPTH_ZERO_SELF_SIGNED_CERT\), so no token was sent/)
  t.same(stranger.requests, [])
})

t.test('HTTPS_PROXY: the instance\'s certificate is still verified through the tunnel', async (t) => {
  const { csp, instance } = await startFakes(t)
  const outbound = await startForwardProxy(t)
  const front = await tlsFront(t, instance.url, SELF_SIGNED)
  const proxy = await startProxy(t, { WAVEFRONT_URL: front.url, CSP_BASE_URL: csp.url, PORT: '0', HTTPS_PROXY: outbound.url, ...credentialsEnv('app') })
  const res = await call(`${proxy.url}/api/v2/source`)
  t.equal(res.status, 502)
  t.match(envelopeMessage(res).message, /could not be verified \(DEPTH_ZERO_SELF_SIGNED_CERT\), so no token was sent/)
  t.same(outbound.tunnels, [front.hostPort], 'the tunnel was opened (CSP, plain http, went direct)')
  await front.handshakeRefused
  t.same(front.requests, [], 'but nothing was sent through it')
})

t.test('HTTPS_PROXY with a private CA: the real binary reaches both over verified TLS through the tunnel', async (t) => {
  const { csp, instance } = await startFakes(t)
  const outbound = await startForwardProxy(t)
  const cspFront = await tlsFront(t, csp.url, ISSUED)
  const instanceFront = await tlsFront(t, instance.url, ISSUED)
  const proxy = await startBinary(t, { WAVEFRONT_URL: instanceFront.url, CSP_BASE_URL: cspFront.url, PORT: '0', HTTPS_PROXY: outbound.url, NODE_EXTRA_CA_CERTS: CA_FILE, ...credentialsEnv('app') })
  const res = await call(`${proxy.url}/api/v2/source`)
  t.equal(res.status, 200, res.text)
  t.equal(instance.received.at(-1)?.auth, 'valid')
  t.same([...outbound.tunnels].sort(), [cspFront.hostPort, instanceFront.hostPort].sort())
})

t.test('the default bind is 127.0.0.1, silently; HOST=0.0.0.0 logs a warning that names the risk', async (t) => {
  const { csp, instance } = await startFakes(t)
  const env = { WAVEFRONT_URL: instance.url, CSP_BASE_URL: csp.url, PORT: '0', ...credentialsEnv('app') }
  const local = await startBinary(t, env)
  t.match(local.url, /^http:\/\/127\.0\.0\.1:\d+$/)
  await call(`${local.url}/healthz`)
  await logLine(local, (r) => r.path === '/healthz') // every line logged at start-up is in by now
  t.notOk(local.stdout.map(parseLine).some((r) => r?.event === 'exposed'), 'no warning on loopback')

  const exposed = await startBinary(t, { ...env, HOST: '0.0.0.0' })
  const warning = await logLine(exposed, (r) => r.event === 'exposed')
  t.equal(warning.level, 40, 'logged at warn')
  t.match(warning.msg, /^listening on 0\.0\.0\.0, not loopback: anyone who can reach this address acts with the configured credential\. Restrict who can connect \(ALLOWED_CLIENTS, a NetworkPolicy\) and set ALLOWED_HOSTS/)
})

t.test('which listen addresses count as loopback (no warning)', async (t) => {
  for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) t.ok(isLoopbackHost(host), host)
  for (const host of ['0.0.0.0', '::', '10.0.0.5', '127.evil.example', 'localhost.evil.example', '::ffff:10.0.0.5', 'fe80::1']) t.notOk(isLoopbackHost(host), host)
})
t.test('HTTPS_PROXY: verification does not depend on NODE_TLS_REJECT_UNAUTHORIZED either', async (t) => {
  const { csp, instance } = await startFakes(t)
  const outbound = await startForwardProxy(t)
  const front = await tlsFront(t, instance.url, SELF_SIGNED)
  const proxy = await startBinary(t, { WAVEFRONT_URL: front.url, CSP_BASE_URL: csp.url, PORT: '0', HTTPS_PROXY: outbound.url, NODE_TLS_REJECT_UNAUTHORIZED: '0', ...credentialsEnv('app') })
  const res = await call(`${proxy.url}/api/v2/source`)
  t.equal(res.status, 502, res.text)
  t.same(front.requests, [], 'no token crossed the tunnel')
})
