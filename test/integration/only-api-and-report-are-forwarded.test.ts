// Only /api/v2/... and /report are forwarded: every other path is answered locally with 404.
import t from 'tap'
import { call } from '../helpers/http.js'
import { startStack } from '../helpers/stack.js'

t.test('every other path is answered locally with 404 and never reaches the instance', async (t) => {
  const { proxy, instance } = await startStack(t)
  for (const path of ['/', '/api', '/api/v2', '/api/v1/source', '/reports', '/report/extra', '/favicon.ico', '/API/v2/source']) {
    const res = await call(`${proxy.url}${path}`)
    t.equal(res.status, 404, path)
    t.match(res.json(), { status: { result: 'ERROR', code: 404, message: /only \/api\/v2\/\.\.\. and \/report are forwarded/ } }, path)
  }
  t.equal(instance.received.length, 0)
})
