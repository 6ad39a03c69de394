// Slow clients cannot hold the proxy: request headers must arrive within HEADERS_TIMEOUT_MS, a
// body must not stall for BODY_TIMEOUT_MS nor trickle below BODY_MIN_RATE after it, and streamed
// uploads use connections of their own, so ordinary API calls are served while they are held.
import { connect, type Socket } from 'node:net'
import t from 'tap'
import { call, envelopeMessage } from '../helpers/http.js'
import { rawConversation } from '../helpers/raw.js'
import { refusals } from '../helpers/refusals.js'
import { startStack } from '../helpers/stack.js'

/** Opens a connection, writes `head`, then `trickle` one byte per `everyMs`; resolves with what the proxy answered once it closes. */
function trickling (port: number, head: string, everyMs: number): { socket: Socket, closed: Promise<string> } {
  const socket = connect(port, '127.0.0.1')
  let answer = ''
  socket.on('data', (c: Buffer) => { answer += c.toString('latin1') })
  const timer = setInterval(() => { if (socket.writable) socket.write('a') }, everyMs)
  const closed = new Promise<string>((resolve) => {
    socket.on('close', () => { clearInterval(timer); resolve(answer) })
    socket.on('error', () => {})
  })
  socket.write(head)
  return { socket, closed }
}

function statusOf (answer: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0)
}

t.test('headers that do not arrive within HEADERS_TIMEOUT_MS: 408 in the envelope, connection closed', async (t) => {
  const { proxy, instance } = await startStack(t, { env: { HEADERS_TIMEOUT_MS: '1000' } })
  const { closed } = trickling(proxy.port, 'GET /api/v2/source HTTP/1.1\r\nHost: localhost\r\nX-Slow: ', 300)
  const answer = await closed
  t.equal(statusOf(answer), 408)
  t.match(answer, /"message":"The request headers did not arrive within HEADERS_TIMEOUT_MS \(1000 ms\), so the connection was closed/)
  t.equal(instance.received.length, 0)
  t.equal((await refusals(proxy.url)).headers_timeout, 1)
})

t.test('a small body that stalls: 408 in the envelope, nothing reaches the instance', async (t) => {
  const { proxy, instance } = await startStack(t, { env: { BODY_TIMEOUT_MS: '500' } })
  const answer = await rawConversation(proxy.port, 'POST /api/v2/event HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"name":')
  t.equal(statusOf(answer), 408)
  t.match(answer, /"message":"The request body stalled \(no byte for 500 ms\), so the request was not forwarded/)
  t.equal(instance.received.length, 0)
  t.equal((await refusals(proxy.url)).body_stalled, 1)
  t.equal((await call(`${proxy.url}/api/v2/event`, { method: 'POST', body: '{"name":"x"}' })).status, 200, 'a body sent at once is fine')
})

t.test('a small body trickling below BODY_MIN_RATE: 408 once the grace has passed', async (t) => {
  const { proxy, instance } = await startStack(t, { env: { BODY_TIMEOUT_MS: '500', BODY_MIN_RATE: '1000' } })
  const { closed } = trickling(proxy.port, 'POST /report HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\n', 100) // 10 bytes/s
  const answer = await closed
  t.equal(statusOf(answer), 408)
  t.match(answer, /arrived slower than BODY_MIN_RATE \(1000 bytes\/s\)/)
  t.equal(instance.received.length, 0)
  t.equal((await refusals(proxy.url)).body_too_slow, 1)
})

t.test('a streamed upload that stalls once under way: both connections are cut', async (t) => {
  const { proxy, instance } = await startStack(t, { env: { BODY_TIMEOUT_MS: '500' } })
  const abandoned = instance.nextAbandoned()
  const answer = await rawConversation(proxy.port, 'POST /report HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n5\r\ncpu 1\r\n')
  t.equal(answer, '', 'no answer: part of the body reached the instance, so the connection is broken')
  await abandoned
  t.pass('the instance saw its request abandoned')
  t.equal((await refusals(proxy.url)).body_stalled, 1)
})

t.test('150 uploads trickling a byte a second hold no connection ordinary calls need: 20 GETs all answered', async (t) => {
  // the case: before, 150 such uploads took every upstream connection and 20 of 20 GETs timed out
  const { proxy, instance } = await startStack(t, { env: { UPSTREAM_TIMEOUT_MS: '5000' } })
  const uploads = Array.from({ length: 150 }, () => trickling(proxy.port, 'POST /report HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n', 1000))
  t.teardown(() => { for (const u of uploads) u.socket.destroy() })
  await instance.nextArrival() // uploads are under way
  const gets = await Promise.all(Array.from({ length: 20 }, async () => await call(`${proxy.url}/api/v2/source`)))
  t.same(gets.map((g) => g.status), Array(20).fill(200), 'every GET answered while the uploads are held')
  t.ok(uploads.every((u) => !u.socket.destroyed), 'the uploads are still open: served, not yet ended by the rate rule')
  t.equal(envelopeMessage(await call(`${proxy.url}/nowhere`)).code, 404, 'local answers too')
})
