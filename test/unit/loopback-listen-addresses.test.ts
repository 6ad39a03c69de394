// Which listen addresses count as loopback (no exposure warning): every spelling of the loopback
// addresses and localhost, nothing that only starts like one.
import t from 'tap'
import { isLoopbackHost } from '../../src/config/addresses.js'

t.test('which listen addresses count as loopback (no warning)', async (t) => {
  for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) t.ok(isLoopbackHost(host), host)
  for (const host of ['0.0.0.0', '::', '10.0.0.5', '127.evil.example', 'localhost.evil.example', '::ffff:10.0.0.5', 'fe80::1']) t.notOk(isLoopbackHost(host), host)
})
