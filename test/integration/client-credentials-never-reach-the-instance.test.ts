// The proxy owns authentication: whatever credential a client sends (Authorization,
// X-AUTH-TOKEN in any case and any number, cookies) stops at the proxy, and only its own bearer
// token reaches the instance; no session cookie of the instance's reaches the client.
import t from 'tap'
import { call } from '../helpers/http.js'
import { rawRequest } from '../helpers/raw.js'
import { startStack, STATIC_TOKEN } from '../helpers/stack.js'

const CLIENT_CREDENTIAL = /x-auth-token|^cookie$|proxy-authorization/i

t.test('X-AUTH-TOKEN in any case, repeated, with or without Bearer, and Cookie never reach the instance', async (t) => {
  const { proxy, instance } = await startStack(t)
  const answer = await rawRequest(proxy.port, [
    'GET /api/v2/source?limit=1 HTTP/1.1',
    'Host: localhost',
    'X-AUTH-TOKEN: Bearer leftover-python-client-key',
    'x-auth-token: second',
    'X-Auth-Token: a411c16b-3cf7-4f03-bf11-8ca05aab898d',
    'Authorization: Bearer terraform-dummy-token',
    'Cookie: JSESSIONID=browser-session',
    'Connection: close',
    '', ''
  ].join('\r\n'))
  t.match(answer, /^HTTP\/1\.1 200 /)
  const got = instance.received.at(-1)
  t.equal(got?.auth, 'valid', 'the proxy\'s own token was sent')
  t.same((got?.rawHeaders ?? []).filter((_, i) => i % 2 === 0 && CLIENT_CREDENTIAL.test((got?.rawHeaders ?? [])[i] as string)), [], 'no client credential header arrived')
  t.equal((got?.rawHeaders ?? []).filter((h, i) => i % 2 === 0 && h.toLowerCase() === 'authorization').length, 1, 'exactly one Authorization')
  t.notMatch(JSON.stringify(got?.headers), /leftover|second|terraform-dummy|browser-session|a411c16b/, 'no client value travelled')
})

t.test('a key in X-AUTH-TOKEN does not stand in for the proxy\'s: a static-mode proxy still sends its own token', async (t) => {
  const { proxy, instance } = await startStack(t, { mode: 'static' })
  const res = await call(`${proxy.url}/api/v2/alert`, { headers: { 'x-auth-token': 'someone-elses-key' } })
  t.equal(res.status, 200)
  t.equal(instance.received.at(-1)?.headers.authorization, `Bearer ${STATIC_TOKEN}`)
  t.equal(instance.received.at(-1)?.headers['x-auth-token'], undefined)
  instance.faults.push({ kind: 'status', status: 401 }) // the instance refuses the static token: nothing to refresh
  const refused = await call(`${proxy.url}/api/v2/alert`, { headers: { 'x-auth-token': 'someone-elses-key' } })
  t.equal(refused.status, 401, 'the 401 reaches the client, who can act on it; no other key is tried')
  t.equal(instance.received.length, 2, 'not replayed')
})

t.test('the instance\'s Set-Cookie never reaches the client', async (t) => {
  const { proxy, instance } = await startStack(t)
  instance.faults.push({ kind: 'status', status: 200, body: '{"status":{"result":"OK","code":200}}', headers: { 'set-cookie': 'JSESSIONID=made-with-the-proxys-credential; Path=/; HttpOnly' } })
  const res = await call(`${proxy.url}/api/v2/source`)
  t.equal(res.status, 200)
  t.equal(res.headers['set-cookie'], undefined)
})
