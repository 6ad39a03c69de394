// Connections end cleanly in both directions: a client that leaves cancels the upstream
// request; an instance that breaks mid-answer breaks the client's connection.
import t from 'tap'
import { request } from 'undici'
import { agent, call } from '../helpers/http.js'
import { logRecords, startStack } from '../helpers/stack.js'

t.test('a client that aborts aborts the upstream request', async (t) => {
  const { proxy, instance } = await startStack(t)
  instance.faults.push({ kind: 'hang' })
  const arrived = instance.nextArrival()
  const abandoned = instance.nextAbandoned()
  const controller = new AbortController()
  const pending = request(`${proxy.url}/api/v2/chart/api?q=slow`, { dispatcher: agent, signal: controller.signal }).catch((err: Error) => err.name)
  await arrived
  controller.abort()
  t.equal(await pending, 'AbortError')
  await abandoned // the instance saw its connection closed: nothing left waiting upstream
  t.pass('the upstream request was cancelled')
  await proxy.logged((r) => r.path === '/api/v2/chart/api' && r.aborted === true)
  t.equal((await call(`${proxy.url}/api/v2/source`)).status, 200, 'and the proxy carries on')
})

t.test('an instance that resets mid-answer closes the client connection instead of leaving it hanging', async (t) => {
  const { proxy, instance } = await startStack(t)
  instance.faults.push({ kind: 'reset-mid-body' })
  const res = await request(`${proxy.url}/api/v2/download?bytes=1048576`, { dispatcher: agent })
  t.equal(res.statusCode, 200, 'the headers had already been relayed')
  const outcome = await res.body.arrayBuffer().then(() => 'complete', (err: { code?: string }) => err.code ?? 'error')
  t.match(outcome, /UND_ERR_SOCKET|ECONNRESET|UND_ERR_RES_CONTENT_LENGTH_MISMATCH/, `the client saw the break (${outcome})`)
  const warning = logRecords(proxy.logs).find((r) => r.event === 'upstream_failed')
  t.match(warning, { failure: 'reset', msg: /broke mid-answer/ })
  t.equal((await call(`${proxy.url}/api/v2/source`)).status, 200, 'the next request is fine')
})
