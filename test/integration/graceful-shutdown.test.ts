import { connect } from 'node:net'
import t from 'tap'
import { Agent, request } from 'undici'
import { parse, startBinary } from '../helpers/binary.js'
import { heldUpload, MiB } from '../helpers/held-upload.js'
import { credentialsEnv, startFakes } from '../helpers/stack.js'

function logged (lines: string[], event: string, stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (lines.some((l) => parse(l)?.event === event)) {
        stream.off('data', onData)
        resolve()
      }
    }
    const onData = (): void => { setImmediate(check) }
    stream.on('data', onData)
    check()
  })
}

t.test('SIGTERM: stop accepting, finish the in-flight request, close idle keep-alive connections, exit 0', async (t) => {
  const { csp, instance } = await startFakes(t)
  const proxy = await startBinary(t, { WAVEFRONT_URL: instance.url, CSP_BASE_URL: csp.url, PORT: '0', ...credentialsEnv('app') })
  const port = Number(new URL(proxy.url).port)

  // An idle keep-alive connection, after one request.
  const idle = new Agent({ keepAliveTimeout: 60_000 })
  const first = await request(`${proxy.url}/api/v2/source`, { dispatcher: idle })
  await first.body.dump()
  t.equal(first.statusCode, 200)

  // An in-flight download, held by the instance after its first 4 MiB.
  let release = (): void => {}
  instance.downloadGate = new Promise((resolve) => { release = resolve })
  const download = await request(`${proxy.url}/api/v2/download?bytes=${16 * MiB}`, { dispatcher: new Agent() })
  const reader = download.body[Symbol.asyncIterator]()
  const firstChunk = await reader.next()
  t.notOk(firstChunk.done, 'the download has started')

  proxy.child.kill('SIGTERM')
  await logged(proxy.stdout, 'stopping', proxy.child.stdout as NodeJS.ReadableStream)

  const refused = await new Promise<string>((resolve) => {
    const s = connect(port, '127.0.0.1')
    s.on('connect', () => { s.destroy(); resolve('connected') })
    s.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'))
  })
  t.equal(refused, 'ECONNREFUSED', 'new connections are refused while draining')

  release()
  let bytes = (firstChunk.value as Buffer).length
  for (let next = await reader.next(); next.done !== true; next = await reader.next()) bytes += (next.value as Buffer).length
  t.equal(bytes, 16 * MiB, 'the in-flight download completed')
  t.equal(await proxy.exited, 0, 'exit code 0')
  t.ok(proxy.stdout.some((l) => parse(l)?.event === 'stopped'), 'logged the stop')
  await idle.close()
})

t.test('SIGTERM with a request that outlives SHUTDOWN_GRACE_MS: its connection is cut and the process still exits 0', async (t) => {
  const { csp, instance } = await startFakes(t)
  const proxy = await startBinary(t, { WAVEFRONT_URL: instance.url, CSP_BASE_URL: csp.url, PORT: '0', SHUTDOWN_GRACE_MS: '300', ...credentialsEnv('app') })
  instance.faults.push({ kind: 'hang' })
  const arrived = instance.nextArrival()
  const stuck = request(`${proxy.url}/api/v2/source`, { dispatcher: new Agent() }).then(() => 'answered', (err: { code?: string }) => err.code ?? 'error')
  await arrived
  proxy.child.kill('SIGTERM')
  t.equal(await proxy.exited, 0)
  t.match(await stuck, /UND_ERR_SOCKET|ECONNRESET/, 'the stuck request was cut, not left hanging')
  t.ok(proxy.stdout.some((l) => parse(l)?.event === 'drain_timeout'), 'and the log says why')
})

t.test('SIGTERM with an upload waiting for a connection: it is answered 503 at once, never sent; the one under way finishes', async (t) => {
  const { csp, instance } = await startFakes(t)
  const proxy = await startBinary(t, { WAVEFRONT_URL: instance.url, CSP_BASE_URL: csp.url, PORT: '0', UPLOAD_CONNECTIONS: '1', BODY_MIN_RATE: '0', ...credentialsEnv('app') })
  const held = heldUpload(Number(new URL(proxy.url).port))
  t.teardown(() => { held.socket.destroy() })
  await instance.nextArrival()
  const waiting = request(`${proxy.url}/report?f=wavefront`, { method: 'POST', body: Buffer.alloc(2 * MiB, 'b'), dispatcher: new Agent() })
  await new Promise((resolve) => setTimeout(resolve, 200)) // it waits for the one upload connection
  const signalled = Date.now()
  proxy.child.kill('SIGTERM')
  const refused = await waiting
  t.equal(refused.statusCode, 503)
  t.ok(Date.now() - signalled < 5_000, 'answered as draining starts, not at the end of the grace')
  t.match(await refused.body.json(), { status: { errorCode: 'WAP_ERR_SHUTTING_DOWN' } })
  t.match(await held.finish(), /^HTTP\/1\.1 202 /, 'the upload under way completes')
  t.equal(await proxy.exited, 0)
  t.same(instance.received.filter((r) => r.url.startsWith('/report')).map((r) => r.bodyBytes), [2 * MiB], 'only that one reached the instance')
})

t.test('SIGINT stops the proxy the same way', async (t) => {
  const { instance } = await startFakes(t)
  const proxy = await startBinary(t, { WAVEFRONT_URL: instance.url, PORT: '0', ...credentialsEnv('static') })
  proxy.child.kill('SIGINT')
  t.equal(await proxy.exited, 0)
})
