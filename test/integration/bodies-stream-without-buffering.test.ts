// Bodies stream through in both directions without being buffered: a 256 MiB upload (with or
// without Content-Length) reaches the instance while the client is still sending, and a 256 MiB
// download reaches the client while the instance is still writing, every byte in order.
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import t from 'tap'
import { request } from 'undici'
import { patternChunk } from '../fixtures/wavefront-routes.js'
import { agent } from '../helpers/http.js'
import { startStack } from '../helpers/stack.js'

const MiB = 1024 * 1024
const BIG = 256 * MiB

/** 256 MiB of deterministic bytes; the second half is only produced once `release` settles. */
function gatedBody (total: number, release: Promise<void>): { stream: Readable, sha256: string } {
  const chunk = patternChunk(MiB)
  const hash = createHash('sha256')
  for (let sent = 0; sent < total; sent += chunk.length) hash.update(chunk.subarray(0, Math.min(chunk.length, total - sent)))
  let sent = 0
  let released = false
  let readPending = false
  const pushNext = (): void => {
    if (sent >= total) { stream.push(null); return }
    const n = Math.min(chunk.length, total - sent)
    sent += n
    stream.push(n === chunk.length ? chunk : chunk.subarray(0, n))
  }
  // A held-back read() must be answered later: Node calls read() again only after a push.
  void release.then(() => { released = true; if (readPending) { readPending = false; pushNext() } })
  const stream = new Readable({
    read () {
      if (sent >= 8 * MiB && !released) { readPending = true; return }
      pushNext()
    }
  })
  return { stream, sha256: hash.digest('hex') }
}

t.test('a 256 MiB upload to /report streams through: the instance reads it while the client is still sending', async (t) => {
  const { proxy, instance } = await startStack(t)
  // The client holds back everything after its first 8 MiB until the instance has seen 4 MiB:
  // a proxy that buffered the body would never forward those 4 MiB, and this test would time out.
  const { stream, sha256 } = gatedBody(BIG, instance.bodyBytesArrived(4 * MiB))
  const res = await request(`${proxy.url}/report?f=wavefront`, {
    dispatcher: agent,
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(BIG) },
    body: stream
  })
  await res.body.dump()
  t.equal(res.statusCode, 202)
  const got = instance.received.at(-1)
  t.equal(got?.bodyBytes, BIG)
  t.equal(got?.bodySha256, sha256, 'every byte arrived, in order')
})

t.test('a chunked upload without Content-Length streams through as well', async (t) => {
  const { proxy, instance } = await startStack(t)
  const { stream, sha256 } = gatedBody(32 * MiB, instance.bodyBytesArrived(4 * MiB))
  const res = await request(`${proxy.url}/report?f=wavefront`, { dispatcher: agent, method: 'POST', body: stream })
  await res.body.dump()
  t.equal(res.statusCode, 202)
  t.equal(instance.received.at(-1)?.bodySha256, sha256)
})

t.test('a 256 MiB download streams back: the client reads it while the instance is still writing', async (t) => {
  const { proxy, instance } = await startStack(t)
  let release = (): void => {}
  instance.downloadGate = new Promise((resolve) => { release = resolve })
  const res = await request(`${proxy.url}/api/v2/download?bytes=${BIG}`, { dispatcher: agent })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-length'], String(BIG))
  const hash = createHash('sha256')
  let bytes = 0
  for await (const chunk of res.body) {
    bytes += (chunk as Buffer).length
    hash.update(chunk as Buffer)
    // The instance wrote only its first 4 MiB and waits: bytes here mean the proxy did not buffer.
    if (bytes >= MiB) release()
  }
  const expected = createHash('sha256')
  const pattern = patternChunk(64 * 1024)
  for (let n = 0; n < BIG; n += pattern.length) expected.update(pattern)
  t.equal(bytes, BIG)
  t.equal(hash.digest('hex'), expected.digest('hex'))
})
