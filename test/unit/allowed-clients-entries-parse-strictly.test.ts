// ALLOWED_CLIENTS entries are addresses and CIDR ranges of either family, and nothing else parses.
import t from 'tap'
import { parseCidr } from '../../src/config/addresses.js'

t.test('ALLOWED_CLIENTS entries: addresses and CIDR ranges of either family, nothing else', async (t) => {
  t.same(parseCidr('10.0.0.0/8'), { address: '10.0.0.0', prefix: 8, family: 'ipv4' })
  t.same(parseCidr(' 192.168.1.7 '), { address: '192.168.1.7', prefix: 32, family: 'ipv4' })
  t.same(parseCidr('fd00::/8'), { address: 'fd00::', prefix: 8, family: 'ipv6' })
  t.same(parseCidr('::1'), { address: '::1', prefix: 128, family: 'ipv6' })
  t.same(parseCidr('0.0.0.0/0'), { address: '0.0.0.0', prefix: 0, family: 'ipv4' })
  for (const bad of ['banana', '10.0.0.0/33', '::/129', '10.0.0.0/', '10.0.0.0/8/9', '10.0.0.0/-1', '10.0.0.0/8.5', '10.0.0/8', 'fe80::1%eth0/64', 'localhost']) {
    t.equal(parseCidr(bad), undefined, bad)
  }
})
