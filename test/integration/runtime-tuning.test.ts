import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks'
import { Readable } from 'node:stream'
import t, { type Test } from 'tap'
import { request } from 'undici'
import { COLLECT_EVERY_BYTES, installYoungGenPacing, privateGc, type GcFunction } from '../../src/runtime/young-gen-pacing.js'
import { startBinary } from '../helpers/binary.js'
import { agent } from '../helpers/http.js'
import { credentialsEnv, startFakes, startStack } from '../helpers/stack.js'

const MiB = 1024 * 1024

// The test's own gc(), for a marker: gc entries reach observers in order, some turns after the collection.
const markerGc = privateGc() as GcFunction

type GcEntry = PerformanceEntry & { detail: { kind: number, flags: number } }
const forcedOf = (entry: GcEntry, kind: number): boolean => entry.detail.kind === kind && (entry.detail.flags & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) !== 0

/** Counts the minor collections something forced while `during` ran (V8 never sets the forced flag itself). */
async function forcedMinorCollections (during: () => Promise<void> | void): Promise<number> {
  let forced = 0
  let markerSeen: () => void = () => {}
  const marker = new Promise<void>((resolve) => { markerSeen = resolve })
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as GcEntry[]) {
      if (forcedOf(entry, constants.NODE_PERFORMANCE_GC_MINOR)) forced++
      if (forcedOf(entry, constants.NODE_PERFORMANCE_GC_MAJOR)) markerSeen()
    }
  })
  observer.observe({ entryTypes: ['gc'] })
  await during()
  markerGc() // a full collection (Node 20's V8 reads { type: 'major' } as minor)
  const holdLoop = setInterval(() => {}, 60_000) // gc entries come on an unref'd callback
  await marker // every entry from before the marker has been counted
  clearInterval(holdLoop)
  observer.disconnect()
  return forced
}

t.test('the young generation is collected once per 8 MiB relayed, not before', async (t) => {
  t.equal(COLLECT_EVERY_BYTES, 8 * MiB)
  const relayed = installYoungGenPacing()
  const below = await forcedMinorCollections(() => { for (let i = 0; i < 127; i++) relayed(64 * 1024) })
  t.equal(below, 0, '8 MiB less 64 KiB: no collection yet')
  const at = await forcedMinorCollections(() => relayed(64 * 1024))
  t.equal(at, 1, 'the 8th MiB: one minor collection')
  const next = await forcedMinorCollections(() => relayed(COLLECT_EVERY_BYTES - 1))
  t.equal(next, 0, 'the count starts again after each collection')
})

t.test('the collector stays private: the application global gets no gc()', async (t) => {
  installYoungGenPacing()(COLLECT_EVERY_BYTES)
  t.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined')
})

t.test('large bodies through the proxy count, both ways: a 40 MiB upload and a 40 MiB download each force collections', async (t) => {
  const { proxy, instance } = await startStack(t, { runtimeTuning: true })
  const upload = await forcedMinorCollections(async () => {
    const res = await request(`${proxy.url}/report?f=wavefront`, {
      dispatcher: agent,
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(40 * MiB) },
      body: Buffer.alloc(40 * MiB, 97)
    })
    await res.body.dump()
    t.equal(res.statusCode, 202)
  })
  t.equal(instance.received.at(-1)?.bodyBytes, 40 * MiB)
  t.ok(upload >= 4, `upload: ${upload} forced minor collections`)
  const download = await forcedMinorCollections(async () => {
    const res = await request(`${proxy.url}/api/v2/download?bytes=${40 * MiB}`, { dispatcher: agent })
    let bytes = 0
    for await (const chunk of res.body) bytes += (chunk as Buffer).length
    t.equal(bytes, 40 * MiB)
  })
  t.ok(download >= 4, `download: ${download} forced minor collections`)
})

t.test('small bodies, buffered for the 401 replay, count as well: 17 uploads of 1 MiB force two collections', async (t) => {
  const { proxy, instance } = await startStack(t, { runtimeTuning: true })
  const forced = await forcedMinorCollections(async () => {
    for (let i = 0; i < 17; i++) {
      const res = await request(`${proxy.url}/report?f=wavefront`, { dispatcher: agent, method: 'POST', body: Buffer.alloc(MiB, 97) })
      await res.body.dump()
      t.equal(res.statusCode, 202)
    }
  })
  t.equal(instance.received.at(-1)?.bodyBytes, MiB)
  t.ok(forced >= 2, `${forced} forced minor collections`)
})

t.test('a chunked upload, streamed through the body limit, counts too: 40 MiB force collections', async (t) => {
  const { proxy, instance } = await startStack(t, { runtimeTuning: true })
  const chunk = Buffer.alloc(MiB, 97)
  const forced = await forcedMinorCollections(async () => {
    const res = await request(`${proxy.url}/report?f=wavefront`, {
      dispatcher: agent,
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Readable.from(Array.from({ length: 40 }, () => chunk)) // no length: sent chunked
    })
    await res.body.dump()
    t.equal(res.statusCode, 202)
  })
  t.equal(instance.received.at(-1)?.bodyBytes, 40 * MiB)
  t.ok(forced >= 4, `${forced} forced minor collections`)
})

t.test('without the tuning (tests, embeddings, RUNTIME_TUNING=false) a 40 MiB upload forces no collection', async (t) => {
  const { proxy } = await startStack(t)
  const forced = await forcedMinorCollections(async () => {
    const res = await request(`${proxy.url}/report?f=wavefront`, { dispatcher: agent, method: 'POST', body: Buffer.alloc(40 * MiB, 97) })
    await res.body.dump()
    t.equal(res.statusCode, 202)
  })
  t.equal(forced, 0)
})

/** Minor collections the real binary was made to run (V8's --trace-gc names a gc() call "testing") while 40 MiB went up. */
async function forcedByBinary (t: Test, setting: Record<string, string>): Promise<number> {
  const { csp, instance } = await startFakes(t)
  const proxy = await startBinary(t, { WAVEFRONT_URL: instance.url, CSP_BASE_URL: csp.url, PORT: '0', ...credentialsEnv('app'), ...setting }, [], undefined, ['--trace-gc'])
  const res = await request(`${proxy.url}/report?f=wavefront`, { dispatcher: agent, method: 'POST', body: Buffer.alloc(40 * MiB, 97) })
  await res.body.dump()
  t.equal(res.statusCode, 202)
  proxy.child.kill('SIGTERM')
  await proxy.exited
  return proxy.stdout.filter((l) => /Scavenge.*testing/.test(l)).length
}

t.test('the binary tunes the runtime by default, and RUNTIME_TUNING=false turns it off', async (t) => {
  const on = await forcedByBinary(t, {})
  t.ok(on >= 4, `by default: ${on} forced minor collections`)
  t.equal(await forcedByBinary(t, { RUNTIME_TUNING: 'false' }), 0, 'RUNTIME_TUNING=false: none')
})
