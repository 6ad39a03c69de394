// The request-target checks as pure functions: what is refused, with which reason, and what
// passes untouched (free-text ids with an encoded slash among them).
import t from 'tap'
import { checkForwardedTarget, checkTarget, pathOf } from '../../src/forward/target.js'

const problemOf = (url: string): string | undefined => /^Refused request target: (.+?)\. Send/.exec(checkForwardedTarget(url)?.error.message ?? '')?.[1]

t.test('an encoded slash inside a segment below a forwarded prefix passes, as sent', async (t) => {
  for (const url of [
    '/api/v2/event/1700000000000:deploy%20api%2Fv2',
    '/api/v2/event/1700000000000%3Adeploy%20api%2Fv2', // the Python client encodes ':' too
    '/api/v2/event/1700000000000:a%2Fb/close',
    '/api/v2/event/1700000000000:a%2f%2fb',
    '/api/v2/event/1700000000000:deploy%2F',
    '/api/v2/event%2Fx',
    '/api/v2/event/1:100%25%20done'
  ]) {
    t.equal(checkForwardedTarget(url), undefined, url)
  }
})

t.test('every traversal spelling is refused with its reason', async (t) => {
  const cases: Array<[string, string]> = [
    ['/api/v2/x%2F..%2Fy', 'a dot-segment (. or ..) in the path'],
    ['/api/v2/a%2F.%2E/b', 'a dot-segment (. or ..) in the path'],
    ['/api/v2/event/1:a%2F%2E%2E', 'a dot-segment (. or ..) in the path'],
    ['/api/v2/event/..%2Fadmin', 'a dot-segment (. or ..) in the path'],
    ['/api/v2/event/1:a%2F..;x', 'a dot-segment (. or ..) in the path'],
    ['/api/v2/event/1:a%2F.%3Bx', 'a dot-segment (. or ..) in the path'],
    ['/api/v2/..', 'a dot-segment (. or ..) in the path'],
    ['/api/v2/%2F%2E%2E', 'an encoded slash (%2F) at the start of a path segment'],
    ['/api/v2/%2Fsource', 'an encoded slash (%2F) at the start of a path segment'],
    ['/api/v2/event/%2Fx', 'an encoded slash (%2F) at the start of a path segment'],
    ['/api/v2%2Fsource', 'an encoded slash (%2F) in the /api/v2/ or /report prefix'],
    ['/api%2Fv2/source', 'an encoded slash (%2F) in the /api/v2/ or /report prefix'],
    ['/report%2Fx', 'an encoded slash (%2F) in the /api/v2/ or /report prefix'],
    ['/api/v2%5Csource', 'a backslash in the path'],
    ['/api/v2/event/1:a%5Cb', 'a backslash in the path'],
    ['/api/v2/event/1:a\\b', 'a backslash in the path'],
    ['/api/v2/event/1:a%252Fb', 'double percent-encoding in the path'],
    ['/api/v2/%252e%252e/x', 'double percent-encoding in the path'],
    ['/api/v2/event/1:a%25%32%46b', 'double percent-encoding in the path'],
    ['/api/v2/event/1:a%25%32%65%25%32%65', 'double percent-encoding in the path'],
    ['/api/v2/event/1:a%2525', 'double percent-encoding in the path'],
    ['/api/v2/event/1:a%00', 'control characters or NUL bytes'],
    ['/api/v2/event/1:a%0d%0aX-Injected:%201', 'control characters or NUL bytes'],
    ['/api/v2/event/1:a%7F', 'control characters or NUL bytes'],
    ['/%61pi/v2/source', 'a percent-encoded /api/v2/ or /report prefix']
  ]
  for (const [url, problem] of cases) t.equal(problemOf(url), problem, url)
})

t.test('the query string is not a path: slashes and dots in it pass', async (t) => {
  t.equal(checkTarget('/api/v2/source?q=../../x&p=%2F%5C'), undefined)
  t.equal(pathOf('/api/v2/source?q=1'), '/api/v2/source')
  t.equal(pathOf('/report'), '/report')
})

t.test('the ordinary target passes and needs no decoding', async (t) => {
  for (const url of ['/api/v2/source', '/api/v2/source?limit=10', '/report?f=wavefront', '/api/v2/wfproxy/checkin?hostname=h&version=13.4&currentMillis=1']) {
    t.equal(checkForwardedTarget(url), undefined, url)
  }
})
