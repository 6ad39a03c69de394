// Which CSP host `check` and `token` suggest when CSP's answer hints at the wrong one.
import t from 'tap'
import { CSP_HOSTS } from '../../src/config/urls.js'
import { otherCspHosts } from '../../src/commands/obtain-token.js'

t.test('the other public host, or both for a staging or custom one', async (t) => {
  t.same(otherCspHosts('https://console.cloud.vmware.com'), ['https://console.tanzu.broadcom.com'])
  t.same(otherCspHosts('https://console.tanzu.broadcom.com'), ['https://console.cloud.vmware.com'])
  t.same(otherCspHosts('https://console-stg.cloud.vmware.com'), [...CSP_HOSTS])
  t.same(otherCspHosts('http://127.0.0.1:8443/csp'), [...CSP_HOSTS])
})
