// Which failures are the instance's (502/504), the network's, the client's, or ours (500):
// classified by undici's classes and codes and system errno codes, never by free message text.
import t from 'tap'
import { errors } from 'undici'
import { BodyTimeout, BodyTooLarge, ClientClosed } from '../../src/failures.js'
import { classify, errorFor } from '../../src/forward/upstream-errors.js'

function coded (code: string): Error {
  return Object.assign(new Error('x'), { code })
}

t.test('every undici error a broken or unreachable instance causes gets an instance kind', async (t) => {
  const cases: Array<[Error, string]> = [
    [new errors.HeadersTimeoutError(), 'timeout'],
    [new errors.BodyTimeoutError(), 'timeout'],
    [new errors.ConnectTimeoutError(), 'unreachable'],
    [new errors.SocketError('other side closed'), 'reset'],
    [new errors.ClientClosedError(), 'reset'],
    [new errors.InformationalError('reset'), 'reset'],
    [new errors.HeadersOverflowError(), 'headers-too-large'],
    [new errors.ResponseContentLengthMismatchError(), 'length-mismatch'],
    [new errors.HTTPParserError('Response does not match the HTTP/1.1 protocol (Invalid status code)'), 'malformed'],
    [new errors.SecureProxyConnectionError(new Error('x')), 'tls'],
    [new errors.RequestAbortedError('Proxy response (407) !== 200 when HTTP Tunneling'), 'proxy-refused'],
    [new errors.RequestAbortedError(), 'unreachable']
  ]
  for (const [err, kind] of cases) t.equal(classify(err).kind, kind, `${err.name} (${String((err as { code?: string }).code)})`)
})

t.test('a parser error without a code is named by llhttp\'s reason', async (t) => {
  t.same(classify(new errors.HTTPParserError('Response does not match the HTTP/1.1 protocol (Invalid status code)')), { kind: 'malformed', code: 'HPE_INVALID_STATUS_CODE' })
  t.same(classify(new errors.HTTPParserError('Response does not match the HTTP/1.1 protocol (Expected HTTP/)')), { kind: 'malformed', code: 'HPE_INVALID' }, 'a reason with other characters is not echoed')
  t.same(classify(Object.assign(new errors.HTTPParserError('x'), { code: 'HPE_INVALID_CONSTANT' })), { kind: 'malformed', code: 'HPE_INVALID_CONSTANT' })
  t.equal(classify(coded('HPE_INVALID_HEADER_TOKEN')).kind, 'malformed')
})

t.test('system errors: unreachable before connecting, reset after', async (t) => {
  for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT']) t.equal(classify(coded(code)).kind, 'unreachable', code)
  for (const code of ['ECONNRESET', 'EPIPE', 'ECONNABORTED']) t.equal(classify(coded(code)).kind, 'reset', code)
  t.same(classify({ cause: { code: 'ECONNREFUSED' } }), { kind: 'unreachable', code: 'ECONNREFUSED' }, 'a code on the cause')
})

t.test('certificate failures are tls', async (t) => {
  for (const code of ['CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'ERR_TLS_CERT_ALTNAME_INVALID']) t.equal(classify(coded(code)).kind, 'tls', code)
})

t.test('a header Node refuses to relay is the instance\'s fault', async (t) => {
  for (const code of ['ERR_INVALID_CHAR', 'ERR_INVALID_HTTP_TOKEN', 'ERR_HTTP_INVALID_HEADER_VALUE']) t.equal(classify(coded(code)).kind, 'malformed', code)
})

t.test('the client leaving or its body overflowing is not an instance failure', async (t) => {
  t.same(classify(new ClientClosed()), { kind: 'client-gone', code: 'CLIENT_CLOSED' })
  t.same(classify(new BodyTooLarge(10)), { kind: 'too-large', code: 'BODY_LIMIT' })
  t.same(classify(new BodyTimeout('body_stalled')), { kind: 'client-gone', code: 'BODY_TIMEOUT' })
  t.equal(classify(new errors.RequestContentLengthMismatchError()).kind, 'client-gone')
  t.equal(classify(coded('ERR_STREAM_PREMATURE_CLOSE')).kind, 'client-gone')
})

t.test('our own mistakes stay "other", answered 500', async (t) => {
  for (const err of [new errors.InvalidArgumentError('x'), new errors.NotSupportedError(), new errors.ClientDestroyedError(), new TypeError('x'), 'a string', undefined]) {
    const { kind } = classify(err)
    t.equal(kind, 'other', String(err))
    t.equal(errorFor(kind, 'UNKNOWN', 1000, 10).statusCode, 500)
  }
})

t.test('every instance kind answers 502 or 504 with a message saying what happened', async (t) => {
  const expected: Record<string, [number, RegExp]> = {
    timeout: [504, /did not answer within 1000 ms/],
    unreachable: [502, /could not be reached \(ECONNREFUSED\)/],
    tls: [502, /TLS certificate/],
    reset: [502, /closed the connection/],
    malformed: [502, /sent a response that is not valid HTTP\/1\.1: invalid status code/],
    'headers-too-large': [502, /response headers larger than \d+ bytes/],
    'length-mismatch': [502, /a body that does not match its Content-Length/],
    'proxy-refused': [502, /outbound proxy .* refused .* \(HTTP 407\): it wants credentials/]
  }
  const codes: Record<string, string> = { unreachable: 'ECONNREFUSED', malformed: 'HPE_INVALID_STATUS_CODE', 'proxy-refused': 'PROXY_407' }
  for (const [kind, [status, message]] of Object.entries(expected)) {
    const err = errorFor(kind as 'timeout', codes[kind] ?? 'X', 1000, 10)
    t.equal(err.statusCode, status, kind)
    t.match(err.message, message, kind)
  }
  t.same(classify(new errors.RequestAbortedError('Proxy response (403) !== 200 when HTTP Tunneling')), { kind: 'proxy-refused', code: 'PROXY_403' })
  t.match(errorFor('proxy-refused', 'PROXY_403', 1000, 10).message, /\(HTTP 403\): check that it allows this host, or list the host in NO_PROXY/)
  t.match(errorFor('malformed', 'ERR_INVALID_CHAR', 1000, 10).message, /a response header that cannot be relayed \(ERR_INVALID_CHAR\)/)
})
