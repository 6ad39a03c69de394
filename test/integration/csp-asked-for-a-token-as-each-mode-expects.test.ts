// Each credential mode asks CSP for a token the way CSP expects (app: Basic id:secret and
// client_credentials; API token: api_token to its endpoint), and static mode never calls CSP.
import t from 'tap'
import { call } from '../helpers/http.js'
import { API_TOKEN, APP_ID, APP_SECRET, ORG_ID, startStack } from '../helpers/stack.js'

t.test('app mode sends Basic id:secret and grant_type=client_credentials, with orgId when set', async (t) => {
  const { csp } = await startStack(t, { env: { CSP_ORG_ID: ORG_ID } })
  await csp.requestsAnswered(1)
  const req = csp.requests[0]
  t.equal(req?.path, '/csp/gateway/am/api/auth/authorize')
  t.equal(req?.headers.authorization, 'Basic ' + Buffer.from(`${APP_ID}:${APP_SECRET}`).toString('base64'))
  t.equal(req?.headers['content-type'], 'application/x-www-form-urlencoded')
  t.equal(req?.form.get('grant_type'), 'client_credentials')
  t.equal(req?.form.get('orgId'), ORG_ID)
  t.notOk(req?.form.has('client_secret'), 'the secret is never in the body')
  t.equal(csp.requests[0]?.outcome, 200)
})

t.test('API-token mode posts api_token to the api-tokens endpoint', async (t) => {
  const { csp, proxy } = await startStack(t, { mode: 'api-token' })
  await csp.requestsAnswered(1)
  t.equal(csp.requests[0]?.path, '/csp/gateway/am/api/auth/api-tokens/authorize')
  t.equal(csp.requests[0]?.form.get('api_token'), API_TOKEN)
  t.equal((await call(`${proxy.url}/api/v2/source`)).status, 200)
})

t.test('static mode sends the Wavefront token as is and never calls CSP', async (t) => {
  const { csp, proxy, instance } = await startStack(t, { mode: 'static' })
  t.equal((await call(`${proxy.url}/api/v2/source`)).status, 200)
  t.equal(instance.received[0]?.headers.authorization, 'Bearer a411c16b-3cf7-4f03-bf11-8ca05aab898d')
  t.equal(csp.requests.length, 0)
})
